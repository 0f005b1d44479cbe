package io.orion.bus.support;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.undeployAll;

import io.orion.bus.config.Names;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's names and Redis, as a JUnit 5 extension: {@code @RegisterExtension final BusFixture bus = new
 * BusFixture();}. Before each test it picks a fresh prefix, group and address (the stream is the prefix's
 * {@value #CONTRACT} stream); {@link #redis()} is a raw client on the shared {@link TestRedis}. After the test
 * (after the class's {@code @AfterEach} methods) it deletes the stream, its dead letters and the streams of the
 * other contracts given to the constructor, and closes the client; it stops what {@link #startOwn} started, after
 * the Vert.x given.
 */
public final class BusFixture implements BeforeEachCallback, AfterEachCallback {

  /** The contract of {@link #stream()}. */
  public static final String CONTRACT = "event";

  /**
   * The raw clients live on a Vert.x of their own, not the test's: a test may close its Vert.x, and the client
   * must still clean up after it. Closed when the JVM exits.
   */
  private static Vertx clients;

  private String prefix;
  private String stream;
  private String group;
  private String address;
  private Redis redis;
  /** The streams of {@code otherContracts} under the current prefix. */
  private final List<String> keys = new ArrayList<>();
  private final List<TestRedis> owned = new ArrayList<>();
  private Vertx ownersVertx;
  /** Contracts whose streams under the prefix the tests write besides {@value #CONTRACT}. */
  private final List<String> otherContracts;

  /** Names for tests that write to the {@value #CONTRACT} stream of the prefix only. */
  public BusFixture() {
    this(new String[0]);
  }

  /** Names for tests that write the streams of {@code otherContracts} under the prefix too: deleted after each. */
  public BusFixture(String... otherContracts) {
    this.otherContracts = List.of(otherContracts);
  }

  private static synchronized Vertx clients() {
    if (clients == null) {
      Vertx vertx = Vertx.vertx();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close(), "bus-fixture-close"));
      clients = vertx;
    }
    return clients;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    prefix = freshPrefix();
    stream = Names.stream(prefix, CONTRACT);
    group = fresh("g");
    address = fresh("addr");
    keys.clear();
    otherContracts.forEach(contract -> keys.add(Names.stream(prefix, contract)));
    owned.clear();
    ownersVertx = null;
    redis = null;
  }

  /** Cleans the shared Redis unless the test used only Redis servers of its own. */
  @Override
  public void afterEach(ExtensionContext context) {
    try {
      if (redis != null || owned.isEmpty()) {
        try {
          if (server().isRunning()) {
            List<String> all = new ArrayList<>(List.of(stream, deadStream()));
            all.addAll(keys);
            cmd(redis(), "DEL", all.toArray());
          }
        } finally {
          await(redis().close());
        }
      }
    } finally {
      closeOwned();
    }
  }

  /** The bus stops first, before the Redis it talks to: undeploy everything, close the Vert.x, then Redis. */
  private void closeOwned() {
    try {
      if (ownersVertx != null) {
        undeployAll(ownersVertx);
        await(ownersVertx.close());
      }
    } finally {
      owned.forEach(TestRedis::close);
    }
  }

  /** A fresh stream prefix, e.g. {@code t-1f3a9c2b}. */
  public String prefix() {
    return prefix;
  }

  /** The prefix's stream of contract {@value #CONTRACT}: {@code {prefix}:events}. */
  public String stream() {
    return stream;
  }

  /** The dead letters of {@link #stream()}. */
  public String deadStream() {
    return Names.deadLetters(stream);
  }

  /** A fresh group name. */
  public String group() {
    return group;
  }

  /** A fresh event bus address. */
  public String address() {
    return address;
  }

  /** The shared test Redis. */
  public TestRedis server() {
    return TestRedis.shared();
  }

  /** A raw client on the shared test Redis, created on first use, closed after the test. */
  public Redis redis() {
    if (redis == null) {
      redis = Redis.createClient(clients(), server().url());
    }
    return redis;
  }

  /** {@link BusTesting#publisherConfig} for these names on the shared Redis. */
  public JsonObject publisherConfig() {
    return BusTesting.publisherConfig(server(), prefix, address);
  }

  /** {@link BusTesting#consumerConfig} of contract {@value #CONTRACT} for these names on the shared Redis. */
  public JsonObject consumerConfig() {
    return BusTesting.consumerConfig(server(), prefix, CONTRACT, group, address);
  }

  /** {@link BusTesting#busConfig(TestRedis, String, JsonArray)} for the prefix on the shared Redis. */
  public JsonObject busConfig(JsonArray consumers) {
    return BusTesting.busConfig(server(), prefix, consumers);
  }

  /**
   * A private {@code redis-server} ({@link TestRedis#startOwn}) the test may stop or kill. After the test every
   * deployment of {@code vertx} is undeployed and {@code vertx} closed, then that Redis stops.
   */
  public TestRedis startOwn(Vertx vertx, String... extraArgs) {
    ownersVertx = vertx;
    TestRedis own = TestRedis.startOwn(extraArgs);
    owned.add(own);
    return own;
  }
}
