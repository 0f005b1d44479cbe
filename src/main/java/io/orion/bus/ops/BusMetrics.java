package io.orion.bus.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orion.bus.consume.ConsumerCounters;
import io.orion.bus.publish.PublisherCounters;
import io.vertx.micrometer.backends.BackendRegistries;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The bus's own metrics in a Micrometer registry, named {@code orion_*} in Prometheus and tagged by {@code stream}
 * (and {@code group} for consumers):
 * <ul>
 *   <li>consumer counters, from {@link ConsumerCounters}: {@code orion_delivered_total}, {@code
 *   orion_redelivered_total}, {@code orion_acked_total}, {@code orion_failed_total}, {@code orion_timed_out_total},
 *   {@code orion_no_handler_total}, {@code orion_dead_lettered_total}, {@code orion_poison_total}, {@code
 *   orion_trimmed_total}, {@code orion_reclaimed_total}, {@code orion_reconnects_total}, {@code
 *   orion_groups_recreated_total}, {@code orion_consumers_removed_total}, {@code orion_ack_failures_total}, and the
 *   gauges {@code orion_in_flight} and {@code orion_group_trimmed_unread} (NaN until Redis could tell);</li>
 *   <li>publisher counters, from {@link PublisherCounters} (stream {@code ""} for requests without a valid,
 *   accepted contract; the publisher's {@code contracts} or {@code maxContracts} bound the other streams):
 *   {@code orion_published_total}, {@code orion_publish_rejected_total}, {@code
 *   orion_publish_unavailable_total};</li>
 *   <li>gauges read from {@code XINFO GROUPS}: {@code orion_group_lag} (NaN where Redis cannot tell) and {@code
 *   orion_group_pending}.</li>
 * </ul>
 * Counter sets created after startup (a stream first used later) appear at the next {@link #bindCounters()}.
 */
public final class BusMetrics {

  /** A counter of a counter set: its meter name, help text and the adder it reads. */
  private record CounterMeter<T>(String name, String description, Function<T, LongAdder> adder) {
  }

  private static final List<CounterMeter<ConsumerCounters>> CONSUMER_COUNTERS = List.of(
    new CounterMeter<>("orion.delivered", "Entries given to a handler, redeliveries included", c -> c.delivered),
    new CounterMeter<>("orion.redelivered", "Entries given to a handler again", c -> c.redelivered),
    new CounterMeter<>("orion.acked", "Entries acknowledged after a successful reply", c -> c.acked),
    new CounterMeter<>("orion.failed", "Deliveries that failed: a failure reply or a timeout", c -> c.failed),
    new CounterMeter<>("orion.timed.out", "Deliveries that timed out", c -> c.timedOut),
    new CounterMeter<>("orion.no.handler", "Attempts that found no handler at the address", c -> c.noHandler),
    new CounterMeter<>("orion.dead.lettered", "Entries copied to the dead-letter stream", c -> c.deadLettered),
    new CounterMeter<>("orion.poison", "Entries dead-lettered at once: data missing or not a JSON object",
      c -> c.poison),
    new CounterMeter<>("orion.trimmed", "Pending entries found trimmed or deleted, acknowledged and skipped",
      c -> c.trimmed),
    new CounterMeter<>("orion.reclaimed", "Entries taken over after claimIdleMs", c -> c.reclaimed),
    new CounterMeter<>("orion.reconnects", "Connections to Redis made again after one was lost", c -> c.reconnects),
    new CounterMeter<>("orion.groups.recreated", "Times the group or its stream was created again",
      c -> c.groupsRecreated),
    new CounterMeter<>("orion.consumers.removed", "Idle consumers removed from the group", c -> c.consumersRemoved),
    new CounterMeter<>("orion.ack.failures", "XACK commands that failed", c -> c.ackFailures));

  private static final List<CounterMeter<PublisherCounters>> PUBLISHER_COUNTERS = List.of(
    new CounterMeter<>("orion.published", "Entries written by the publisher", p -> p.published),
    new CounterMeter<>("orion.publish.rejected", "Publish requests refused (400, or 500 should validation fail)",
      p -> p.rejected),
    new CounterMeter<>("orion.publish.unavailable", "Publish requests answered with 503", p -> p.unavailable));

  /**
   * The last values read per stream and group, shared by every registry of the process so that a gauge always
   * reads the holder that is updated (a second registration of a gauge returns the first one).
   */
  private static final Map<List<String>, GroupValues> GROUPS = new ConcurrentHashMap<>();

  private static final class GroupValues {
    volatile double lag = Double.NaN;
    volatile double pending;
  }

  /** Initialization-on-demand holder of the registry used when Vert.x runs without Prometheus metrics. */
  private static final class OwnRegistry {
    static final PrometheusMeterRegistry REGISTRY =
      withJvmMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  private final MeterRegistry registry;
  /** The counter sets and groups whose meters this instance registered (Micrometer warns of a second time). */
  private final Set<Object> registered = ConcurrentHashMap.newKeySet();

  public BusMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * The registry {@code GET /metrics} serves: the Vert.x metrics registry when Vert.x runs with Micrometer and
   * Prometheus under the default registry name (as {@link OrionApplication} starts it), so that Vert.x, JVM and
   * bus metrics come out together; otherwise one registry of this process's own, with JVM metrics.
   */
  public static PrometheusMeterRegistry prometheusRegistry() {
    return BackendRegistries.getDefaultNow() instanceof PrometheusMeterRegistry vertxRegistry ? vertxRegistry
      : OwnRegistry.REGISTRY;
  }

  /** Registers the meters of the counter sets created since the last call (all of them at the first), cheaply. */
  public void bindCounters() {
    for (ConsumerCounters counters : ConsumerCounters.all()) {
      if (registered.add(counters)) {
        Tags tags = Tags.of("stream", counters.stream(), "group", counters.group());
        CONSUMER_COUNTERS.forEach(meter -> register(meter, counters, tags));
        Gauge.builder("orion.in.flight", counters, c -> c.inFlight.sum())
          .description("Deliveries awaiting a reply now").tags(tags).strongReference(true).register(registry);
        Gauge.builder("orion.group.trimmed.unread", counters, ConsumerCounters::trimmedUnread)
          .description("Entries trimmed before the group read them, as Redis last told (NaN: not told yet)")
          .tags(tags).strongReference(true).register(registry);
      }
    }
    PublisherCounters.all().forEach((stream, counters) -> {
      if (registered.add(counters)) {
        PUBLISHER_COUNTERS.forEach(meter -> register(meter, counters, Tags.of("stream", stream)));
      }
    });
  }

  /**
   * Records what {@code XINFO GROUPS} says of a group, for the gauges {@code orion_group_lag} and
   * {@code orion_group_pending}.
   *
   * @param lag null where Redis cannot tell
   */
  public void recordGroup(String stream, String group, Long lag, long pending) {
    GroupValues values = GROUPS.computeIfAbsent(List.of(stream, group), k -> new GroupValues());
    values.lag = lag == null ? Double.NaN : lag;
    values.pending = pending;
    if (!registered.add(values)) {
      return;
    }
    Tags tags = Tags.of("stream", stream, "group", group);
    Gauge.builder("orion.group.lag", values, v -> v.lag).description("Entries of the stream not yet delivered to"
      + " the group (NaN where Redis cannot tell)").tags(tags).strongReference(true).register(registry);
    Gauge.builder("orion.group.pending", values, v -> v.pending).description("Entries delivered to the group and"
      + " not yet acknowledged").tags(tags).strongReference(true).register(registry);
  }

  private <T> void register(CounterMeter<T> meter, T counters, Tags tags) {
    FunctionCounter.builder(meter.name(), counters, c -> meter.adder().apply(c).sum())
      .description(meter.description()).tags(tags).register(registry);
  }

  private static PrometheusMeterRegistry withJvmMetrics(PrometheusMeterRegistry registry) {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }
}
