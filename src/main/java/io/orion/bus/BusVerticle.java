package io.orion.bus;

import io.orion.bus.config.BusConfig;
import io.orion.bus.config.ConfigLoader;
import io.orion.bus.config.ConsumerOptions;
import io.orion.bus.consume.ConsumerVerticle;
import io.orion.bus.demo.DemoVerticle;
import io.orion.bus.demo.EmbeddedRedis;
import io.orion.bus.publish.PublisherVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The main verticle: reads the config (built-in defaults &lt; {@code conf/config.json}, read only when the
 * deployment config is empty &lt; the deployment config &lt; {@code ORION_*} environment variables), validates
 * it, and deploys the {@link PublisherVerticle} and one {@link ConsumerVerticle} deployment per {@code consumers}
 * entry with its {@code instances}, each with its own flat config. Its children stop side by side when it is
 * undeployed, each under its own {@code shutdownTimeoutMs} timer, so the whole stop takes no longer than one.
 * <p>
 * A config with {@code demo.embeddedRedis} true starts the bundled redis-server first and points every section
 * at it; {@code demo.publishIntervalMs} adds a demo that publishes and handles messages.
 */
public final class BusVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BusVerticle.class);

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
    // The demo's handlers first, so that the consumers find them from their first delivery.
    return deployDemo(config).compose(v -> deployBus(config));
  }

  private Future<?> deployBus(BusConfig config) {
    List<Future<?>> deployments = new ArrayList<>();
    deployments.add(vertx.deployVerticle(PublisherVerticle.class, new DeploymentOptions()
      .setConfig(config.publisher().toJson()).setInstances(config.publisher().instances())));
    for (ConsumerOptions consumer : config.consumers()) {
      deployments.add(vertx.deployVerticle(ConsumerVerticle.class, new DeploymentOptions()
        .setConfig(consumer.toJson()).setInstances(consumer.instances())));
    }
    return Future.all(deployments)
      .onSuccess(v -> LOG.info("orion-bus started: publisher on '{}', {} consumer deployment(s)",
        config.publisher().address(), config.consumers().size()));
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
