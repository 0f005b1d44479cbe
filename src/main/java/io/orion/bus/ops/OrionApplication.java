package io.orion.bus.ops;

import io.orion.bus.config.Secrets;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

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

  private static final Logger LOG = LoggerFactory.getLogger(OrionApplication.class);

  /** The {@code -conf} value given on the command line, or null. */
  private final String conf;

  public OrionApplication(String[] args) {
    super(args);
    this.conf = confArgument(args);
  }

  /** For tests: a failure to start is returned as the exit code of {@link #launch()}, not a {@code System.exit}. */
  OrionApplication(String[] args, boolean exitOnFailure) {
    super(args, null, true, exitOnFailure);
    this.conf = confArgument(args);
  }

  public static void main(String[] args) {
    new OrionApplication(args).launch();
  }

  /**
   * {@code VertxApplication} only warns about a {@code -conf} that is neither a file nor JSON and deploys with an
   * empty config, which then runs the bus on {@code conf/config.json} or its defaults: a typo would start the wrong
   * bus. The start fails instead, naming the cause but not the value (it may hold a password).
   */
  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    if (conf != null && config == null) {
      String problem = confProblem(conf);
      // The launcher exits on the exception without showing it.
      LOG.error("cannot start: {}", problem);
      throw new IllegalArgumentException(problem);
    }
    return config;
  }

  /** Why {@code -conf VALUE} gives no config object. */
  static String confProblem(String value) {
    if (value.trim().startsWith("{")) {
      return "-conf is not a valid JSON object (value not shown)";
    }
    if (!Files.isRegularFile(Path.of(value))) {
      return "-conf names no readable file and is not a JSON object: " + Secrets.mask(value);
    }
    return "-conf file " + value + " is not a valid JSON object";
  }

  /** The value of {@code -conf}/{@code --conf} ({@code -conf V} or {@code -conf=V}), or null. */
  static String confArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if ((arg.equals("-conf") || arg.equals("--conf")) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (arg.startsWith("-conf=") || arg.startsWith("--conf=")) {
        return arg.substring(arg.indexOf('=') + 1);
      }
    }
    return null;
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
