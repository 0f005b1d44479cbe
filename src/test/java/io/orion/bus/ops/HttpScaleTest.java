package io.orion.bus.ops;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import static io.orion.bus.ops.OpsTesting.SCALE_ADDRESS;
import static io.orion.bus.support.BusTesting.busConfig;
import static io.orion.bus.support.BusTesting.deployBus;
import static io.orion.bus.ops.OpsTesting.deployHttp;
import static io.orion.bus.ops.OpsTesting.error;
import static io.orion.bus.ops.OpsTesting.eventConsumer;
import static io.orion.bus.ops.OpsTesting.get;
import static io.orion.bus.ops.OpsTesting.httpConfig;
import static io.orion.bus.ops.OpsTesting.post;
import static io.orion.bus.ops.OpsTesting.status;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.fresh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /scale}, over HTTP to the bus's {@code orion.admin.scale}. */
@ExtendWith(VertxExtension.class)
class HttpScaleTest {

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  private int deployBusAndHttp(Vertx vertx) {
    deployBus(vertx, bus.busConfig(new JsonArray().add(eventConsumer(bus.group(),
      fresh("deliver"))
      .put("consumer", "c"))));
    return deployHttp(vertx, httpConfig(bus.server().url(), bus.prefix() + ".publish")).actualPort();
  }

  private JsonObject scaleBody(String contract, String group, int instances) {
    return new JsonObject().put("contract", contract).put("group", group).put("instances", instances);
  }

  private static JsonObject consumerStatus(Vertx vertx, String group) {
    for (Object entry : status(vertx).getJsonArray("consumers")) {
      if (group.equals(((JsonObject) entry).getString("group"))) {
        return (JsonObject) entry;
      }
    }
    throw new AssertionError("no consumer deployment of group " + group + " in the status");
  }

  @Test
  void scaleGrowsAndShrinksTheConsumerDeployment(Vertx vertx) {
    int port = deployBusAndHttp(vertx);

    HttpResponse<Buffer> up = post(vertx, port, "/scale", scaleBody("event", bus.group(), 3).encode());

    assertEquals(200, up.statusCode(), up.bodyAsString());
    assertEquals(scaleBody("event", bus.group(), 3), up.bodyAsJsonObject());
    assertEquals(3, consumerStatus(vertx, bus.group()).getInteger("running"));
    assertEquals(200, get(vertx, port, "/health/ready").statusCode());

    HttpResponse<Buffer> down = post(vertx, port, "/scale", scaleBody("event", bus.group(), 1).encode());

    assertEquals(200, down.statusCode(), down.bodyAsString());
    assertEquals(1, down.bodyAsJsonObject().getInteger("instances"));
    JsonObject after = consumerStatus(vertx, bus.group());
    assertEquals(1, after.getInteger("instances"));
    assertEquals(1, after.getInteger("running"));
    assertEquals(200, get(vertx, port, "/health/ready").statusCode());
  }

  @Test
  void scalePassesTheBusAnswers404And400Through(Vertx vertx) {
    int port = deployBusAndHttp(vertx);

    HttpResponse<Buffer> unknown = post(vertx, port, "/scale", scaleBody("event", "no-such-group", 2).encode());
    HttpResponse<Buffer> zero = post(vertx, port, "/scale", scaleBody("event", bus.group(), 0).encode());
    HttpResponse<Buffer> missing = post(vertx, port, "/scale", new JsonObject().put("contract", "event").encode());

    assertEquals(404, unknown.statusCode(), unknown.bodyAsString());
    assertTrue(error(unknown).contains("no-such-group"), error(unknown));
    assertEquals(400, zero.statusCode(), zero.bodyAsString());
    assertEquals(400, missing.statusCode(), missing.bodyAsString());
    assertEquals(1, consumerStatus(vertx, bus.group()).getInteger("running"));
  }

  @Test
  void scaleAboveMaxInstancesGets400OverHttpAndOnTheEventBus(Vertx vertx) {
    deployBus(vertx, bus.busConfig(new JsonArray().add(eventConsumer(bus.group(),
      fresh("deliver"))
      .put("consumer", "c").put("maxInstances", 2))));
    int port = deployHttp(vertx, httpConfig(bus.server().url(), bus.prefix() + ".publish")).actualPort();

    HttpResponse<Buffer> over = post(vertx, port, "/scale", scaleBody("event", bus.group(), 3).encode());
    Throwable overOnTheBus = awaitFailure(vertx.eventBus().request(SCALE_ADDRESS, scaleBody("event", bus.group(),
      Integer.MAX_VALUE)));
    HttpResponse<Buffer> atMax = post(vertx, port, "/scale", scaleBody("event", bus.group(), 2).encode());

    assertEquals(400, over.statusCode(), over.bodyAsString());
    assertTrue(error(over).contains("maxInstances (2)"), error(over));
    assertEquals(400, ((ReplyException) overOnTheBus).failureCode(), overOnTheBus.getMessage());
    assertTrue(overOnTheBus.getMessage().contains("maxInstances"), overOnTheBus.getMessage());
    assertEquals(200, atMax.statusCode(), atMax.bodyAsString());
    assertEquals(2, consumerStatus(vertx, bus.group()).getInteger("running"));
  }

  @Test
  void scaleRejectsABodyThatIsNotAJsonObjectWith400(Vertx vertx) {
    int port = deployBusAndHttp(vertx);

    for (String body : new String[] {"{\"contract\": ", "[]", ""}) {
      HttpResponse<Buffer> response = post(vertx, port, "/scale", body);
      assertEquals(400, response.statusCode(), body + " -> " + response.bodyAsString());
    }
  }

  @Test
  void scalePassesA503Through(Vertx vertx) {
    // The bus answers 503 while it stops, a moment no test can hold open: a stand-in answers here.
    vertx.eventBus().<JsonObject>localConsumer(SCALE_ADDRESS, m -> m.fail(503, "orion-bus is stopping"));
    int port = deployHttp(vertx, httpConfig(bus.server().url(), bus.prefix() + ".publish")).actualPort();

    HttpResponse<Buffer> response = post(vertx, port, "/scale", scaleBody("event", bus.group(), 2).encode());

    assertEquals(503, response.statusCode(), response.bodyAsString());
    assertEquals("orion-bus is stopping", error(response));
  }

  @Test
  void scaleAnswers503WithoutTheBus(Vertx vertx) {
    int port = deployHttp(vertx, httpConfig(bus.server().url(), bus.prefix() + ".publish")).actualPort();

    HttpResponse<Buffer> response = post(vertx, port, "/scale", scaleBody("event", bus.group(), 2).encode());

    assertEquals(503, response.statusCode(), response.bodyAsString());
  }
}
