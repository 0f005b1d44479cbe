package io.orion.bus;

import io.orion.bus.config.BusConfig;
import io.orion.bus.config.ConfigLoader;
import io.orion.bus.config.ConsumerOptions;
import io.orion.bus.config.Names;
import io.orion.bus.ops.HttpVerticle;
import io.orion.bus.demo.DemoVerticle;
import io.orion.bus.demo.EmbeddedRedis;
import io.orion.bus.publish.PublisherVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The main verticle: reads the config (built-in defaults &lt; {@code conf/config.json}, read only when the
 * deployment config is empty &lt; the deployment config &lt; {@code ORION_*} environment variables), validates
 * it, and deploys the {@link PublisherVerticle} and, per {@code consumers} entry, a deployment of
 * {@code ConsumerVerticle} with its {@code instances}, each with its own flat config. Its children stop side by
 * side when it is undeployed, each under its own {@code shutdownTimeoutMs} timer, so the whole stop takes no
 * longer than one.
 * <p>
 * Admin addresses (local): {@code orion.admin.scale} takes {@code {"contract","group","instances"}} and grows or
 * shrinks that consumer entry (removed instances drain through their shutdown chain), replying
 * {@code {"contract","group","instances"}}; failures 400 (bad request, or {@code instances} above the entry's
 * {@code maxInstances}), 404 (no such entry), 503 (cannot deploy now). {@code orion.admin.status} replies the
 * publisher and, per consumer entry, its names and its instances asked for and running. The prefix
 * {@code orion.admin} is the config key {@code adminAddress}.
 * <p>
 * A config with {@code demo.embeddedRedis} true starts the bundled redis-server first and points every section
 * at it; {@code demo.publishIntervalMs} adds a demo that publishes and handles messages.
 */
public final class BusVerticle extends VerticleBase {

  /** The suffix of the scaling address ({@link Names#scaleAddress}). */
  public static final String SCALE = ".scale";
  /** The suffix of the status address ({@link Names#statusAddress}). */
  public static final String STATUS = ".status";

  private static final Logger LOG = LoggerFactory.getLogger(BusVerticle.class);

  private BusConfig config;
  private final List<ConsumerDeployment> consumers = new ArrayList<>();
  private EmbeddedRedis embeddedRedis;

  @Override
  public Future<?> start() {
    return ConfigLoader.load(vertx, config(), System.getenv())
      .compose(this::startDemoRedis)
      .map(BusConfig::fromJson)
      .compose(this::deployAll);
  }

  @Override
  public Future<?> stop() {
    // The children were undeployed before this runs.
    return embeddedRedis == null ? Future.succeededFuture() : embeddedRedis.stop(vertx);
  }

  private Future<JsonObject> startDemoRedis(JsonObject config) {
    JsonObject demo = config.getValue("demo") instanceof JsonObject section ? section : null;
    if (demo == null || !demo.getBoolean("embeddedRedis", false)) {
      return Future.succeededFuture(config);
    }
    return EmbeddedRedis.start(vertx).map(redis -> {
      embeddedRedis = redis;
      return config.copy().put("redis", new JsonObject().put("connectionString", redis.url()));
    });
  }

  private Future<?> deployAll(BusConfig config) {
    this.config = config;
    // The demo's handlers first, so that the consumers find them from their first delivery.
    return deployDemo(config).compose(v -> deployBus(config)).compose(v -> registerAdmin(config))
      .compose(v -> deployHttp(config));
  }

  private Future<?> deployBus(BusConfig config) {
    List<Future<?>> deployments = new ArrayList<>();
    deployments.add(vertx.deployVerticle(PublisherVerticle.class, new DeploymentOptions()
      .setConfig(config.publisher().toJson()).setInstances(config.publisher().instances())));
    for (ConsumerOptions options : config.consumers()) {
      ConsumerDeployment consumer = new ConsumerDeployment(vertx, options);
      consumers.add(consumer);
      deployments.add(consumer.start());
    }
    return Future.all(deployments)
      .onSuccess(v -> LOG.info("orion-bus started: publisher on '{}', {} consumer deployment(s)",
        config.publisher().address(), config.consumers().size()));
  }

  private Future<?> registerAdmin(BusConfig config) {
    return Future.all(
      vertx.eventBus().<Object>localConsumer(Names.scaleAddress(config.adminAddress()), this::scale).completion(),
      vertx.eventBus().<Object>localConsumer(Names.statusAddress(config.adminAddress()), this::status).completion());
  }

  private void scale(Message<Object> message) {
    if (!(message.body() instanceof JsonObject body) || !(body.getValue("instances") instanceof Integer instances)
      || !(body.getValue("contract") instanceof String contract) || !(body.getValue("group") instanceof String group)) {
      message.fail(400, "expected {\"contract\": string, \"group\": string, \"instances\": integer}");
      return;
    }
    if (instances < 1) {
      message.fail(400, "instances must be >= 1, got " + instances);
      return;
    }
    ConsumerDeployment consumer = consumers.stream()
      .filter(c -> c.options().contract().equals(contract) && c.options().group().equals(group))
      .findFirst().orElse(null);
    if (consumer == null) {
      message.fail(404, "no consumers entry with contract '" + contract + "' and group '" + group + "'");
      return;
    }
    if (instances > consumer.options().maxInstances()) {
      message.fail(400, "instances must be <= maxInstances (" + consumer.options().maxInstances()
        + ") of the consumers entry " + contract + "/" + group + ", got " + instances);
      return;
    }
    consumer.scaleTo(instances).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(new JsonObject().put("contract", contract).put("group", group).put("instances", ar.result()));
      } else {
        message.fail(503, "cannot scale " + contract + "/" + group + ": " + ar.cause().getMessage());
      }
    });
  }

  private void status(Message<Object> message) {
    JsonArray entries = new JsonArray();
    for (ConsumerDeployment consumer : consumers) {
      ConsumerOptions options = consumer.options();
      entries.add(new JsonObject()
        .put("contract", options.contract())
        .put("group", options.group())
        .put("stream", options.stream())
        .put("deadStream", Names.deadLetters(options.stream()))
        .put("address", options.address())
        .put("instances", consumer.instances())
        .put("running", consumer.running()));
    }
    message.reply(new JsonObject()
      .put("publisher", new JsonObject().put("address", config.publisher().address())
        .put("streamPrefix", config.publisher().streamPrefix()))
      .put("consumers", entries));
  }

  /** The operations endpoints, when {@code http.enabled}; they read the bus through the admin addresses. */
  private Future<?> deployHttp(BusConfig config) {
    if (!config.http().enabled()) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(HttpVerticle.class,
      new DeploymentOptions().setConfig(config.httpDeployment().toJson()));
  }

  private Future<?> deployDemo(BusConfig config) {
    JsonObject demo = config.demo();
    if (demo == null || !demo.containsKey("publishIntervalMs")) {
      return Future.succeededFuture();
    }
    JsonArray addresses = new JsonArray();
    config.consumers().forEach(consumer -> addresses.add(consumer.address()));
    JsonObject demoConfig = new JsonObject()
      .put("publishAddress", config.publisher().address())
      .put("contract", demo.getString("contract", config.consumers().isEmpty() ? "event"
        : config.consumers().get(0).contract()))
      .put("handlerAddresses", addresses)
      .put("publishIntervalMs", demo.getLong("publishIntervalMs"));
    return vertx.deployVerticle(DemoVerticle.class, new DeploymentOptions().setConfig(demoConfig));
  }
}
