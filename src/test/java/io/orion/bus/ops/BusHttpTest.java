package io.orion.bus.ops;

import io.orion.bus.BusVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.orion.bus.ops.OpsTesting.acceptAll;
import static io.orion.bus.support.BusTesting.busConfig;
import static io.orion.bus.support.BusTesting.deployBus;
import static io.orion.bus.ops.OpsTesting.eventConsumer;
import static io.orion.bus.ops.OpsTesting.freePort;
import static io.orion.bus.ops.OpsTesting.get;
import static io.orion.bus.ops.OpsTesting.post;
import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code BusVerticle} with an {@code http} section: the operations server comes and goes with the bus. */
@ExtendWith(VertxExtension.class)
class BusHttpTest {

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  @Test
  void anEnabledHttpSectionServesTheBusAndStopsWithIt(Vertx vertx) {
    int port = freePort();
    String address = fresh("deliver");
    AtomicInteger delivered = acceptAll(vertx, address);
    JsonObject config = bus.busConfig(new JsonArray().add(eventConsumer("g", address)))
      .put("http", new JsonObject().put("enabled", true).put("host", OpsTesting.HOST).put("port", port)
        .put("token", "tok"));
    String deployment = deployBus(vertx, config);

    HttpResponse<Buffer> published = post(vertx, port, "/publish/event", "{}", Map.of("Authorization",
      "Bearer tok"));
    until("delivered and acknowledged", () -> delivered.get() == 1 && pending(bus.redis(), bus.stream(), "g") == 0);
    HttpResponse<Buffer> ready = get(vertx, port, "/health/ready");
    HttpResponse<Buffer> streams = get(vertx, port, "/streams");

    assertEquals(202, published.statusCode(), published.bodyAsString());
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    assertEquals(bus.stream(), streams.bodyAsJsonObject().getJsonArray("streams").getJsonObject(0)
      .getString("name"));
    await(vertx.undeploy(deployment));
    awaitFailure(WebClient.create(vertx).get(port, OpsTesting.HOST, "/health/live").send());
  }

  @Test
  void aDisabledHttpSectionStartsNoServer(Vertx vertx) {
    int port = freePort();
    deployBus(vertx, bus.busConfig(new JsonArray().add(eventConsumer("g", fresh("deliver"))))
      .put("http", new JsonObject().put("enabled", false).put("host", OpsTesting.HOST).put("port", port)));

    awaitFailure(WebClient.create(vertx).get(port, OpsTesting.HOST, "/health/live").send());
  }

  @Test
  void anInvalidHttpSectionFailsTheDeploymentNamingTheKey(Vertx vertx) {
    JsonObject config = bus.busConfig(new JsonArray().add(eventConsumer("g", fresh("deliver"))))
      .put("http", new JsonObject().put("enabled", true).put("port", 70_000));

    String message = awaitFailure(vertx.deployVerticle(BusVerticle.class, new DeploymentOptions().setConfig(config)))
      .getMessage();

    assertTrue(message.contains("http.port"), message);
  }
}
