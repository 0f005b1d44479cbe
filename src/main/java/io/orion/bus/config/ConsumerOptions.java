package io.orion.bus.config;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The config of a {@code ConsumerVerticle}: one entry of {@code consumers}, flat as a standalone
 * deployment takes it.
 *
 * @param redis             the Redis client options
 * @param streamPrefix      the prefix of every stream key. By default {@code orion}.
 * @param shutdownTimeoutMs the time undeploy may take. The value is in milliseconds. By default 25 seconds.
 * @param contract          the contract type; the stream is {@code {streamPrefix}:{contract}s}. Required.
 * @param group             the consumer group. Required.
 * @param address           the event-bus address entries are delivered to. By default
 *                          {@code {streamPrefix}.{contract}s}.
 * @param instances         how many instances {@code BusVerticle} deploys. By default 1; at most
 *                          {@code maxInstances}.
 * @param maxInstances      the most instances {@code BusVerticle} runs of this entry, from {@code instances} or
 *                          from a scaling request, so that no request can start an unbounded number of
 *                          consumers. By default {@value #DEFAULT_MAX_INSTANCES}.
 * @param count             the most entries one read fetches. By default 10.
 * @param blockMs           how long a read waits for new entries. The value is in milliseconds. By default 1 second.
 * @param maxInFlight       the most deliveries of one instance awaiting a reply. By default 32.
 * @param handlerTimeoutMs  the send timeout of each delivery. The value is in milliseconds. By default 20 seconds,
 *                          within the default {@code shutdownTimeoutMs}, so that a stop can wait out the slowest
 *                          delivery.
 * @param claimIdleMs       how long an entry stays pending before any consumer reclaims it. The value is in
 *                          milliseconds. By default 60 seconds.
 * @param maxDeliveries     how many failed deliveries send an entry to the dead-letter stream. By default 5.
 * @param startFrom         where a new group starts: {@code 0} (every retained entry) or {@code $}. By default 0.
 * @param consumer          the consumer-name base; instance i is {@code {consumer}-{i}}. By default
 *                          {@code {host name}-{pid}}.
 * @param consumerIdleMs    how long a consumer with nothing pending may stay idle before it is removed from the
 *                          group. The value is in milliseconds. By default 10 minutes.
 * @param maxMessageBytes   the largest {@code data} an entry may hold, in bytes, as the publisher's key of the same
 *                          name caps it on publish: an entry whose data is larger (written by another producer) is
 *                          dead-lettered at once. By default 1 MiB.
 */
public record ConsumerOptions(RedisSettings redis, String streamPrefix, long shutdownTimeoutMs, String contract,
                              String group, String address, int instances, int maxInstances, int count, long blockMs, int maxInFlight,
                              long handlerTimeoutMs, long claimIdleMs, int maxDeliveries, String startFrom,
                              String consumer, long consumerIdleMs, int maxMessageBytes) {

  public static final int DEFAULT_INSTANCES = 1;
  public static final int DEFAULT_MAX_INSTANCES = 64;
  public static final int DEFAULT_COUNT = 10;
  public static final long DEFAULT_BLOCK_MS = 1_000;
  public static final int DEFAULT_MAX_IN_FLIGHT = 32;
  public static final long DEFAULT_HANDLER_TIMEOUT_MS = 20_000;
  public static final long DEFAULT_CLAIM_IDLE_MS = 60_000;
  public static final int DEFAULT_MAX_DELIVERIES = 5;
  public static final String DEFAULT_START_FROM = "0";
  public static final long DEFAULT_CONSUMER_IDLE_MS = 600_000;
  /** The publisher's default: what one end writes, the other reads. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = PublisherOptions.DEFAULT_MAX_MESSAGE_BYTES;

  /** The keys a standalone consumer takes. */
  public static final Set<String> KEYS = Set.of("redis", "streamPrefix", "shutdownTimeoutMs", "contract", "group",
    "address", "instances", "maxInstances", "count", "blockMs", "maxInFlight", "handlerTimeoutMs", "claimIdleMs",
    "maxDeliveries", "startFrom", "consumer", "consumerIdleMs", "maxMessageBytes");

  /** The keys of a consumer that the top level may give for every section. */
  static final Set<String> INHERITED = Set.of("redis", "streamPrefix", "shutdownTimeoutMs", "maxInstances", "count",
    "blockMs", "maxInFlight", "handlerTimeoutMs", "claimIdleMs", "maxDeliveries", "startFrom", "consumerIdleMs",
    "maxMessageBytes");

  /** Validates a standalone consumer's config; unknown keys are rejected. */
  public static ConsumerOptions fromJson(JsonObject json) {
    return fromJson(json, "", Set.of());
  }

  static ConsumerOptions fromJson(JsonObject json, String where, Set<String> fromTop) {
    ConfigReader in = new ConfigReader(json, where, fromTop);
    in.rejectUnknown(KEYS);
    String streamPrefix = in.token("streamPrefix", PublisherOptions.DEFAULT_STREAM_PREFIX);
    String contract = in.string("contract", null);
    if (!Names.isValidContract(contract)) {
      throw in.invalid("contract", Secrets.describe(contract) + " does not match " + Names.CONTRACT.pattern());
    }
    String startFrom = in.string("startFrom", DEFAULT_START_FROM);
    if (!"0".equals(startFrom) && !"$".equals(startFrom)) {
      throw in.invalid("startFrom", "expected \"0\" or \"$\", got " + Secrets.describe(startFrom));
    }
    int maxInstances = in.intAtLeast("maxInstances", DEFAULT_MAX_INSTANCES, 1);
    int instances = in.intAtLeast("instances", DEFAULT_INSTANCES, 1);
    if (instances > maxInstances) {
      throw in.invalid("instances", "must be <= " + in.name("maxInstances") + " (" + maxInstances + "), got "
        + instances);
    }
    return new ConsumerOptions(
      RedisSettings.fromJson(in.object("redis")),
      streamPrefix,
      in.longAtLeast("shutdownTimeoutMs", PublisherOptions.DEFAULT_SHUTDOWN_TIMEOUT_MS, 1),
      contract,
      in.string("group", null),
      in.string("address", Names.address(streamPrefix, contract)),
      instances,
      maxInstances,
      in.intAtLeast("count", DEFAULT_COUNT, 1),
      in.longAtLeast("blockMs", DEFAULT_BLOCK_MS, 1),
      in.intAtLeast("maxInFlight", DEFAULT_MAX_IN_FLIGHT, 1),
      in.longAtLeast("handlerTimeoutMs", DEFAULT_HANDLER_TIMEOUT_MS, 1),
      in.longAtLeast("claimIdleMs", DEFAULT_CLAIM_IDLE_MS, 1),
      in.intAtLeast("maxDeliveries", DEFAULT_MAX_DELIVERIES, 1),
      startFrom,
      in.string("consumer", defaultConsumerName()),
      in.longAtLeast("consumerIdleMs", DEFAULT_CONSUMER_IDLE_MS, 1),
      in.intAtLeast("maxMessageBytes", DEFAULT_MAX_MESSAGE_BYTES, 1));
  }

  /**
   * Settings that are legal but work against each other, one sentence each, for a warning at start: they are
   * warned about, not refused.
   */
  public List<String> warnings() {
    List<String> warnings = new ArrayList<>();
    if (handlerTimeoutMs >= claimIdleMs) {
      warnings.add("handlerTimeoutMs " + handlerTimeoutMs + " >= claimIdleMs " + claimIdleMs + ": a slow delivery"
        + " may be reclaimed by another consumer while its handler still works on it");
    }
    if (handlerTimeoutMs >= shutdownTimeoutMs) {
      warnings.add("handlerTimeoutMs " + handlerTimeoutMs + " >= shutdownTimeoutMs " + shutdownTimeoutMs + ": a stop"
        + " that waits for a slow delivery may time out (what it leaves unacknowledged stays pending)");
    }
    return warnings;
  }

  /** The stream this consumer reads, e.g. {@code orion:events}. */
  public String stream() {
    return Names.stream(streamPrefix, contract);
  }

  /** The flat config a standalone consumer takes back with {@link #fromJson(JsonObject)}. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("redis", redis.json())
      .put("streamPrefix", streamPrefix)
      .put("shutdownTimeoutMs", shutdownTimeoutMs)
      .put("contract", contract)
      .put("group", group)
      .put("address", address)
      .put("instances", instances)
      .put("maxInstances", maxInstances)
      .put("count", count)
      .put("blockMs", blockMs)
      .put("maxInFlight", maxInFlight)
      .put("handlerTimeoutMs", handlerTimeoutMs)
      .put("claimIdleMs", claimIdleMs)
      .put("maxDeliveries", maxDeliveries)
      .put("startFrom", startFrom)
      .put("consumer", consumer)
      .put("consumerIdleMs", consumerIdleMs)
      .put("maxMessageBytes", maxMessageBytes);
  }

  /** {@code {host name}-{pid}}: unique per process, so a restarted process never takes over a dead one's name. */
  static String defaultConsumerName() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "orion";
      }
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
