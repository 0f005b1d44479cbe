package io.orion.bus.ops;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import static io.orion.bus.ops.OpsTesting.STATUS_ADDRESS;
import static io.orion.bus.support.BusTesting.busConfig;
import static io.orion.bus.ops.OpsTesting.check;
import static io.orion.bus.support.BusTesting.deployBus;
import static io.orion.bus.ops.OpsTesting.deployHttp;
import static io.orion.bus.ops.OpsTesting.eventConsumer;
import static io.orion.bus.ops.OpsTesting.get;
import static io.orion.bus.ops.OpsTesting.httpConfig;
import static io.orion.bus.ops.OpsTesting.sample;
import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.length;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /health/live}, {@code /health/ready}, {@code /streams} and {@code /metrics}. */
@ExtendWith(VertxExtension.class)
class HttpStatusEndpointsTest {

  @RegisterExtension
  final BusFixture bus = new BusFixture("late");

  /** The bus with one consumer of {@code event} in {@code group}, delivering to {@code address}. */
  private void deployEventBus(Vertx vertx, int instances) {
    deployBus(vertx, bus.busConfig(new JsonArray().add(eventConsumer(bus.group(),
      bus.address()).put("consumer", "c")
      .put("instances", instances))));
  }

  private int deployHttpOnBus(Vertx vertx, JsonObject redisSection) {
    return deployHttp(vertx, httpConfig(bus.server().url(), bus.prefix() + ".publish").put("redis",
      redisSection)).actualPort();
  }

  private int deployHttpOnBus(Vertx vertx) {
    return deployHttpOnBus(vertx, new JsonObject().put("connectionString", bus.server().url()));
  }

  @Test
  void liveAnswers200(Vertx vertx) {
    int port = deployHttp(vertx, httpConfig("redis://127.0.0.1:1", "nowhere")).actualPort();

    assertEquals(200, get(vertx, port, "/health/live").statusCode());
  }

  @Test
  void readyWhenRedisAnswersAndEveryConsumerDeploymentRuns(Vertx vertx) {
    vertx.eventBus().localConsumer(bus.address(), m -> m.reply("ok"));
    deployEventBus(vertx, 2);
    int port = deployHttpOnBus(vertx);

    HttpResponse<Buffer> response = get(vertx, port, "/health/ready");

    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals("UP", check(response, "redis").getString("status"));
    assertEquals("UP", check(response, "consumers").getString("status"));
  }

  @Test
  void notReadyWhenRedisDoesNotAnswer(Vertx vertx) {
    deployEventBus(vertx, 1);
    int port = deployHttpOnBus(vertx, new JsonObject().put("connectionString", "redis://127.0.0.1:1"));

    HttpResponse<Buffer> response = get(vertx, port, "/health/ready");

    assertEquals(503, response.statusCode(), response.bodyAsString());
    JsonObject redisCheck = check(response, "redis");
    assertEquals("DOWN", redisCheck.getString("status"));
    assertTrue(redisCheck.getJsonObject("data").getString("reason").contains("PING"), redisCheck.encode());
    assertEquals("UP", check(response, "consumers").getString("status"));
  }

  @Test
  void notReadyWhenAConsumerDeploymentRunsFewerInstancesThanConfigured(Vertx vertx) {
    // A deployment short of instances cannot be caused from outside the bus: the status says so here.
    vertx.eventBus().<JsonObject>localConsumer(STATUS_ADDRESS, m -> m.reply(new JsonObject()
      .put("consumers", new JsonArray().add(new JsonObject().put("contract", "event").put("group", bus.group())
        .put("stream", bus.stream()).put("deadStream", bus.stream() + ":dead").put("address", bus.address())
        .put("instances", 2).put("running", 1)))));
    int port = deployHttpOnBus(vertx);

    HttpResponse<Buffer> response = get(vertx, port, "/health/ready");

    assertEquals(503, response.statusCode(), response.bodyAsString());
    String reason = check(response, "consumers").getJsonObject("data").getString("reason");
    assertTrue(reason.contains(bus.stream() + "/" + bus.group()) && reason.contains("1 of 2"), reason);
  }

  @Test
  void notReadyWithoutTheBusStatus(Vertx vertx) {
    int port = deployHttpOnBus(vertx);

    HttpResponse<Buffer> response = get(vertx, port, "/health/ready");

    assertEquals(503, response.statusCode(), response.bodyAsString());
    assertTrue(check(response, "consumers").getJsonObject("data").getString("reason").contains("no bus status"));
  }

  @Test
  void streamsShowLengthDeadLettersAndPerGroupLagPendingAndConsumersInResp3(Vertx vertx) {
    streamsShowLengthDeadLettersAndPerGroupLagPendingAndConsumers(vertx, "RESP3");
  }

  @Test
  void streamsShowLengthDeadLettersAndPerGroupLagPendingAndConsumersInResp2(Vertx vertx) {
    streamsShowLengthDeadLettersAndPerGroupLagPendingAndConsumers(vertx, "RESP2");
  }

  private void streamsShowLengthDeadLettersAndPerGroupLagPendingAndConsumers(Vertx vertx, String protocol) {
    // Even messages are acknowledged, odd ones fail and stay pending (claimIdleMs is a minute).
    vertx.eventBus().<JsonObject>localConsumer(bus.address(), m -> {
      if (m.body().getInteger("i") % 2 == 0) {
        m.reply("ok");
      } else {
        m.fail(500, "odd");
      }
    });
    deployEventBus(vertx, 1);
    int port = deployHttpOnBus(vertx, new JsonObject().put("connectionString", bus.server().url())
      .put("preferredProtocolVersion", protocol));
    for (int i = 0; i < 4; i++) {
      await(vertx.eventBus().request(bus.prefix() + ".publish", new JsonObject().put("i", i),
        new DeliveryOptions().addHeader("contract", "event")));
    }
    cmd(bus.redis(), "XADD", bus.stream(), "*", "data", "not json");
    until("2 pending and 1 dead letter", () -> pending(bus.redis(), bus.stream(), bus.group()) == 2
      && length(bus.redis(), bus.stream() + ":dead") == 1);

    HttpResponse<Buffer> response = get(vertx, port, "/streams");

    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertFalse(response.bodyAsString().contains("redis://"), response.bodyAsString());
    JsonArray streams = response.bodyAsJsonObject().getJsonArray("streams");
    assertEquals(1, streams.size(), streams.encode());
    JsonObject shown = streams.getJsonObject(0);
    assertEquals(bus.stream(), shown.getString("name"));
    assertTrue(shown.getBoolean("exists"));
    assertEquals(5L, shown.getLong("length"));
    assertEquals(new JsonObject().put("name", bus.stream() + ":dead").put("length", 1),
      shown.getJsonObject("deadLetters"));
    JsonObject shownGroup = shown.getJsonArray("groups").getJsonObject(0);
    assertEquals(bus.group(), shownGroup.getString("name"));
    assertEquals(2L, shownGroup.getLong("pending"));
    if (bus.server().atLeast(7, 0)) {
      assertEquals(0L, shownGroup.getLong("lag"));
    } else {
      assertNull(shownGroup.getValue("lag"), "Redis before 7.0 has no lag in XINFO GROUPS: " + shownGroup.encode());
    }
    JsonArray consumers = shownGroup.getJsonArray("consumers");
    assertEquals(1, consumers.size(), consumers.encode());
    assertEquals("c-0", consumers.getJsonObject(0).getString("name"));
    assertEquals(2L, consumers.getJsonObject(0).getLong("pending"));
    assertNotNull(consumers.getJsonObject(0).getLong("idleMs"));
  }

  @Test
  void streamsShowAConfiguredStreamThatDoesNotExistYet(Vertx vertx) {
    vertx.eventBus().<JsonObject>localConsumer(STATUS_ADDRESS, m -> m.reply(new JsonObject()
      .put("consumers", new JsonArray().add(new JsonObject().put("contract", "event").put("group", bus.group())
        .put("stream", bus.stream()).put("deadStream", bus.stream() + ":dead").put("address", bus.address())
        .put("instances", 1).put("running", 1)))));
    int port = deployHttpOnBus(vertx);

    HttpResponse<Buffer> response = get(vertx, port, "/streams");

    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonObject shown = response.bodyAsJsonObject().getJsonArray("streams").getJsonObject(0);
    assertEquals(new JsonObject().put("name", bus.stream()).put("exists", false).put("length", 0)
      .put("deadLetters", new JsonObject().put("name", bus.stream() + ":dead").put("length", 0))
      .put("groups", new JsonArray()), shown);
  }

  @Test
  void metricsServeBusCountersGroupGaugesAndJvmMetrics(Vertx vertx) {
    vertx.eventBus().localConsumer(bus.address(), m -> m.reply("ok"));
    deployEventBus(vertx, 1);
    int port = deployHttpOnBus(vertx);
    for (int i = 0; i < 3; i++) {
      assertEquals(202, OpsTesting.post(vertx, port, "/publish/event", "{\"i\":" + i + "}").statusCode());
    }
    String[] labels = {"stream", bus.stream(), "group", bus.group()};

    until("3 acknowledged and the group gauges refreshed", () -> {
      String text = get(vertx, port, "/metrics").bodyAsString();
      return Double.valueOf(3).equals(sample(text, "orion_acked_total", labels))
        && Double.valueOf(0).equals(sample(text, "orion_group_pending", labels));
    });
    HttpResponse<Buffer> response = get(vertx, port, "/metrics");

    assertEquals(200, response.statusCode());
    assertTrue(response.getHeader("Content-Type").startsWith("text/plain"), response.getHeader("Content-Type"));
    String text = response.bodyAsString();
    assertEquals(3.0, sample(text, "orion_published_total", "stream", bus.stream()));
    assertEquals(3.0, sample(text, "orion_delivered_total", labels));
    assertEquals(0.0, sample(text, "orion_failed_total", labels));
    assertEquals(0.0, sample(text, "orion_dead_lettered_total", labels));
    assertEquals(0.0, sample(text, "orion_in_flight", labels));
    // Redis before 7.0 has no lag in XINFO GROUPS: the gauge says it cannot tell.
    assertEquals(bus.server().atLeast(7, 0) ? 0.0 : Double.NaN, sample(text, "orion_group_lag", labels));
    // The entries the group read are all still in the stream: Redis cannot tell what was trimmed unread.
    assertTrue(Double.isNaN(sample(text, "orion_group_trimmed_unread", labels)), "trimmed-unread gauge not told yet");
    assertTrue(text.contains("\njvm_memory_used_bytes{"), "JVM metrics are served too");
  }

  @Test
  void metricsShowTheCountersOfStreamsFirstUsedAfterStartup(Vertx vertx) {
    deployEventBus(vertx, 1);
    int port = deployHttpOnBus(vertx);
    String late = bus.prefix() + ":lates";
    assertNull(sample(get(vertx, port, "/metrics").bodyAsString(), "orion_published_total", "stream", late));

    await(vertx.eventBus().request(bus.prefix() + ".publish", new JsonObject(), new DeliveryOptions()
      .addHeader("contract", "late")));

    assertEquals(1.0, sample(get(vertx, port, "/metrics").bodyAsString(), "orion_published_total", "stream", late));
  }
}
