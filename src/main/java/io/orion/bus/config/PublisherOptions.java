package io.orion.bus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The config of a {@code PublisherVerticle}, flat as a standalone deployment takes it.
 *
 * @param redis             the Redis client options
 * @param streamPrefix      the prefix of every stream key. By default {@code orion}.
 * @param maxLen            the approximate length streams are trimmed to on each publish; 0 means no
 *                          trimming. By default 10000 entries.
 * @param shutdownTimeoutMs the time undeploy may take. The value is in milliseconds. By default 25 seconds.
 * @param publishTimeoutMs  the time Redis has to answer an {@code XADD} before the request fails with 503.
 *                          The value is in milliseconds. By default 5 seconds.
 * @param maxMessageBytes   the largest {@code data} accepted, as UTF-8 JSON text, metadata not counted.
 *                          By default 1 MiB.
 * @param maxQueuedBytes    the most {@code data} bytes, summed over the requests of a publisher instance that wait
 *                          for or are in a write to Redis; a request past it is refused with 503, so that a slow
 *                          or silent Redis cannot fill the heap. At least {@code maxMessageBytes}. By default 64 MiB.
 * @param address           the event-bus address publish requests are sent to. By default {@code orion.publish}.
 * @param instances         how many instances {@code BusVerticle} deploys. By default 1.
 * @param contracts         the only contract types accepted, in config order, or null for any valid one. Every
 *                          other contract is refused with 400. By default null.
 * @param maxContracts      without {@code contracts}, the most distinct contract types the publishers of this
 *                          process write under this stream prefix (each has a stream, counters and metric series
 *                          kept for the life of the process); a new one past it is refused with 400. By default 256.
 */
public record PublisherOptions(RedisSettings redis, String streamPrefix, long maxLen, long shutdownTimeoutMs,
                               long publishTimeoutMs, int maxMessageBytes, long maxQueuedBytes, String address,
                               int instances, Set<String> contracts, int maxContracts) {

  public static final String DEFAULT_STREAM_PREFIX = "orion";
  public static final long DEFAULT_MAX_LEN = 10_000;
  public static final long DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;
  public static final long DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
  public static final long DEFAULT_MAX_QUEUED_BYTES = 67_108_864;
  public static final String DEFAULT_ADDRESS = "orion.publish";
  public static final int DEFAULT_INSTANCES = 1;
  public static final int DEFAULT_MAX_CONTRACTS = 256;

  /** The keys a standalone publisher takes. */
  public static final Set<String> KEYS = Set.of("redis", "streamPrefix", "maxLen", "shutdownTimeoutMs",
    "publishTimeoutMs", "maxMessageBytes", "maxQueuedBytes", "address", "instances", "contracts", "maxContracts");

  /** The keys of a {@code publisher} section that the top level may give for every section. */
  static final Set<String> INHERITED = Set.of("redis", "streamPrefix", "maxLen", "shutdownTimeoutMs",
    "publishTimeoutMs", "maxMessageBytes", "maxQueuedBytes", "contracts", "maxContracts");

  public PublisherOptions {
    contracts = contracts == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(contracts));
  }

  /** Validates a standalone publisher's config; unknown keys are rejected. */
  public static PublisherOptions fromJson(JsonObject json) {
    return fromJson(json, "", Set.of());
  }

  static PublisherOptions fromJson(JsonObject json, String where, Set<String> fromTop) {
    ConfigReader in = new ConfigReader(json, where, fromTop);
    in.rejectUnknown(KEYS);
    int maxMessageBytes = in.intAtLeast("maxMessageBytes", DEFAULT_MAX_MESSAGE_BYTES, 1);
    // Below maxMessageBytes, a message of a size in between could never be queued: a 503 for ever.
    long maxQueuedBytes = in.longAtLeast("maxQueuedBytes", Math.max(DEFAULT_MAX_QUEUED_BYTES, maxMessageBytes), 1);
    if (maxQueuedBytes < maxMessageBytes) {
      throw in.invalid("maxQueuedBytes", "must be >= maxMessageBytes (" + maxMessageBytes + "), got "
        + maxQueuedBytes);
    }
    return new PublisherOptions(
      RedisSettings.fromJson(in.object("redis")),
      in.token("streamPrefix", DEFAULT_STREAM_PREFIX),
      in.longAtLeast("maxLen", DEFAULT_MAX_LEN, 0),
      in.longAtLeast("shutdownTimeoutMs", DEFAULT_SHUTDOWN_TIMEOUT_MS, 1),
      in.longAtLeast("publishTimeoutMs", DEFAULT_PUBLISH_TIMEOUT_MS, 1),
      maxMessageBytes,
      maxQueuedBytes,
      in.string("address", DEFAULT_ADDRESS),
      in.intAtLeast("instances", DEFAULT_INSTANCES, 1),
      contracts(in),
      in.intAtLeast("maxContracts", DEFAULT_MAX_CONTRACTS, 1));
  }

  /** The allow-list: absent is null (any contract); present, a non-empty array of contract types. */
  private static Set<String> contracts(ConfigReader in) {
    if (!in.has("contracts")) {
      return null;
    }
    JsonArray list = in.array("contracts");
    if (list.isEmpty()) {
      throw in.invalid("contracts", "must name at least one contract type (leave it out to accept any)");
    }
    Set<String> contracts = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Object contract = list.getValue(i);
      if (!(contract instanceof String name) || !Names.isValidContract(name)) {
        throw in.invalid("contracts", "element " + i + " is not a contract type (" + Names.CONTRACT.pattern()
          + "), got " + (contract instanceof String ? "\"" + contract + "\"" : String.valueOf(contract)));
      }
      contracts.add(name);
    }
    return contracts;
  }

  /** The flat config a standalone publisher takes back with {@link #fromJson(JsonObject)}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("redis", redis.json())
      .put("streamPrefix", streamPrefix)
      .put("maxLen", maxLen)
      .put("shutdownTimeoutMs", shutdownTimeoutMs)
      .put("publishTimeoutMs", publishTimeoutMs)
      .put("maxMessageBytes", maxMessageBytes)
      .put("maxQueuedBytes", maxQueuedBytes)
      .put("address", address)
      .put("instances", instances)
      .put("maxContracts", maxContracts);
    return contracts == null ? json : json.put("contracts", new JsonArray(new ArrayList<>(contracts)));
  }
}
