package io.orion.bus.it;

import io.orion.bus.publish.PublisherVerticle;
import io.orion.bus.support.TestRedis;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak run by {@code scripts/soak}: its own redis-server (AOF, fsync every second), consumer processes
 * ({@link ChildMain}, two at a time), and this process publishing through a {@link PublisherVerticle}
 * (retrying what it refuses with 503) plus a raw entry without {@code data} (poison) after every K messages.
 * Meanwhile Redis is restarted R times and one consumer process is killed with SIGKILL (and replaced).
 * At the end it prints one line on stdout:
 * {@code published=… delivered=… distinct=… duplicates=… lost=… dead=… pending=…} where published counts the
 * good messages the publisher confirmed, delivered their deliveries, distinct the messages delivered at least
 * once, lost the published ones never delivered, dead the dead-letter stream's length and pending the group's pending
 * entries. Exit status 0 when nothing was lost, nothing is pending and every poison entry was dead-lettered.
 * Everything else goes to stderr and to log files in the work directory. Every phase is bounded by
 * {@code --max-seconds}; processes it started are stopped on the way out, also on SIGINT/SIGTERM.
 */
public final class Soak {

  private static final String CONTRACT = "event";
  private static final String GROUP = "soak";
  private static final String PUBLISH_ADDRESS = "soak.publish";
  private static final String DELIVERY_ADDRESS = "soak.events";
  /** Publish requests awaiting a reply at once. */
  private static final int WINDOW = 256;
  private static final long RETRY_MS = 200;
  /** Longer than the publisher's publishTimeoutMs, so that publishes fail with 503 and are retried. */
  private static final long REDIS_DOWN_MS = 3_000;
  private static final Duration CHILD_START = Duration.ofSeconds(30);
  private static final Duration CHILD_STOP = Duration.ofSeconds(30);

  private final int messages;
  private final int poisonEvery;
  private final int redisRestarts;
  private final long deadlineNanos;
  private final Path dir;
  private final List<ChildProcess> children = new ArrayList<>();
  private final List<Path> outFiles = new ArrayList<>();
  private final AtomicLong retries = new AtomicLong();
  /** The messages the publisher confirmed. Guarded by itself. */
  private final BitSet confirmed = new BitSet();
  private final String prefix = "soak-" + UUID.randomUUID().toString().substring(0, 8);
  private final String stream = prefix + ":" + CONTRACT + "s";
  private TestRedis server;
  private Vertx vertx;
  private Redis redis;
  private int poisons;
  private volatile String fatal;

  private Soak(SoakOptions options) {
    this.messages = options.messages();
    this.poisonEvery = options.poisonEvery();
    this.redisRestarts = options.redisRestarts();
    this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.maxSeconds());
    this.dir = options.dir();
  }

  public static void main(String[] args) throws Exception {
    SoakOptions options = SoakOptions.parse(args);
    Files.createDirectories(options.dir());
    // Before any logger exists: the bus logs to stdout by default, which holds only the result line here.
    System.setProperty("org.slf4j.simpleLogger.logFile", options.dir().resolve("soak.log").toString());
    Soak soak = new Soak(options);
    Thread cleanup = new Thread(soak::stopAll, "soak-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    int status = soak.run();
    Runtime.getRuntime().removeShutdownHook(cleanup);
    System.exit(status);
  }

  private int run() {
    long started = System.nanoTime();
    try {
      progress("work directory " + dir + "; stream " + stream);
      server = TestRedis.startOwn("--appendonly", "yes", "--appendfsync", "everysec");
      vertx = Vertx.vertx();
      redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url())
        .setMaxPoolSize(4).setMaxPoolWaiting(1_000));
      startConsumers("c1", "c2");
      vertx.deployVerticle(PublisherVerticle.class, new DeploymentOptions().setConfig(publisherConfig()))
        .await(30, TimeUnit.SECONDS);
      publishAll();
      progress("published " + messages + " messages and " + poisons + " poison entries ("
        + retries.get() + " retries); draining");
      awaitDrained();
    } catch (Exception | AssertionError e) {
      fatal = String.valueOf(e);
      progress("soak failed: " + e);
    } finally {
      stopChildren();
    }
    Counts counts = counts();
    boolean ok = fatal == null && counts.published == messages && counts.lost == 0 && counts.pending == 0
      && counts.dead >= poisons;
    stopAll();
    System.out.println(counts.line());
    progress("took " + (System.nanoTime() - started) / 1_000_000_000 + " s; " + (ok ? "OK" : "FAILED"
      + (fatal == null ? "" : ": " + fatal)));
    return ok ? 0 : 1;
  }

  private JsonObject publisherConfig() {
    return new JsonObject()
      .put("redis", new JsonObject().put("connectionString", server.url()))
      .put("streamPrefix", prefix)
      .put("address", PUBLISH_ADDRESS)
      // Nothing trimmed: an entry trimmed before it is read would count as lost.
      .put("maxLen", 0)
      .put("publishTimeoutMs", 2_000)
      .put("shutdownTimeoutMs", 5_000);
  }

  private JsonObject consumerConfig(String base) {
    return new JsonObject()
      .put("redis", new JsonObject().put("connectionString", server.url()))
      .put("streamPrefix", prefix)
      .put("shutdownTimeoutMs", 10_000)
      .put("consumers", new JsonArray().add(new JsonObject()
        .put("contract", CONTRACT)
        .put("group", GROUP)
        .put("address", DELIVERY_ADDRESS)
        .put("consumer", base)
        .put("instances", 2)
        .put("blockMs", 500)
        .put("handlerTimeoutMs", 2_000)
        .put("claimIdleMs", 5_000)));
  }

  private void startConsumers(String... bases) {
    List<ChildProcess> started = new ArrayList<>();
    for (String base : bases) {
      Path out = dir.resolve(base + ".out");
      outFiles.add(out);
      ChildProcess child = ChildProcess.start(base, ChildProcess.javaMain(System.getProperty("java.class.path"),
        ChildMain.class, consumerConfig(base).encode(), out.toString()), dir, Map.of());
      synchronized (children) {
        children.add(child);
      }
      started.add(child);
    }
    started.forEach(child -> child.awaitOutput(ChildMain.READY, CHILD_START));
    progress("consumer processes " + String.join(", ", bases) + " ready");
  }

  /** Publishes every message, the poison entries, and the faults at their points of the run. */
  private void publishAll() throws InterruptedException {
    Semaphore window = new Semaphore(WINDOW);
    List<Integer> restartsAt = new ArrayList<>();
    for (int k = 1; k <= redisRestarts; k++) {
      restartsAt.add((int) ((long) messages * k / (redisRestarts + 1)));
    }
    int killAt = messages / 2;
    for (int n = 0; n < messages; n++) {
      if (restartsAt.contains(n)) {
        restartRedis(restartsAt.indexOf(n) + 1);
      }
      if (n == killAt) {
        killAndReplaceConsumer();
      }
      checkDeadline("publishing message " + n);
      while (!window.tryAcquire(1, TimeUnit.SECONDS)) {
        checkDeadline("publishing message " + n);
      }
      publish(n).onComplete(ar -> window.release());
      if (poisonEvery > 0 && (n + 1) % poisonEvery == 0) {
        poison(n);
      }
      if (fatal != null) {
        throw new IllegalStateException(fatal);
      }
    }
    while (!window.tryAcquire(WINDOW, 1, TimeUnit.SECONDS)) {
      checkDeadline("waiting for the last publishes");
    }
  }

  /** Publishes message n through the publisher, again and again while it answers 503 (or nothing). */
  private Future<Void> publish(int n) {
    Promise<Void> done = Promise.promise();
    JsonObject body = new JsonObject().put("n", n).put("at", System.currentTimeMillis());
    attempt(body, done);
    return done.future();
  }

  private void attempt(JsonObject body, Promise<Void> done) {
    vertx.eventBus().request(PUBLISH_ADDRESS, body, new DeliveryOptions().addHeader("contract", CONTRACT)
        .setSendTimeout(10_000))
      .onSuccess(reply -> {
        synchronized (confirmed) {
          confirmed.set(body.getInteger("n"));
        }
        done.complete();
      })
      .onFailure(e -> {
        if (e instanceof ReplyException reply && reply.failureCode() == PublisherVerticle.BAD_REQUEST) {
          fatal = "publisher refused message " + body.getValue("n") + ": " + e.getMessage();
          done.complete();
        } else if (System.nanoTime() > deadlineNanos) {
          fatal = "deadline passed while retrying message " + body.getValue("n") + ": " + e.getMessage();
          done.complete();
        } else {
          retries.incrementAndGet();
          vertx.setTimer(RETRY_MS, t -> attempt(body, done));
        }
      });
  }

  /** A raw entry without a data field, written until Redis takes it. */
  private void poison(int afterMessage) {
    Request xadd = Request.cmd(Command.XADD).arg(stream).arg("*").arg("poison").arg(afterMessage);
    while (true) {
      checkDeadline("writing a poison entry");
      try {
        call(xadd);
        poisons++;
        return;
      } catch (RuntimeException e) {
        retries.incrementAndGet();
        pause(RETRY_MS);
      }
    }
  }

  private void restartRedis(int which) {
    progress("restarting Redis (" + which + " of " + redisRestarts + ")");
    server.stop();
    // Down for a while, so that clients see refused connections, not only a dropped one.
    pause(REDIS_DOWN_MS);
    server.start();
    progress("Redis is back");
  }

  private void killAndReplaceConsumer() {
    ChildProcess victim;
    synchronized (children) {
      victim = children.get(0);
    }
    progress("killing consumer process " + victim.name() + " (pid " + victim.pid() + ") with SIGKILL");
    victim.kill();
    startConsumers("c" + (outFiles.size() + 1));
  }

  /** Waits until every message was delivered, nothing is pending and every poison entry is dead-lettered. */
  private void awaitDrained() {
    long lastReport = System.nanoTime();
    while (true) {
      checkDeadline("draining");
      long pending = pending();
      if (pending == 0 && deadLetters() >= poisons
        && DeliveryLog.read(outFiles, DeliveryLog.BY_N).distinct() >= messages) {
        return;
      }
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
        lastReport = System.nanoTime();
        progress("draining: " + pending + " pending");
      }
      pause(500);
    }
  }

  private long pending() {
    return call(Request.cmd(Command.XPENDING).arg(stream).arg(GROUP)).get(0).toLong();
  }

  private long deadLetters() {
    return call(Request.cmd(Command.XLEN).arg(stream + ":dead")).toLong();
  }

  private Response call(Request request) {
    try {
      return redis.send(request).await(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Redis did not answer " + request.command() + " within 5 s", e);
    }
  }

  private record Counts(long published, long delivered, long distinct, long lost, long dead, long pending) {
    String line() {
      return "published=" + published + " delivered=" + delivered + " distinct=" + distinct + " duplicates="
        + (delivered - distinct) + " lost=" + lost + " dead=" + dead + " pending=" + pending;
    }
  }

  private Counts counts() {
    DeliveryLog log = DeliveryLog.read(outFiles, DeliveryLog.BY_N);
    BitSet published;
    synchronized (confirmed) {
      published = (BitSet) confirmed.clone();
    }
    long lost = published.stream().filter(n -> !log.contains(String.valueOf(n))).count();
    long dead = -1;
    long pending = -1;
    try {
      dead = deadLetters();
      pending = pending();
    } catch (RuntimeException e) {
      progress("cannot read the dead letters or pending entries: " + e);
    }
    return new Counts(published.cardinality(), log.delivered(), log.distinct(), lost, dead, pending);
  }

  /** SIGTERM to the consumer processes, SIGKILL to those that do not stop in time. */
  private void stopChildren() {
    List<ChildProcess> alive;
    synchronized (children) {
      alive = children.stream().filter(ChildProcess::isAlive).toList();
    }
    alive.forEach(ChildProcess::terminate);
    for (ChildProcess child : alive) {
      if (!child.awaitExit(CHILD_STOP)) {
        progress(child.name() + " did not stop on SIGTERM; killing it");
      }
      child.close();
    }
  }

  /** Stops whatever is still running; safe to call twice, and from the shutdown hook. */
  private synchronized void stopAll() {
    synchronized (children) {
      children.forEach(ChildProcess::close);
    }
    if (vertx != null) {
      try {
        vertx.close().await(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        progress("closing Vert.x failed: " + e);
      }
      vertx = null;
    }
    if (server != null) {
      server.close();
    }
  }

  private void checkDeadline(String what) {
    if (System.nanoTime() > deadlineNanos) {
      throw new IllegalStateException("--max-seconds passed while " + what);
    }
  }

  private static void progress(String message) {
    System.err.println("[soak " + java.time.LocalTime.now().withNano(0) + "] " + message);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
