package io.orion.bus.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The checks of {@code GET /health/ready} (vertx-health-check): {@code redis}, Redis answers {@code PING};
 * {@code consumers}, every consumer deployment of the bus status runs all its instances. A check that fails says
 * why in {@code data.reason}; the handler answers 200 when both are up, 503 otherwise.
 */
final class Readiness {

  private final HealthCheckHandler handler;

  /**
   * @param status         the bus status ({@code orion.admin.status})
   * @param checkTimeoutMs the time a check has before the handler counts it failed; the checks answer sooner. The
   *                       value is in milliseconds.
   */
  Readiness(Vertx vertx, StreamInspector inspector, Supplier<Future<JsonObject>> status, long checkTimeoutMs) {
    handler = HealthCheckHandler.create(vertx)
      .register("redis", checkTimeoutMs, promise -> inspector.ping()
        .map(v -> Status.OK())
        .otherwise(e -> down("Redis does not answer PING: " + e.getMessage()))
        .onComplete(promise))
      .register("consumers", checkTimeoutMs, promise -> status.get()
        .map(Readiness::consumers)
        .otherwise(e -> down("no bus status: " + e.getMessage()))
        .onComplete(promise));
  }

  HealthCheckHandler handler() {
    return handler;
  }

  /** Up when every consumer deployment runs as many instances as it should. */
  private static Status consumers(JsonObject status) {
    List<String> lacking = new ArrayList<>();
    JsonArray consumers = status.getJsonArray("consumers", new JsonArray());
    for (Object entry : consumers) {
      JsonObject consumer = (JsonObject) entry;
      int instances = consumer.getInteger("instances", 0);
      int running = consumer.getInteger("running", 0);
      if (running != instances) {
        lacking.add(consumer.getString("stream") + "/" + consumer.getString("group") + ": " + running + " of "
          + instances + " instance(s) running");
      }
    }
    return lacking.isEmpty() ? Status.OK(new JsonObject().put("deployments", consumers.size()))
      : down(String.join("; ", lacking));
  }

  private static Status down(String reason) {
    return Status.KO(new JsonObject().put("reason", reason));
  }
}
