package io.orion.bus.bench;

import io.orion.bus.consume.HandOffCodec;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bus's path with Redis taken out ({@code scripts/bench --event-bus-only 1}): what any event-bus bridge of
 * this contract pays before it talks to Redis. A publisher verticle takes each request (a JsonObject and a
 * contract header), encodes it as the publisher does, replies with an id, and hands the bytes to one of the
 * consumer verticles on their own event loops (where Redis would be); a consumer decodes them into a JsonObject
 * and requests the handler with the five delivery headers and the bus's no-copy codec, as its consumers do.
 */
final class EventBusOnly {

  private EventBusOnly() {
  }

  static void deploy(Vertx vertx, String publishAddress, String deliveryAddress, int consumers) throws Exception {
    HandOffCodec.register(vertx);
    List<Consumer> deployed = new ArrayList<>();
    AtomicInteger index = new AtomicInteger();
    vertx.deployVerticle(() -> {
      Consumer consumer = new Consumer(deliveryAddress, index.getAndIncrement());
      synchronized (deployed) {
        deployed.add(consumer);
      }
      return consumer;
    }, new DeploymentOptions().setInstances(consumers)).await(60, TimeUnit.SECONDS);
    vertx.deployVerticle(new Publisher(publishAddress, List.copyOf(deployed))).await(60, TimeUnit.SECONDS);
  }

  /** Replies to each publish request and passes its bytes on, round robin. */
  private static final class Publisher extends VerticleBase {
    private final String address;
    private final List<Consumer> consumers;
    private long next;

    Publisher(String address, List<Consumer> consumers) {
      this.address = address;
      this.consumers = consumers;
    }

    @Override
    public Future<?> start() {
      return vertx.eventBus().<JsonObject>localConsumer(address, message -> {
        if (message.headers().get("contract") == null) {
          message.fail(400, "header 'contract' is required");
          return;
        }
        Buffer data = message.body().toBuffer();
        long seq = next++;
        message.reply(seq + "-0");
        consumers.get((int) (seq % consumers.size())).take(data, seq);
      }).completion();
    }
  }

  /** Decodes what it is handed and delivers it to the handler, as a consumer instance does. */
  private static final class Consumer extends VerticleBase {
    private final String address;
    private final String name;

    Consumer(String address, int index) {
      this.address = address;
      this.name = "floor-" + index;
    }

    void take(Buffer data, long seq) {
      Context own = context;
      own.runOnContext(v -> deliver(data, seq));
    }

    private void deliver(Buffer data, long seq) {
      JsonObject body = new JsonObject(data);
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(30_000).setCodecName(HandOffCodec.NAME)
        .addHeader("stream", "floor:events").addHeader("id", seq + "-0").addHeader("group", "floor")
        .addHeader("consumer", name).addHeader("deliveries", "1");
      vertx.eventBus().request(address, body, options);
    }
  }
}
