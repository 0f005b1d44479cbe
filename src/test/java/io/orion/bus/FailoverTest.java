package io.orion.bus;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.entries;
import static io.orion.bus.support.BusTesting.consumerConfig;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orion.bus.consume.ConsumerCounters;
import io.orion.bus.consume.ConsumerVerticle;
import io.orion.bus.publish.PublisherVerticle;
import io.orion.bus.redis.StreamEntry;
import io.orion.bus.support.BusFixture;
import io.orion.bus.support.TcpForwarder;
import io.orion.bus.support.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica promoted while the bus holds connections to the demoted master, behind one address that moves (as a
 * DNS name or a cloud endpoint does): A is master and B its replica; then B becomes master, A its replica, and the
 * address sends new connections to B. The connections the bus holds to A get READONLY for every write (XADD,
 * XACK, XGROUP, XREADGROUP) and must be dropped for new ones.
 */
@ExtendWith(VertxExtension.class)
class FailoverTest {

  private static final String CONTRACT = "event";
  private static final Duration RECOVERY = Duration.ofSeconds(20);

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  private TestRedis a;
  private TestRedis b;
  private TcpForwarder address;
  private Redis onB;

  @BeforeEach
  void setUp(Vertx vertx) {
    a = bus.startOwn(vertx);
    b = bus.startOwn(vertx);
    assertEquals("OK", b.cli("REPLICAOF", "127.0.0.1", String.valueOf(a.port())));
    until("B replicates A", () -> b.cli("INFO", "replication").contains("master_link_status:up"));
    address = TcpForwarder.start(vertx, a.port());
    onB = Redis.createClient(vertx, b.url());
  }

  @Test
  void publisherAnswers503ForReadonlyThenWritesToThePromotedReplica(Vertx vertx) {
    String publishAddress = fresh("publish");
    deploy(vertx, PublisherVerticle.class, withAddress(publisherConfig(a, bus.prefix(), publishAddress)), 1);
    await(publish(vertx, publishAddress, message("before")));

    failOver();
    // The publisher's connection is still to A: the write is refused there.
    ReplyException refused = assertInstanceOf(ReplyException.class,
        awaitFailure(publish(vertx, publishAddress, message("refused"))));

    assertEquals(PublisherVerticle.UNAVAILABLE, refused.failureCode(), refused.getMessage());
    assertTrue(refused.getMessage().contains("READONLY") && refused.getMessage().contains("not written"),
        refused.getMessage());
    List<String> ids = new ArrayList<>();
    until("a publish succeeds through the promoted replica", RECOVERY, () -> {
      String id = await(publish(vertx, publishAddress, message("after")).recover(e -> unavailable(e)
          ? Future.succeededFuture(null) : Future.failedFuture(e)));
      if (id != null) {
        ids.add(id);
      }
      return id != null;
    });
    for (int i = 0; i < 5; i++) {
      ids.add(await(publish(vertx, publishAddress, message("next-" + i))));
    }
    List<StreamEntry> onNewMaster = entries(onB, bus.stream());
    assertTrue(onNewMaster.stream().map(StreamEntry::id).toList().containsAll(ids), ids + " all in " + onNewMaster);
    assertTrue(onNewMaster.stream().noneMatch(entry -> entry.data().toString().contains("refused")),
        "the refused publish was not written: " + onNewMaster);
  }

  @Test
  void consumerDeliversAndAcknowledgesEntriesOfThePromotedReplica(Vertx vertx) {
    String group = fresh("g");
    String deliverAddress = fresh("deliver");
    Received received = consume(vertx, deliverAddress);
    deploy(vertx, ConsumerVerticle.class,
        withAddress(consumerConfig(a, bus.prefix(), CONTRACT, group, deliverAddress)), 1);
    xadd(a, "before");
    until("the entry written before the failover is delivered", () -> received.count("before") == 1);
    until("and acknowledged", () -> "0".equals(a.cli("XPENDING", bus.stream(), group).lines().findFirst().orElse("")));
    assertEquals("1", a.cli("WAIT", "1", "5000"), "B has every write of A");
    long reconnects = ConsumerCounters.of(bus.stream(), group).reconnects.sum();

    failOver();
    List<String> keys = List.of("after-1", "after-2", "after-3");
    keys.forEach(key -> xadd(b, key));

    until("the entries written to the promoted replica are delivered", RECOVERY,
        () -> keys.stream().allMatch(key -> received.count(key) > 0));
    until("and acknowledged there", RECOVERY, () -> pending(onB, bus.stream(), group) == 0);
    until("the reader's reconnect is counted", RECOVERY,
        () -> ConsumerCounters.of(bus.stream(), group).reconnects.sum() > reconnects);
  }

  @Test
  void anAcknowledgementRefusedByTheDemotedNodeIsSentAgainToTheNewMaster(Vertx vertx) {
    String group = fresh("g");
    String deliverAddress = fresh("deliver");
    List<Message<JsonObject>> held = new CopyOnWriteArrayList<>();
    await(vertx.eventBus().<JsonObject>localConsumer(deliverAddress, held::add).completion());
    // One entry in flight and no room for more: nothing is read, so the consumer's connections to A stay idle
    // through the failover and the acknowledgement is the first command to meet the demoted node.
    deploy(vertx, ConsumerVerticle.class, withAddress(consumerConfig(a, bus.prefix(), CONTRACT, group, deliverAddress)
        .put("maxInFlight", 1).put("handlerTimeoutMs", 60_000)), 1);
    xadd(a, "held");
    until("the entry is in the handler", () -> held.size() == 1);
    assertEquals("1", a.cli("WAIT", "1", "5000"), "B has every write of A");

    failOver();
    held.get(0).reply("done");

    until("the entry is acknowledged on the new master", RECOVERY, () -> pending(onB, bus.stream(), group) == 0);
    assertEquals(1, held.size(), "delivered once: the acknowledgement was not lost");
  }

  /** B becomes master, A its replica, and the address sends new connections to B. */
  private void failOver() {
    assertEquals("OK", b.cli("REPLICAOF", "NO", "ONE"));
    assertEquals("OK", a.cli("REPLICAOF", "127.0.0.1", String.valueOf(b.port())));
    address.target(b.port());
  }

  /** A config whose Redis is the moving address. */
  private JsonObject withAddress(JsonObject config) {
    return config.put("redis", new JsonObject().put("connectionString", address.url()));
  }

  private void xadd(TestRedis redis, String key) {
    redis.cli("XADD", bus.stream(), "*", "data", message(key).encode());
  }

  private static JsonObject message(String key) {
    return new JsonObject().put("key", key);
  }

  private static Future<String> publish(Vertx vertx, String address, JsonObject body) {
    DeliveryOptions options = new DeliveryOptions().addHeader(PublisherVerticle.CONTRACT_HEADER, CONTRACT);
    return vertx.eventBus().<String>request(address, body, options).map(Message::body);
  }

  private static boolean unavailable(Throwable e) {
    return e instanceof ReplyException failure && failure.failureCode() == PublisherVerticle.UNAVAILABLE;
  }

  private static Received consume(Vertx vertx, String address) {
    Received received = new Received();
    await(vertx.eventBus().<JsonObject>localConsumer(address, message -> {
      received.add(message.body().getString("key"));
      message.reply("ok");
    }).completion());
    return received;
  }

  /** How many times the handler was given each key. */
  private static final class Received {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    void add(String key) {
      counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    int count(String key) {
      AtomicInteger count = counts.get(key);
      return count == null ? 0 : count.get();
    }
  }
}
