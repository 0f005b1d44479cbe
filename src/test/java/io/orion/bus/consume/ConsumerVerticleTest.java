package io.orion.bus.consume;

import io.orion.bus.publish.PublisherVerticle;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.consumerConfig;
import static io.orion.bus.support.BusTesting.consumers;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.groups;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConsumerVerticleTest {

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  private final List<Message<JsonObject>> received = new CopyOnWriteArrayList<>();

  private JsonObject config() {
    return bus.consumerConfig();
  }

  private String xadd(JsonObject data) {
    return cmd(bus.redis(), "XADD", bus.stream(), "*", "data", data.encode()).toString();
  }

  /** A handler that records each delivery and replies at once. */
  private void replyingHandler(Vertx vertx) {
    vertx.eventBus().<JsonObject>localConsumer(bus.address(), message -> {
      received.add(message);
      message.reply("ok");
    });
  }

  @Test
  void deployCreatesTheGroup(Vertx vertx) {
    deploy(vertx, ConsumerVerticle.class, config(), 1);

    assertEquals(List.of(bus.group()), groups(bus.redis(), bus.stream()));
  }

  @Test
  void anExistingGroupIsFine(Vertx vertx) {
    cmd(bus.redis(), "XGROUP", "CREATE", bus.stream(), bus.group(), "0", "MKSTREAM");
    replyingHandler(vertx);
    deploy(vertx, ConsumerVerticle.class, config(), 1);

    xadd(new JsonObject().put("n", 1));

    until("delivered", () -> received.size() == 1);
  }

  @Test
  void handlerGetsTheDataAndHeadersAndTheEntryIsAcknowledged(Vertx vertx) {
    replyingHandler(vertx);
    JsonObject config = config();
    deploy(vertx, ConsumerVerticle.class, config, 1);

    String id = xadd(new JsonObject().put("a", 1));

    until("delivered", () -> received.size() == 1);
    Message<JsonObject> message = received.get(0);
    assertEquals(new JsonObject().put("a", 1), message.body());
    MultiMap headers = message.headers();
    assertEquals(bus.stream(), headers.get("stream"));
    assertEquals(id, headers.get("id"));
    assertEquals(bus.group(), headers.get("group"));
    assertEquals(config.getString("consumer") + "-0", headers.get("consumer"));
    assertEquals("1", headers.get("deliveries"));
    until("acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
  }

  @Test
  void metadataRoundTripsFromPublisherToHandler(Vertx vertx) {
    replyingHandler(vertx);
    String publishAddress = fresh("publish");
    deploy(vertx, PublisherVerticle.class, publisherConfig(bus.server(), bus.prefix(), publishAddress), 1);
    deploy(vertx, ConsumerVerticle.class, config(), 1);

    String id = await(vertx.eventBus().<String>request(publishAddress, new JsonObject().put("x", "y"),
      new DeliveryOptions().addHeader("contract", "event").addHeader("trace-id", "t-1")
        .addHeader("Tenant", "acme"))).body();

    until("delivered", () -> received.size() == 1);
    MultiMap headers = received.get(0).headers();
    assertEquals(id, headers.get("id"));
    assertEquals("t-1", headers.get("trace-id"));
    assertEquals("acme", headers.get("tenant"));
    assertEquals(new JsonObject().put("x", "y"), received.get(0).body());
  }

  @Test
  void metadataNamedLikeABusHeaderDoesNotOverrideIt(Vertx vertx) {
    replyingHandler(vertx);
    deploy(vertx, ConsumerVerticle.class, config(), 1);

    String id = cmd(bus.redis(), "XADD", bus.stream(), "*", "data", "{}", "meta.id", "forged", "meta.color",
      "red").toString();

    until("delivered", () -> received.size() == 1);
    assertEquals(List.of(id), received.get(0).headers().getAll("id"));
    assertEquals("red", received.get(0).headers().get("color"));
  }

  @Test
  void startFromZeroDeliversWhatWasPublishedBeforeTheGroupExisted(Vertx vertx) {
    xadd(new JsonObject().put("early", true));
    replyingHandler(vertx);

    deploy(vertx, ConsumerVerticle.class, config(), 1);

    until("delivered", () -> received.size() == 1);
    assertEquals(true, received.get(0).body().getBoolean("early"));
  }

  @Test
  void startFromDollarSkipsWhatWasPublishedBefore(Vertx vertx) {
    xadd(new JsonObject().put("early", true));
    replyingHandler(vertx);

    deploy(vertx, ConsumerVerticle.class, config().put("startFrom", "$"), 1);
    xadd(new JsonObject().put("early", false));

    until("delivered", () -> received.size() == 1);
    assertEquals(false, received.get(0).body().getBoolean("early"));
  }

  @Test
  void instancesShareTheWorkWithoutDuplicates(Vertx vertx) {
    Map<String, Integer> perConsumer = new HashMap<>();
    Set<String> ids = new HashSet<>();
    AtomicInteger deliveries = new AtomicInteger();
    vertx.eventBus().<JsonObject>localConsumer(bus.address(), message -> {
      synchronized (perConsumer) {
        perConsumer.merge(message.headers().get("consumer"), 1, Integer::sum);
        ids.add(message.headers().get("id"));
      }
      deliveries.incrementAndGet();
      // Reply a little later, so that no single instance can take everything.
      vertx.setTimer(2, t -> message.reply("ok"));
    });
    JsonObject config = config().put("count", 5).put("maxInFlight", 5);
    deploy(vertx, ConsumerVerticle.class, config, 3);

    for (int i = 0; i < 600; i++) {
      xadd(new JsonObject().put("i", i));
    }

    until("all delivered", () -> ids.size() == 600);
    until("all acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertEquals(600, deliveries.get(), "duplicates");
    String base = config.getString("consumer");
    assertEquals(Set.of(base + "-0", base + "-1", base + "-2"), new HashSet<>(consumers(bus.redis(), bus.stream(),
      bus.group())));
    assertTrue(perConsumer.size() >= 2, "one instance did all the work: " + perConsumer);
  }

  @Test
  void maxInFlightOneDeliversInStreamOrderOneAtATime(Vertx vertx) {
    List<Integer> order = new CopyOnWriteArrayList<>();
    AtomicInteger outstanding = new AtomicInteger();
    AtomicInteger mostOutstanding = new AtomicInteger();
    vertx.eventBus().<JsonObject>localConsumer(bus.address(), message -> {
      mostOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
      order.add(message.body().getInteger("i"));
      vertx.setTimer(1, t -> {
        outstanding.decrementAndGet();
        message.reply("ok");
      });
    });
    for (int i = 0; i < 100; i++) {
      xadd(new JsonObject().put("i", i));
    }

    deploy(vertx, ConsumerVerticle.class, config().put("maxInFlight", 1).put("count", 50), 1);

    until("all delivered", () -> order.size() == 100);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      expected.add(i);
    }
    assertEquals(expected, order);
    assertEquals(1, mostOutstanding.get());
  }

  @Test
  void atMostMaxInFlightDeliveriesAwaitAReply(Vertx vertx) {
    ConcurrentLinkedQueue<Message<JsonObject>> held = new ConcurrentLinkedQueue<>();
    vertx.eventBus().<JsonObject>localConsumer(bus.address(), held::add);
    for (int i = 0; i < 20; i++) {
      xadd(new JsonObject().put("i", i));
    }

    deploy(vertx, ConsumerVerticle.class, config().put("maxInFlight", 5).put("count", 10), 1);

    until("5 held", () -> held.size() == 5);
    // A negative claim needs a window: no sixth delivery may come while five await a reply.
    await(vertx.timer(300));
    assertEquals(5, held.size());
    Message<JsonObject> message;
    while ((message = held.poll()) != null) {
      message.reply("ok");
    }
    until("the next 5 held", () -> held.size() == 5);
  }

  @Test
  void ownPendingEntriesAreRedeliveredOnRestart(Vertx vertx) {
    List<Message<JsonObject>> ignored = new CopyOnWriteArrayList<>();
    var silent = vertx.eventBus().<JsonObject>localConsumer(bus.address(), ignored::add);
    JsonObject config = config().put("handlerTimeoutMs", 2_000).put("shutdownTimeoutMs", 300);
    String first = deploy(vertx, ConsumerVerticle.class, config, 1);
    xadd(new JsonObject().put("n", 1));
    xadd(new JsonObject().put("n", 2));
    until("both delivered once", () -> ignored.size() == 2);
    // Fails at the shutdown timer while both await their handler (or succeeds, should they time out first).
    await(vertx.undeploy(first).otherwiseEmpty());
    assertEquals(2, pending(bus.redis(), bus.stream(), bus.group()));
    await(silent.unregister());
    // The name is handed back once the deliveries timed out: before, a new instance gets another name.
    until("the name handed back", () -> !ConsumerNames.inUse(bus.stream(), bus.group(), config.getString("consumer"),
      0));

    replyingHandler(vertx);
    deploy(vertx, ConsumerVerticle.class, config, 1);

    until("both delivered again", () -> received.size() == 2);
    assertEquals(List.of("2", "2"), received.stream().map(m -> m.headers().get("deliveries")).toList());
    assertEquals(List.of(1, 2), received.stream().map(m -> m.body().getInteger("n")).toList());
    until("acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
  }

  @Test
  void undeployWaitsForAnInFlightDeliveryAndAcknowledgesIt(Vertx vertx) {
    List<Message<JsonObject>> held = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>localConsumer(bus.address(), held::add);
    String id = deploy(vertx, ConsumerVerticle.class, config(), 1);
    xadd(new JsonObject().put("n", 1));
    until("delivered", () -> held.size() == 1);

    var undeploy = vertx.undeploy(id);
    await(vertx.timer(200));
    assertTrue(!undeploy.isComplete(), "undeploy did not wait for the delivery");
    held.get(0).reply("done");
    await(undeploy);

    assertEquals(0, pending(bus.redis(), bus.stream(), bus.group()));
  }

  @Test
  void undeployUnderAHandlerThatNeverRepliesEndsAtTheTimerAndTheEntryStaysPending(Vertx vertx) {
    List<Message<JsonObject>> held = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>localConsumer(bus.address(), held::add);
    String id = deploy(vertx, ConsumerVerticle.class,
      config().put("handlerTimeoutMs", 60_000).put("shutdownTimeoutMs", 500), 1);
    xadd(new JsonObject().put("n", 1));
    until("delivered", () -> held.size() == 1);

    long started = System.nanoTime();
    String message = awaitFailure(vertx.undeploy(id)).getMessage();
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertTrue(message.contains("timed out") && message.contains("finish in-flight deliveries"), message);
    assertTrue(elapsedMs < 5_000, "undeploy took " + elapsedMs + " ms");
    assertEquals(1, pending(bus.redis(), bus.stream(), bus.group()));
  }

  @Test
  void undeployReturnsWithinTwoSecondsWhenIdleEvenWithALongBlock(Vertx vertx) {
    String id = deploy(vertx, ConsumerVerticle.class, config().put("blockMs", 20_000), 1);
    // Let the first read block in Redis (a blocked XREADGROUP shows in CLIENT LIST with flag b).
    until("a read blocks", () -> cmd(bus.redis(), "CLIENT", "LIST").toString().lines()
      .anyMatch(line -> line.contains("flags=b") && line.contains("cmd=xreadgroup")));

    long started = System.nanoTime();
    await(vertx.undeploy(id));
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertTrue(elapsedMs < 2_000, "undeploy took " + elapsedMs + " ms");
    assertEquals(List.of(), consumers(bus.redis(), bus.stream(), bus.group()), "a clean stop leaves the group");
  }

  @Test
  void invalidConfigFailsTheDeploymentNamingTheKey(Vertx vertx) {
    String message = awaitFailure(vertx.deployVerticle(ConsumerVerticle.class,
      new io.vertx.core.DeploymentOptions().setConfig(config().put("maxInFlight", 0)))).getMessage();

    assertTrue(message.contains("maxInFlight"), message);
  }

  @Test
  void aStreamKeyHoldingSomethingElseFailsTheDeployment(Vertx vertx) {
    cmd(bus.redis(), "SET", bus.stream(), "not a stream");

    String message = awaitFailure(vertx.deployVerticle(ConsumerVerticle.class,
      new io.vertx.core.DeploymentOptions().setConfig(config()))).getMessage();

    assertTrue(message.contains(bus.stream()) && message.contains("WRONGTYPE"), message);
  }

  @Test
  void slowHandlersDoNotHoldUpTheReadOfOthers(Vertx vertx) {
    // With a BLOCK read in progress, acknowledgements still go out (the read has its own connection).
    replyingHandler(vertx);
    deploy(vertx, ConsumerVerticle.class, config().put("blockMs", 5_000), 1);

    for (int i = 0; i < 3; i++) {
      xadd(new JsonObject().put("i", i));
      int expected = i + 1;
      until("delivered " + expected, Duration.ofSeconds(3), () -> received.size() == expected);
      until("acknowledged " + expected, Duration.ofSeconds(3), () -> pending(bus.redis(), bus.stream(),
        bus.group()) == 0);
    }
  }
}
