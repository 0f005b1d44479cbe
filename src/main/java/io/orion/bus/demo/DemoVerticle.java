package io.orion.bus.demo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo of {@code conf/demo.json}: publishes a small message every {@code publishIntervalMs} to the
 * publisher's address, and handles what the consumers deliver by logging it and replying, so that a user sees
 * messages flow end to end. Config: {@code publishAddress}, {@code contract}, {@code handlerAddresses},
 * {@code publishIntervalMs}.
 */
public final class DemoVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DemoVerticle.class);

  private final List<MessageConsumer<JsonObject>> handlers = new ArrayList<>();
  private long timer;
  private long sent;

  @Override
  public Future<?> start() {
    JsonObject config = config();
    String publishAddress = config.getString("publishAddress");
    String contract = config.getString("contract", "event");
    JsonArray addresses = config.getJsonArray("handlerAddresses", new JsonArray());
    List<Future<?>> registered = new ArrayList<>();
    for (Object address : addresses) {
      MessageConsumer<JsonObject> handler = vertx.eventBus().localConsumer(address.toString(), message -> {
        LOG.info("demo: handled {} {} deliveries={} body={}", message.headers().get("stream"),
          message.headers().get("id"), message.headers().get("deliveries"), message.body().encode());
        message.reply("ok");
      });
      handlers.add(handler);
      registered.add(handler.completion());
    }
    timer = vertx.setPeriodic(config.getLong("publishIntervalMs", 1000L), id -> {
      JsonObject body = new JsonObject().put("n", ++sent).put("at", Instant.now().toString());
      vertx.eventBus().<String>request(publishAddress, body,
          new DeliveryOptions().addHeader("contract", contract).addHeader("source", "demo"))
        .onSuccess(reply -> LOG.info("demo: published {} as {}", body.encode(), reply.body()))
        .onFailure(e -> LOG.warn("demo: publish failed: {}", e.getMessage()));
    });
    return Future.all(registered);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
