package io.orion.bus.ops;

import io.orion.bus.publish.PublisherVerticle;
import io.orion.bus.support.BusTesting;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static io.orion.bus.ops.OpsTesting.get;
import static io.orion.bus.ops.OpsTesting.httpConfig;
import static io.orion.bus.ops.OpsTesting.sample;
import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link OrionApplication}: the launcher of the jar, with Vert.x metrics in the registry {@code /metrics} serves. */
class OrionApplicationTest {

  @Test
  void theLauncherServesVertxJvmAndBusMetricsFromOneRegistry() {
    int port = OpsTesting.freePort();
    String conf = httpConfig("redis://127.0.0.1:1", "nowhere").put("port", port).encode();
    AtomicReference<Vertx> started = new AtomicReference<>();
    OrionApplication application = new OrionApplication(new String[] {HttpVerticle.class.getName(), "-conf", conf},
      false) {
      @Override
      public void afterVertxStarted(HookContext context) {
        started.set(context.vertx());
      }
    };

    assertEquals(0, application.launch());
    Vertx vertx = started.get();
    try {
      assertTrue(vertx.isMetricsEnabled());
      String prefix = freshPrefix();
      String address = fresh("publish");
      await(vertx.deployVerticle(PublisherVerticle.class, new DeploymentOptions().setConfig(new JsonObject()
        .put("redis", new JsonObject().put("connectionString", "redis://127.0.0.1:1"))
        .put("streamPrefix", prefix).put("address", address))));
      awaitFailure(vertx.eventBus().request(address, new JsonObject(), new DeliveryOptions()
        .addHeader("contract", "event")));
      BusTesting.until("the first scrape is counted", () -> get(vertx, port, "/metrics").bodyAsString()
        .contains("vertx_http_server_requests_total"));

      String text = get(vertx, port, "/metrics").bodyAsString();

      assertTrue(text.contains("\nvertx_eventbus_"), "Vert.x event bus metrics");
      assertTrue(text.contains("\njvm_memory_used_bytes{"), "JVM metrics");
      assertNotNull(sample(text, "orion_publish_unavailable_total", "stream", prefix + ":events"), "bus metrics");
      assertTrue(BusMetrics.prometheusRegistry().scrape().contains("vertx_http_server_requests_total"),
        "the bus serves the Vert.x registry");
    } finally {
      await(vertx.close());
    }
  }
}
