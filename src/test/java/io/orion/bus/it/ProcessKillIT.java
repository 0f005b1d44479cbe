package io.orion.bus.it;

import io.orion.bus.support.TestRedis;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two consumer processes of one group; one is killed with SIGKILL half-way through a steady stream of
 * entries, and the other delivers everything, reclaiming what the dead one had read and not acknowledged.
 */
@ExtendWith(VertxExtension.class)
class ProcessKillIT {

  private static final int MESSAGES = 3_000;
  /** 5 entries every 10 ms: about 500 a second, so the stream runs for about 6 s. */
  private static final int PER_TICK = 5;
  private static final long TICK_MS = 10;
  /** Handlers reply this late, so that a process always has entries delivered and not yet acknowledged. */
  private static final long REPLY_DELAY_MS = 50;
  private static final long CLAIM_IDLE_MS = 1_000;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  @Test
  void survivorDeliversEverythingAKilledProcessLeftPending(Vertx vertx) {
    String prefix = freshPrefix();
    String stream = prefix + ":events";
    String group = fresh("g");
    String address = fresh("addr");
    String baseA = fresh("a");
    String baseB = fresh("b");
    Path outA = dir.resolve("a.out");
    Path outB = dir.resolve("b.out");

    try (TestRedis server = TestRedis.startOwn();
         ChildProcess a = startChild("a", config(server, prefix, group, address, baseA), outA);
         ChildProcess b = startChild("b", config(server, prefix, group, address, baseB), outB)) {
      a.awaitOutput(ChildMain.READY, START_TIMEOUT);
      b.awaitOutput(ChildMain.READY, START_TIMEOUT);
      Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url())
        .setMaxPoolSize(8).setMaxPoolWaiting(MESSAGES));

      Set<String> published = ConcurrentHashMap.newKeySet();
      Promise<Void> allPublished = publishSteadily(vertx, redis, stream, published);

      until("half of the entries published", () -> published.size() >= MESSAGES / 2);
      until("process a handled entries", () -> DeliveryLog.read(List.of(outA), DeliveryLog.BY_ID).delivered() > 0);
      a.kill();
      // A round trip first, so that Redis has handled all that the dead process sent before it died.
      cmd(redis, "PING");
      List<String> leftByA = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        leftByA.addAll(pendingIds(redis, stream, group, baseA + "-" + i));
      }
      System.out.println("killed process a with " + leftByA.size() + " entries pending to it");

      await(allPublished.future());
      try {
        until("every entry delivered and acknowledged", DRAIN_TIMEOUT, () -> pending(redis, stream, group) == 0
          && DeliveryLog.read(List.of(outA, outB), DeliveryLog.BY_ID).distinct() >= MESSAGES);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; pending " + pending(redis, stream, group) + "\n" + b.tail(), e);
      }
      b.terminate();
      assertTrue(b.awaitExit(STOP_TIMEOUT), () -> "process b did not stop on SIGTERM\n" + b.tail());

      DeliveryLog all = DeliveryLog.read(List.of(outA, outB), DeliveryLog.BY_ID);
      DeliveryLog byB = DeliveryLog.read(List.of(outB), DeliveryLog.BY_ID);
      long lost = published.stream().filter(id -> !all.contains(id)).count();
      System.out.printf("published=%d delivered=%d distinct=%d duplicates=%d lost=%d%n", published.size(),
        all.delivered(), all.distinct(), all.duplicates(), lost);

      assertEquals(MESSAGES, published.size());
      assertEquals(0, lost, "entries published and never delivered");
      assertTrue(published.containsAll(all.keys()), "a delivered id that was never published");
      assertEquals(0, all.unreadable(), "unreadable lines in the out files");
      assertEquals(0, pending(redis, stream, group), "entries still pending in the group");
      assertFalse(leftByA.isEmpty(), "process a was killed with nothing pending: the test proved nothing");
      assertTrue(leftByA.stream().allMatch(byB::contains), "entries pending to the killed process that b did not"
        + " deliver: " + leftByA.stream().filter(id -> !byB.contains(id)).toList());
    }
  }

  private ChildProcess startChild(String name, JsonObject config, Path out) {
    String classpath = ChildProcess.orionJar() + File.pathSeparator + ChildProcess.testClasses();
    return ChildProcess.start(name, ChildProcess.javaMain(classpath, ChildMain.class, config.encode(),
      out.toString(), Long.toString(REPLY_DELAY_MS)), dir, Map.of());
  }

  private static JsonObject config(TestRedis redis, String prefix, String group, String address, String base) {
    return new JsonObject()
      .put("redis", new JsonObject().put("connectionString", redis.url()))
      .put("streamPrefix", prefix)
      .put("shutdownTimeoutMs", 5_000)
      .put("consumers", new JsonArray().add(new JsonObject()
        .put("contract", "event")
        .put("group", group)
        .put("address", address)
        .put("consumer", base)
        .put("instances", 2)
        .put("blockMs", 100)
        .put("handlerTimeoutMs", 500)
        .put("claimIdleMs", CLAIM_IDLE_MS)));
  }

  /** Raw {@code XADD stream * data {"n":i}}, PER_TICK every TICK_MS; completes when all are in Redis. */
  private static Promise<Void> publishSteadily(Vertx vertx, Redis redis, String stream, Set<String> published) {
    Promise<Void> done = Promise.promise();
    AtomicInteger sent = new AtomicInteger();
    vertx.setPeriodic(TICK_MS, timer -> {
      for (int k = 0; k < PER_TICK && sent.get() < MESSAGES; k++) {
        int n = sent.getAndIncrement();
        redis.send(Request.cmd(Command.XADD).arg(stream).arg("*")
            .arg("data").arg(new JsonObject().put("n", n).encode()))
          .onSuccess(id -> {
            published.add(id.toString());
            if (published.size() == MESSAGES) {
              done.tryComplete();
            }
          })
          .onFailure(done::tryFail);
      }
      if (sent.get() >= MESSAGES) {
        vertx.cancelTimer(timer);
      }
    });
    return done;
  }

  /** The ids pending to one consumer ({@code XPENDING} extended form). */
  private static List<String> pendingIds(Redis redis, String stream, String group, String consumer) {
    List<String> ids = new ArrayList<>();
    for (Response row : cmd(redis, "XPENDING", stream, group, "-", "+", MESSAGES, consumer)) {
      ids.add(row.get(0).toString());
    }
    return ids;
  }
}
