package io.orion.bus.publish;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.entries;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orion.bus.config.Names;
import io.orion.bus.redis.StreamEntry;
import io.orion.bus.support.BusFixture;
import io.orion.bus.support.TcpForwarder;
import io.orion.bus.support.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publisher's backlog is bounded in bytes: while Redis does not answer, requests wait up to
 * {@code maxQueuedBytes} of data, and the ones past it are refused with 503 at once, writing nothing.
 */
@ExtendWith(VertxExtension.class)
class PublisherBacklogTest {

  private static final String CONTRACT = "event";

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  @Test
  void requestsPastMaxQueuedBytesAre503UntilRedisTakesWhatWaits(Vertx vertx) {
    TestRedis redis = bus.startOwn(vertx);
    TcpForwarder silent = TcpForwarder.start(vertx, redis.port());
    String prefix = bus.prefix();
    String address = bus.address();
    int size = message(0).toBuffer().length();
    int fits = 4;
    JsonObject config = publisherConfig(redis, prefix, address)
        .put("redis", new JsonObject().put("connectionString", silent.url()))
        .put("maxMessageBytes", size)
        .put("maxQueuedBytes", fits * size)
        // Longer than the test: what waits is answered when Redis is, not by the timeout.
        .put("publishTimeoutMs", 120_000);
    deploy(vertx, PublisherVerticle.class, config, 1);
    await(publish(vertx, address, message(0)));
    PublisherCounters counters = PublisherCounters.of(Names.stream(prefix, CONTRACT));
    long unavailable = counters.unavailable.sum();

    silent.hold();
    // From one context, so that the requests reach the publisher in this order.
    Promise<List<Future<String>>> sent = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      List<Future<String>> replies = new ArrayList<>();
      for (int i = 1; i <= fits + 1; i++) {
        replies.add(publish(vertx, address, message(i)));
      }
      sent.complete(replies);
    });
    List<Future<String>> replies = await(sent.future());

    ReplyException full = assertInstanceOf(ReplyException.class, awaitFailure(replies.get(fits)));
    assertEquals(PublisherVerticle.UNAVAILABLE, full.failureCode(), full.getMessage());
    assertTrue(full.getMessage().contains("publisher backlog full: " + fits * size + " bytes queued"),
        full.getMessage());
    assertEquals(unavailable + 1, counters.unavailable.sum(), "the refused request is counted as unavailable");
    replies.subList(0, fits).forEach(reply -> assertFalse(reply.isComplete(), "a request within the bound waits"));

    silent.release();
    List<String> ids = new ArrayList<>();
    replies.subList(0, fits).forEach(reply -> ids.add(await(reply)));
    ids.add(await(publish(vertx, address, message(fits + 2))));

    List<StreamEntry> stored = entries(Redis.createClient(vertx, redis.url()), Names.stream(prefix, CONTRACT));
    assertEquals(fits + 2, stored.size(), "the first, the ones that waited and the one after: " + stored);
    assertTrue(stored.stream().map(StreamEntry::id).toList().containsAll(ids), ids + " in " + stored);
    assertTrue(stored.stream().noneMatch(entry -> new JsonObject(entry.data()).getInteger("n") == fits + 1),
        "the refused request was not written");
  }

  /** A message whose data has the same size for every {@code n} below 10. */
  private static JsonObject message(int n) {
    return new JsonObject().put("n", n).put("pad", "x".repeat(200));
  }

  private static Future<String> publish(Vertx vertx, String address, JsonObject body) {
    DeliveryOptions options = new DeliveryOptions().addHeader(PublisherVerticle.CONTRACT_HEADER, CONTRACT);
    return vertx.eventBus().<String>request(address, body, options).map(Message::body);
  }
}
