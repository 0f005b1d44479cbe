package io.orion.bus;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.consumerConfig;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orion.bus.config.Names;
import io.orion.bus.consume.ConsumerCounters;
import io.orion.bus.consume.ConsumerVerticle;
import io.orion.bus.publish.PublisherVerticle;
import io.orion.bus.support.TestRedis;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the bus does when Redis goes away: the publisher answers 503 and comes back by itself, consumers deploy
 * without Redis and resume after a restart without losing an acknowledged publish, and undeploy ends within its
 * timer. Each test breaks a Redis of its own.
 */
@ExtendWith(VertxExtension.class)
class RedisFailuresTest {

  private static final String CONTRACT = "event";
  private static final Duration RECOVERY = Duration.ofSeconds(15);

  /** The Redis of the running test, closed after its Vert.x so that undeploys still reach it. */
  private TestRedis redis;

  @AfterEach
  void tearDown(Vertx vertx) {
    try {
      await(vertx.close());
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  @Test
  void publishAnswers503WhileRedisIsDownAndRecovers(Vertx vertx) {
    redis = TestRedis.startOwn();
    String prefix = freshPrefix();
    String address = fresh("publish");
    long publishTimeoutMs = 10_000;
    deploy(vertx, PublisherVerticle.class,
        publisherConfig(redis, prefix, address).put("publishTimeoutMs", publishTimeoutMs), 1);
    await(publish(vertx, address, message("before")));

    redis.stop();
    long sentAt = System.nanoTime();
    ReplyException down = publishFailure(vertx, address, message("down"));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt);

    assertEquals(PublisherVerticle.UNAVAILABLE, down.failureCode(), down.getMessage());
    assertTrue(elapsedMs < publishTimeoutMs / 2,
        "503 for an unreachable Redis came after " + elapsedMs + " ms, not before the publish timeout: " + down);

    redis.start();
    String[] id = new String[1];
    until("a publish succeeds once Redis is back", RECOVERY, () -> {
      id[0] = tryPublish(vertx, address, message("after"));
      return id[0] != null;
    });
    List<String> ids = cmd(client(vertx), "XRANGE", Names.stream(prefix, CONTRACT), "-", "+").stream()
        .map(entry -> entry.get(0).toString()).toList();
    assertTrue(ids.contains(id[0]), "entry " + id[0] + " in " + ids);
  }

  @Test
  void publisherDeploysWithoutRedis(Vertx vertx) {
    redis = TestRedis.startOwn();
    redis.stop();
    String address = fresh("publish");

    deploy(vertx, PublisherVerticle.class, publisherConfig(redis, freshPrefix(), address), 1);
    ReplyException failure = publishFailure(vertx, address, message("nobody home"));

    assertEquals(PublisherVerticle.UNAVAILABLE, failure.failureCode(), failure.getMessage());
  }

  @Test
  void publishTimesOutWith503WhenRedisDoesNotAnswer(Vertx vertx) {
    redis = TestRedis.startOwn();
    String address = fresh("publish");
    long pauseMs = 3_000;
    deploy(vertx, PublisherVerticle.class,
        publisherConfig(redis, freshPrefix(), address).put("publishTimeoutMs", 300), 1);
    // Connected first, so that the request below waits for an answer rather than for a connection.
    await(publish(vertx, address, message("before")));

    long pausedAt = System.nanoTime();
    assertEquals("OK", redis.cli("CLIENT", "PAUSE", String.valueOf(pauseMs), "ALL"));
    ReplyException failure = publishFailure(vertx, address, message("paused"));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);

    assertEquals(PublisherVerticle.UNAVAILABLE, failure.failureCode(), failure.getMessage());
    assertTrue(failure.getMessage().toLowerCase(Locale.ROOT).contains("timed out"), failure.getMessage());
    assertTrue(elapsedMs < pauseMs, "the 503 came after " + elapsedMs + " ms, once the pause was over");
  }

  @Test
  void consumerDeploysWithoutRedisAndStartsWhenRedisComes(Vertx vertx) {
    redis = TestRedis.startOwn();
    redis.stop();
    String prefix = freshPrefix();
    String group = fresh("g");
    String address = fresh("deliver");
    Received received = consume(vertx, address, true);

    deploy(vertx, ConsumerVerticle.class, consumerConfig(redis, prefix, CONTRACT, group, address), 1);
    redis.start();
    String key = fresh("m");
    xadd(client(vertx), Names.stream(prefix, CONTRACT), message(key));

    until("the entry written once Redis came is delivered", RECOVERY, () -> received.count(key) > 0);
  }

  @Test
  void consumerResumesAfterRedisRestart(Vertx vertx) {
    redis = TestRedis.startOwn("--appendonly", "yes");
    String prefix = freshPrefix();
    String stream = Names.stream(prefix, CONTRACT);
    String group = fresh("g");
    String address = fresh("deliver");
    Received received = consume(vertx, address, true);
    deploy(vertx, ConsumerVerticle.class, consumerConfig(redis, prefix, CONTRACT, group, address), 1);
    Redis client = client(vertx);
    String before = fresh("m");
    xadd(client, stream, message(before));
    until("an entry is delivered before the restart", () -> received.count(before) > 0);
    long reconnects = ConsumerCounters.of(stream, group).reconnects.sum();

    redis.stop();
    redis.start();
    List<String> after = List.of(fresh("m"), fresh("m"));
    after.forEach(key -> xadd(client, stream, message(key)));

    until("the entries written after the restart are delivered", RECOVERY,
        () -> after.stream().allMatch(key -> received.count(key) > 0));
    until("the reader's reconnect is counted", RECOVERY,
        () -> ConsumerCounters.of(stream, group).reconnects.sum() > reconnects);
  }

  @Test
  void everyAcknowledgedPublishIsDeliveredAcrossARestart(Vertx vertx) {
    redis = TestRedis.startOwn("--appendonly", "yes", "--appendfsync", "always");
    String prefix = freshPrefix();
    String publishAddress = fresh("publish");
    String address = fresh("deliver");
    int total = 2_000;
    Received received = consume(vertx, address, true);
    deploy(vertx, PublisherVerticle.class, publisherConfig(redis, prefix, publishAddress), 1);
    deploy(vertx, ConsumerVerticle.class, consumerConfig(redis, prefix, CONTRACT, fresh("g"), address), 2);
    PublishRun run = new PublishRun(vertx, publishAddress, prefix, total);

    run.start(vertx.getOrCreateContext());
    until("500 publishes acknowledged", () -> run.acknowledged.size() >= 500);
    redis.stop();
    // Down until the publishes notice (a restart quicker than a tick would go unseen and prove nothing).
    until("a publish refused with 503 while Redis is down", () -> run.unavailable.get() > 0);
    redis.start();
    until("every publish acknowledged or given up", Duration.ofSeconds(30), run::finished);

    assertEquals(List.of(), run.errors, "publishes that failed otherwise than with 503");
    assertEquals(0, run.givenUp.get(), "publishes still refused after " + PublishRun.MAX_ATTEMPTS + " attempts");
    try {
      until("every acknowledged publish delivered", RECOVERY, () -> received.missing(run.acknowledged) == 0);
    } catch (AssertionError e) {
      // Reported below, with the counts.
    }
    long lost = received.missing(run.acknowledged);
    long distinct = received.distinct();
    long delivered = received.total();
    System.out.printf("published=%d delivered=%d distinct=%d duplicates=%d lost=%d%n",
        run.acknowledged.size(), delivered, distinct, delivered - distinct, lost);
    assertEquals(0, lost, "acknowledged publishes never delivered");
  }

  @Test
  void undeployEndsWithinTheTimerWhenRedisIsGone(Vertx vertx) {
    redis = TestRedis.startOwn();
    String prefix = freshPrefix();
    String address = fresh("deliver");
    Received received = consume(vertx, address, false);
    JsonObject config = consumerConfig(redis, prefix, CONTRACT, fresh("g"), address)
        .put("handlerTimeoutMs", 60_000)
        .put("claimIdleMs", 120_000)
        .put("shutdownTimeoutMs", 1_000);
    String deployment = deploy(vertx, ConsumerVerticle.class, config, 1);
    String key = fresh("m");
    xadd(client(vertx), Names.stream(prefix, CONTRACT), message(key));
    until("the entry is in the handler", () -> received.count(key) > 0);

    redis.kill();
    Throwable failure = awaitFailureWithin(vertx.undeploy(deployment), Duration.ofSeconds(5));

    assertTrue(String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT).contains("timed out"),
        "undeploy failed otherwise than by its timer: " + failure);
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private static JsonObject message(String key) {
    return new JsonObject().put("key", key);
  }

  private static Future<String> publish(Vertx vertx, String address, JsonObject body) {
    DeliveryOptions options = new DeliveryOptions().addHeader(PublisherVerticle.CONTRACT_HEADER, CONTRACT);
    return vertx.eventBus().<String>request(address, body, options).map(Message::body);
  }

  /** The new entry's id, or null when the publish failed with 503 (any other failure is thrown). */
  private static String tryPublish(Vertx vertx, String address, JsonObject body) {
    return await(publish(vertx, address, body).recover(e -> isUnavailable(e)
        ? Future.succeededFuture(null) : Future.failedFuture(e)));
  }

  private static boolean isUnavailable(Throwable e) {
    return e instanceof ReplyException failure && failure.failureCode() == PublisherVerticle.UNAVAILABLE;
  }

  private static ReplyException publishFailure(Vertx vertx, String address, JsonObject body) {
    return assertInstanceOf(ReplyException.class, awaitFailure(publish(vertx, address, body)));
  }

  /** A pooled client for raw commands; closed with the test's Vert.x. */
  private Redis client(Vertx vertx) {
    return Redis.createClient(vertx, redis.url());
  }

  /** {@code XADD stream * data <json>}, retried while a pooled connection from before a restart fails. */
  private static void xadd(Redis client, String stream, JsonObject data) {
    until("XADD to " + stream + " succeeds", RECOVERY, () -> {
      try {
        cmd(client, "XADD", stream, "*", "data", data.encode());
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    });
  }

  /** Waits at most {@code timeout} for a future that must fail, and returns its failure. */
  private static Throwable awaitFailureWithin(Future<?> future, Duration timeout) {
    AsyncResult<?> result;
    try {
      result = future.<AsyncResult<?>>transform(Future::succeededFuture)
          .await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not completed within " + timeout, e);
    }
    if (result.succeeded()) {
      throw new AssertionError("expected a failure, got " + result.result());
    }
    return result.cause();
  }

  private static Received consume(Vertx vertx, String address, boolean reply) {
    Received received = new Received();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(address, message -> {
      received.add(message.body().getString("key"));
      if (reply) {
        message.reply("ok");
      }
    });
    await(consumer.completion());
    return received;
  }

  /** What a handler was given: how many times each key. */
  private static final class Received {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    void add(String key) {
      counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      total.incrementAndGet();
    }

    int count(String key) {
      AtomicInteger count = counts.get(key);
      return count == null ? 0 : count.get();
    }

    long total() {
      return total.get();
    }

    long distinct() {
      return counts.size();
    }

    long missing(Set<String> keys) {
      return keys.stream().filter(key -> !counts.containsKey(key)).count();
    }
  }

  /**
   * Publishes {@code total} messages with unique keys at a steady pace (so that a restart lands mid-way),
   * retrying each one refused with 503 after a short timer. Its state lives on one event loop; what the test
   * thread reads is thread-safe.
   */
  private static final class PublishRun {
    static final int MAX_ATTEMPTS = 200;
    static final long RETRY_MS = 50;
    static final long TICK_MS = 20;
    static final int PER_TICK = 25;
    static final int MAX_OUTSTANDING = 200;

    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger givenUp = new AtomicInteger();
    final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger settled = new AtomicInteger();
    private final Vertx vertx;
    private final String address;
    private final String prefix;
    private final int total;
    private int next;
    private int outstanding;
    private long ticker = -1;

    PublishRun(Vertx vertx, String address, String prefix, int total) {
      this.vertx = vertx;
      this.address = address;
      this.prefix = prefix;
      this.total = total;
    }

    void start(Context context) {
      context.runOnContext(v -> ticker = vertx.setPeriodic(TICK_MS, id -> tick()));
    }

    boolean finished() {
      return settled.get() == total;
    }

    private void tick() {
      for (int i = 0; i < PER_TICK && next < total && outstanding < MAX_OUTSTANDING; i++) {
        outstanding++;
        send(prefix + "-" + next++, 1);
      }
      if (next == total) {
        vertx.cancelTimer(ticker);
      }
    }

    private void send(String key, int attempt) {
      publish(vertx, address, message(key)).onComplete(ar -> {
        if (ar.succeeded()) {
          acknowledged.add(key);
          settle();
        } else if (isUnavailable(ar.cause())) {
          unavailable.incrementAndGet();
          if (attempt < MAX_ATTEMPTS) {
            vertx.setTimer(RETRY_MS, t -> send(key, attempt + 1));
          } else {
            givenUp.incrementAndGet();
            settle();
          }
        } else {
          errors.add(key + ": " + ar.cause());
          settle();
        }
      });
    }

    private void settle() {
      outstanding--;
      settled.incrementAndGet();
    }
  }
}
