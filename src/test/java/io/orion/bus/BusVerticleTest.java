package io.orion.bus;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.deployBus;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.consumers;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class BusVerticleTest {

  @RegisterExtension
  final BusFixture bus = new BusFixture("order");

  @Test
  void deploysThePublisherAndEveryConsumerEntryWithItsInstances(Vertx vertx) {
    List<Message<JsonObject>> events = new CopyOnWriteArrayList<>();
    List<Message<JsonObject>> orders = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>localConsumer(bus.prefix() + ".events", m -> {
      events.add(m);
      m.reply("ok");
    });
    vertx.eventBus().<JsonObject>localConsumer("orders-here", m -> {
      orders.add(m);
      m.reply("ok");
    });
    String eventGroup = fresh("g");
    String orderGroup = fresh("g");
    deployBus(vertx, bus.busConfig(new JsonArray()
      .add(new JsonObject().put("contract", "event").put("group", eventGroup).put("instances", 2)
        .put("consumer", "ev"))
      .add(new JsonObject().put("contract", "order").put("group", orderGroup).put("address", "orders-here")
        .put("consumer", "or"))));

    for (int i = 0; i < 40; i++) {
      await(vertx.eventBus().request(bus.prefix() + ".publish", new JsonObject().put("i", i),
        new DeliveryOptions().addHeader("contract", i % 2 == 0 ? "event" : "order")));
    }

    until("all delivered", () -> events.size() == 20 && orders.size() == 20);
    Set<String> eventConsumers = new HashSet<>();
    events.forEach(m -> eventConsumers.add(m.headers().get("consumer")));
    assertTrue(Set.of("ev-0", "ev-1").containsAll(eventConsumers), eventConsumers.toString());
    assertEquals(Set.of("or-0"), new HashSet<>(consumers(bus.redis(), bus.prefix() + ":orders", orderGroup)));
  }

  @Test
  void invalidConfigFailsTheDeploymentNamingTheKey(Vertx vertx) {
    JsonObject config = bus.busConfig(new JsonArray().add(new JsonObject().put("contract", "event")
      .put("group", "g").put("maxDeliveries", 0)));

    String message = awaitFailure(vertx.deployVerticle(BusVerticle.class,
      new DeploymentOptions().setConfig(config))).getMessage();

    assertTrue(message.contains("consumers[0].maxDeliveries"), message);
  }

  @Test
  void childrenStopSideBySideUnderOneDeadline(Vertx vertx) {
    List<Message<JsonObject>> held = new CopyOnWriteArrayList<>();
    JsonArray consumers = new JsonArray();
    for (String contract : List.of("event", "order")) {
      String address = fresh("held");
      vertx.eventBus().<JsonObject>localConsumer(address, held::add);
      consumers.add(new JsonObject().put("contract", contract).put("group", fresh("g")).put("address", address)
        .put("instances", 2).put("handlerTimeoutMs", 60_000));
    }
    String id = deployBus(vertx, bus.busConfig(consumers).put("shutdownTimeoutMs", 1_000));
    cmd(bus.redis(), "XADD", bus.stream(), "*", "data", "{}");
    cmd(bus.redis(), "XADD", bus.prefix() + ":orders", "*", "data", "{}");
    until("both held", () -> held.size() == 2);

    long started = System.nanoTime();
    String message = awaitFailure(vertx.undeploy(id)).getMessage();
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertTrue(message.contains("timed out"), message);
    // One after another, the two stuck consumers would take two timers.
    assertTrue(elapsedMs < 1_900, "undeploy took " + elapsedMs + " ms");
  }

  @Test
  void demoConfigStartsTheBundledRedisAndMessagesFlow(Vertx vertx) {
    List<Message<JsonObject>> seen = new CopyOnWriteArrayList<>();
    String address = fresh("demo");
    // Shares the address with the demo's own handler: the event bus gives it every other message.
    vertx.eventBus().<JsonObject>localConsumer(address, m -> {
      seen.add(m);
      m.reply("ok");
    });
    JsonObject config = new JsonObject()
      .put("demo", new JsonObject().put("embeddedRedis", true).put("publishIntervalMs", 50))
      .put("publisher", new JsonObject().put("address", fresh("publish")))
      .put("shutdownTimeoutMs", 5_000)
      .put("consumers", new JsonArray().add(new JsonObject().put("contract", "event").put("group", "demo")
        .put("address", address).put("blockMs", 100)));
    String id = deployBus(vertx, config);

    until("demo messages delivered", () -> seen.size() >= 2);
    Message<JsonObject> message = seen.get(0);
    assertEquals("demo", message.headers().get("source"));
    assertEquals("orion:events", message.headers().get("stream"));
    assertTrue(message.body().containsKey("n"), message.body().encode());
    await(vertx.undeploy(id));
  }

  @Test
  void anUnreachableRedisIsNeverReplacedByAnEmbeddedOne(Vertx vertx) {
    String address = fresh("publish");
    JsonObject config = new JsonObject()
      .put("redis", new JsonObject().put("connectionString", "redis://127.0.0.1:1"))
      .put("publisher", new JsonObject().put("address", address));
    deployBus(vertx, config);

    Throwable failure = awaitFailure(vertx.eventBus().request(address, new JsonObject(),
      new DeliveryOptions().addHeader("contract", "event")));

    ReplyException reply = assertInstanceOf(ReplyException.class, failure);
    assertEquals(503, reply.failureCode(), reply.getMessage());
  }

  @Test
  void scalingGrowsAndShrinksWithoutLosingOrDuplicatingWork(Vertx vertx) {
    Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    Set<String> consumerNames = ConcurrentHashMap.newKeySet();
    vertx.eventBus().<JsonObject>localConsumer(bus.prefix() + ".events", m -> {
      deliveries.merge(m.headers().get("id"), 1, Integer::sum);
      consumerNames.add(m.headers().get("consumer"));
      vertx.setTimer(1, t -> m.reply("ok"));
    });
    String group = fresh("g");
    JsonObject config = bus.busConfig(new JsonArray().add(new JsonObject().put("contract", "event").put("group", group)
      .put("instances", 2).put("maxInFlight", 4).put("count", 4))).put("adminAddress", bus.prefix() + ".admin");
    deployBus(vertx, config);
    int total = 600;
    for (int i = 0; i < total; i++) {
      cmd(bus.redis(), "XADD", bus.stream(), "*", "data", "{\"i\":" + i + "}");
      if (i == 150) {
        assertEquals(4, scale(vertx, "event", group, 4).getInteger("instances"));
      } else if (i == 300) {
        assertEquals(1, scale(vertx, "event", group, 1).getInteger("instances"));
      } else if (i == 450) {
        assertEquals(3, scale(vertx, "event", group, 3).getInteger("instances"));
      }
    }

    until("all delivered", () -> deliveries.size() == total);
    until("all acknowledged", () -> pending(bus.redis(), bus.stream(), group) == 0);
    assertEquals(List.of(), deliveries.values().stream().filter(n -> n > 1).toList(), "duplicates");
    JsonObject status = await(vertx.eventBus().<JsonObject>request(bus.prefix() + ".admin.status", null)).body();
    JsonObject entry = status.getJsonArray("consumers").getJsonObject(0);
    assertEquals(3, entry.getInteger("instances"));
    assertEquals(3, entry.getInteger("running"));
    assertEquals(bus.stream(), entry.getString("stream"));
    assertEquals(bus.prefix() + ":events:dead", entry.getString("deadStream"));
    assertTrue(consumerNames.size() >= 4, "instances taking part: " + consumerNames);
  }

  @Test
  void scaleRequestsAreChecked(Vertx vertx) {
    String group = fresh("g");
    deployBus(vertx, bus.busConfig(new JsonArray().add(new JsonObject().put("contract", "event").put("group", group)))
      .put("adminAddress", bus.prefix() + ".admin"));

    assertEquals(404, scaleFailure(vertx, new JsonObject().put("contract", "order").put("group", group)
      .put("instances", 2)));
    assertEquals(400, scaleFailure(vertx, new JsonObject().put("contract", "event").put("group", group)
      .put("instances", 0)));
    assertEquals(400, scaleFailure(vertx, new JsonObject().put("contract", "event").put("group", group)));
    assertEquals(400, scaleFailure(vertx, "{}"));
  }

  private JsonObject scale(Vertx vertx, String contract, String group, int instances) {
    return await(vertx.eventBus().<JsonObject>request(bus.prefix() + ".admin.scale", new JsonObject()
      .put("contract", contract).put("group", group).put("instances", instances))).body();
  }

  private int scaleFailure(Vertx vertx, Object body) {
    Throwable failure = awaitFailure(vertx.eventBus().request(bus.prefix() + ".admin.scale", body));
    return assertInstanceOf(ReplyException.class, failure).failureCode();
  }
}
