package io.orion.bus.support;

import io.orion.bus.BusVerticle;
import io.orion.bus.redis.StreamEntry;
import io.orion.bus.redis.StreamReplies;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the bus tests share: fresh names, blocking waits on futures and conditions (bounded, never a bare
 * sleep), raw Redis commands for assertions, and configs with short timings.
 */
public final class BusTesting {

  /** The longest a test waits for one future or condition. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private BusTesting() {
  }

  /** A fresh stream prefix, e.g. {@code t-1f3a9c2b}: each test works on streams no other test touches. */
  public static String freshPrefix() {
    return "t-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A fresh name (group, consumer base, address). */
  public static String fresh(String what) {
    return what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Waits for a future from the test thread and returns its result, or throws its failure. */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("future not completed within " + TIMEOUT, e);
    }
  }

  /** Waits for a future that must fail, and returns its failure. */
  public static Throwable awaitFailure(Future<?> future) {
    Future<?> settled = future.transform(ar -> Future.succeededFuture(ar));
    io.vertx.core.AsyncResult<?> result = (io.vertx.core.AsyncResult<?>) await(settled);
    if (result.succeeded()) {
      throw new AssertionError("expected a failure, got " + result.result());
    }
    return result.cause();
  }

  /** Polls a condition every 10 ms until it holds, or fails after {@code timeout}. */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not true within " + timeout + ": " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what, e);
      }
    }
  }

  /** {@link #until(String, Duration, BooleanSupplier)} with {@link #TIMEOUT}. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, TIMEOUT, condition);
  }

  /** Sends one raw command, e.g. {@code cmd(redis, "XLEN", "s")}, and waits for the reply. */
  public static Response cmd(Redis redis, String command, Object... args) {
    Request request = Request.cmd(Command.create(command));
    for (Object arg : args) {
      request.arg(String.valueOf(arg));
    }
    return await(redis.send(request));
  }

  /** {@code XLEN}. */
  public static long length(Redis redis, String stream) {
    return cmd(redis, "XLEN", stream).toLong();
  }

  /** The number of entries pending in a group ({@code XPENDING} summary), 0 when the group is gone. */
  public static long pending(Redis redis, String stream, String group) {
    return cmd(redis, "XPENDING", stream, group).get(0).toLong();
  }

  /** Every entry of a stream, oldest first. */
  public static List<StreamEntry> entries(Redis redis, String stream) {
    return StreamReplies.entries(cmd(redis, "XRANGE", stream, "-", "+"));
  }

  /** Every field of every entry of a stream (all fields, not only data and meta), oldest first. */
  public static List<Map<String, String>> rawEntries(Redis redis, String stream) {
    List<Map<String, String>> result = new ArrayList<>();
    for (Response entry : cmd(redis, "XRANGE", stream, "-", "+")) {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("_id", entry.get(0).toString());
      Response values = entry.get(1);
      for (int i = 0; i + 1 < values.size(); i += 2) {
        fields.put(values.get(i).toString(), values.get(i + 1).toString());
      }
      result.add(fields);
    }
    return result;
  }

  /** The consumer names of a group ({@code XINFO CONSUMERS}), in RESP2 or RESP3 shape. */
  public static List<String> consumers(Redis redis, String stream, String group) {
    List<String> names = new ArrayList<>();
    for (Response consumer : cmd(redis, "XINFO", "CONSUMERS", stream, group)) {
      names.add(field(consumer, "name"));
    }
    return names;
  }

  /** The group names of a stream ({@code XINFO GROUPS}). */
  public static List<String> groups(Redis redis, String stream) {
    List<String> names = new ArrayList<>();
    for (Response group : cmd(redis, "XINFO", "GROUPS", stream)) {
      names.add(field(group, "name"));
    }
    return names;
  }

  private static String field(Response info, String name) {
    Response value = StreamReplies.infoField(info, name);
    if (value == null) {
      throw new AssertionError("no field " + name + " in " + info);
    }
    return value.toString();
  }

  /** A standalone publisher's config on {@code redis} with the prefix and address given. */
  public static JsonObject publisherConfig(TestRedis redis, String prefix, String address) {
    return new JsonObject()
      .put("redis", new JsonObject().put("connectionString", redis.url()))
      .put("streamPrefix", prefix)
      .put("address", address)
      .put("shutdownTimeoutMs", 5_000)
      .put("publishTimeoutMs", 2_000);
  }

  /**
   * A standalone consumer's config on {@code redis} with short timings: blockMs 100, shutdownTimeoutMs 5000,
   * handlerTimeoutMs 2000, claimIdleMs 60000 (no reclaim unless a test lowers it).
   */
  public static JsonObject consumerConfig(TestRedis redis, String prefix, String contract, String group,
                                          String address) {
    return new JsonObject()
      .put("redis", new JsonObject().put("connectionString", redis.url()))
      .put("streamPrefix", prefix)
      .put("contract", contract)
      .put("group", group)
      .put("address", address)
      .put("consumer", fresh("c"))
      .put("blockMs", 100)
      .put("shutdownTimeoutMs", 5_000)
      .put("handlerTimeoutMs", 2_000);
  }

  /**
   * Undeploys every deployment and waits for them, whether their stops succeed or fail: the bus stops first, before
   * what it talks to (a forwarder on the same Vert.x) closes under it.
   */
  public static void undeployAll(Vertx vertx) {
    await(Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()).otherwiseEmpty());
  }

  /** Deploys a verticle with a config and instances, and waits for it; returns the deployment id. */
  public static String deploy(Vertx vertx, Class<? extends Deployable> verticle, JsonObject config, int instances) {
    return await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config).setInstances(instances)));
  }

  /**
   * A {@code BusVerticle} config with the {@code redis} section given: publisher at {@code {prefix}.publish}, the
   * consumers given, short timings, no HTTP section.
   */
  public static JsonObject busConfig(JsonObject redisSection, String prefix, JsonArray consumers) {
    return new JsonObject()
      .put("redis", redisSection)
      .put("streamPrefix", prefix)
      .put("blockMs", 100)
      .put("shutdownTimeoutMs", 5_000)
      .put("publisher", new JsonObject().put("address", prefix + ".publish"))
      .put("consumers", consumers);
  }

  /** {@link #busConfig(JsonObject, String, JsonArray)} on a test Redis. */
  public static JsonObject busConfig(TestRedis redis, String prefix, JsonArray consumers) {
    return busConfig(new JsonObject().put("connectionString", redis.url()), prefix, consumers);
  }

  /** Deploys a {@code BusVerticle} and returns its deployment id. */
  public static String deployBus(Vertx vertx, JsonObject config) {
    return await(vertx.deployVerticle(BusVerticle.class, new DeploymentOptions().setConfig(config)));
  }
}
