package io.orion.bus.ops;

import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * The launcher of {@code java -jar orion-bus.jar}: Vert.x's {@link VertxApplication} (same options: {@code -conf},
 * {@code --options}, ...; its shutdown hook closes Vert.x on SIGTERM) with Vert.x metrics on by default, so that
 * {@code GET /metrics} serves Vert.x (event bus, HTTP, pools), JVM and bus metrics from one Prometheus registry.
 * <p>
 * Vert.x metrics are {@link #DEFAULT_METRICS_OPTIONS} unless {@code --options} gives {@code metricsOptions}, which
 * then replaces them whole (e.g. {@code --options '{"metricsOptions":{"enabled":false}}'} turns them off;
 * {@code /metrics} then serves the bus and JVM metrics from a registry of its own).
 * <p>
 * It is meant to be the jar's {@code Main-Class}: {@code VertxApplication} reads {@code Main-Verticle} from the
 * manifest whose {@code Main-Class} is the launching class, so the two entries go together.
 */
public class OrionApplication extends VertxApplication implements VertxApplicationHooks {

  /**
   * Micrometer with a Prometheus registry under the default registry name, and JVM metrics. The Prometheus
   * registry is served by {@link HttpVerticle}, not by an embedded server of its own.
   */
  public static final MicrometerMetricsOptions DEFAULT_METRICS_OPTIONS = new MicrometerMetricsOptions()
    .setEnabled(true)
    .setJvmMetricsEnabled(true)
    .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));

  public OrionApplication(String[] args) {
    super(args);
  }

  /** For tests: a failure to start is returned as the exit code of {@link #launch()}, not a {@code System.exit}. */
  OrionApplication(String[] args, boolean exitOnFailure) {
    super(args, null, true, exitOnFailure);
  }

  public static void main(String[] args) {
    new OrionApplication(args).launch();
  }

  @Override
  public JsonObject afterVertxOptionsParsed(JsonObject vertxOptions) {
    JsonObject options = vertxOptions == null ? new JsonObject() : vertxOptions;
    if (!options.containsKey("metricsOptions")) {
      options.put("metricsOptions", DEFAULT_METRICS_OPTIONS.toJson());
    }
    return options;
  }
}
