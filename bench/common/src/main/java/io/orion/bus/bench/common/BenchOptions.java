package io.orion.bus.bench.common;


import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of the benchmarks ({@code scripts/bench} for orion-bus, {@code scripts/bench-lettuce} for the
 * hand-tuned Lettuce baseline), one meaning for both. Given as {@code --name value} or {@code --name=value}.
 *
 * @param messages           messages measured. By default 200000.
 * @param producers          concurrent publishers. By default 2.
 * @param consumers          consumer instances. By default 4.
 * @param count              entries per read. By default 100, the read of the hand-tuned Lettuce pipeline
 *                           that the issue takes as the reference; 0 means the implementation's default
 *                           (orion-bus: its config default, 10; Lettuce: 100).
 * @param maxInFlight        orion-bus deliveries awaiting a reply per instance. By default 200, room for two
 *                           reads of 100; 0 means the bus's config default, 32.
 * @param rate               total publish rate in messages per second; 0 means as fast as the window allows.
 *                           At a fixed rate, latency is measured from each message's intended send time, so
 *                           that a stall is not hidden by sending later (coordinated omission).
 * @param payloadBytes       the size of each message's data, as JSON text. By default 200.
 * @param maxLen             {@code MAXLEN ~} of every XADD; 0 means no trimming. By default 100000.
 * @param warmup             messages run first, at the same rate, and not counted. By default 200000: on a
 *                           2-core machine fewer leave the JIT compiling into the measured phase.
 * @param window             publish requests each producer keeps awaiting a reply at most. By default 256.
 * @param handlers           orion-bus: handler verticle instances replying on the delivery address. By
 *                           default 1.
 * @param publisherInstances orion-bus: PublisherVerticle instances. By default 1.
 * @param eventLoops         orion-bus: Vert.x event-loop threads; 0 means Vert.x's default (twice the cores).
 * @param csv                a file to append one row of results to, or null
 * @param redisUrl           the Redis to use. By default env {@code REDIS_URL}, else
 *                           {@code redis://127.0.0.1:6379}.
 * @param stallSeconds       how long a phase may go without a new delivery before it is given up (and what
 *                           is missing counts as lost). The value is in seconds. By default 30.
 * @param heapEverySeconds   print the heap after a full GC and the RSS this often during the measured phase,
 *                           to show whether memory grows in a long run; 0 means never. The value is in seconds.
 * @param eventBusOnly       orion-bus: the same event-bus hops, codecs and JSON work without Redis (the floor of
 *                           any event-bus bridge of this contract); {@code --event-bus-only 1}. By default 0.
 */
public record BenchOptions(int messages, int producers, int consumers, int count, int maxInFlight, int rate,
                           int payloadBytes, long maxLen, int warmup, int window, int handlers,
                           int publisherInstances, int eventLoops, String csv, String redisUrl,
                           int stallSeconds, int heapEverySeconds, boolean eventBusOnly) {

  public static final String USAGE = String.join("\n",
    "options (--name value or --name=value):",
    "  --messages N          messages measured (default 200000)",
    "  --producers N         concurrent publishers (default 2)",
    "  --consumers N         consumer instances (default 4)",
    "  --count N             entries per read (default 100; 0 = the implementation's: orion-bus 10, lettuce 100)",
    "  --max-in-flight N     orion-bus deliveries awaiting a reply per instance (default 200; 0 = the bus's, 32)",
    "  --rate N              total publishes per second, 0 = as fast as possible (default 0)",
    "  --payload-bytes N     size of each message's data as JSON text (default 200)",
    "  --maxlen N            XADD MAXLEN ~ N, 0 = no trimming (default 100000)",
    "  --warmup N            messages run first, at the same rate, and not counted (default 200000)",
    "  --window N            publish requests in flight per producer at most (default 256)",
    "  --handlers N          orion-bus handler verticle instances (default 1)",
    "  --publisher-instances N  orion-bus PublisherVerticle instances (default 1)",
    "  --event-loops N       orion-bus Vert.x event-loop threads (default: Vert.x's, twice the cores)",
    "  --csv FILE            append rate,throughput,p50_us,p99_us,p999_us,cpu_us_per_msg to FILE",
    "  --redis URL           Redis URL (default env REDIS_URL, else redis://127.0.0.1:6379)",
    "  --stall-seconds N     give a phase up after N s without a delivery (default 30)",
    "  --heap-every N        print heap after GC and RSS every N s of the measured phase (default 0 = never)",
    "  --event-bus-only 1    orion-bus: the same event-bus hops and JSON work with no Redis (default 0)");

  public BenchOptions {
    atLeast("messages", messages, 1);
    atLeast("producers", producers, 1);
    atLeast("consumers", consumers, 1);
    atLeast("count", count, 0);
    atLeast("max-in-flight", maxInFlight, 0);
    atLeast("rate", rate, 0);
    atLeast("payload-bytes", payloadBytes, 0);
    atLeast("maxlen", maxLen, 0);
    atLeast("warmup", warmup, 0);
    atLeast("window", window, 1);
    atLeast("handlers", handlers, 1);
    atLeast("publisher-instances", publisherInstances, 1);
    atLeast("event-loops", eventLoops, 0);
    atLeast("stall-seconds", stallSeconds, 1);
    atLeast("heap-every", heapEverySeconds, 0);
  }

  /**
   * Parses the command line.
   *
   * @throws IllegalArgumentException naming the option that is unknown or wrong, with the usage
   */
  public static BenchOptions parse(String[] args) {
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("expected an option, got '" + arg + "'\n" + USAGE);
      }
      int eq = arg.indexOf('=');
      if (eq > 0) {
        given.put(arg.substring(2, eq), arg.substring(eq + 1));
      } else if (i + 1 < args.length) {
        given.put(arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("option " + arg + " needs a value\n" + USAGE);
      }
    }
    Reader in = new Reader(given);
    String env = System.getenv("REDIS_URL");
    BenchOptions options = new BenchOptions(
      in.integer("messages", 200_000),
      in.integer("producers", 2),
      in.integer("consumers", 4),
      in.integer("count", 100),
      in.integer("max-in-flight", 200),
      in.integer("rate", 0),
      in.integer("payload-bytes", 200),
      in.integer("maxlen", 100_000),
      in.integer("warmup", 200_000),
      in.integer("window", 256),
      in.integer("handlers", 1),
      in.integer("publisher-instances", 1),
      in.integer("event-loops", 0),
      given.remove("csv"),
      given.getOrDefault("redis", env == null || env.isBlank() ? "redis://127.0.0.1:6379" : env.trim()),
      in.integer("stall-seconds", 30),
      in.integer("heap-every", 0),
      in.integer("event-bus-only", 0) == 1);
    given.remove("redis");
    if (!given.isEmpty()) {
      throw new IllegalArgumentException("unknown option --" + given.keySet().iterator().next() + "\n" + USAGE);
    }
    return options;
  }

  /** The options as one line, for the head of the output. */
  public String describe(String implementation, String countDefault, String maxInFlightDefault) {
    return implementation + " bench: messages=" + messages + " warmup=" + warmup + " producers=" + producers
      + " window=" + window + " consumers=" + consumers
      + " count=" + (count == 0 ? countDefault : count)
      + (maxInFlightDefault == null ? "" : " max-in-flight=" + (maxInFlight == 0 ? maxInFlightDefault : maxInFlight))
      + " rate=" + (rate == 0 ? "max" : rate + "/s") + " payload-bytes=" + payloadBytes + " maxlen=" + maxLen
      + " redis=" + RedisProbe.describe(redisUrl);
  }

  private static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException("--" + name + " must be at least " + min + ", got " + value);
    }
  }

  /** Takes options out of the map as they are read, so that what is left is unknown. */
  private record Reader(Map<String, String> given) {
    int integer(String name, int fallback) {
      String value = given.remove(name);
      if (value == null) {
        return fallback;
      }
      try {
        return Integer.parseInt(value.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " expects a whole number, got '" + value + "'");
      }
    }
  }
}
