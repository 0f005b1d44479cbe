package io.orion.bus.consume;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the consumers of one stream and group decided, counted across the instances of this process (the
 * counts that metrics expose). Each count only grows; {@link #inFlight} and {@link #trimmedUnread} are gauges, and
 * {@code position} is where the group had got to, kept here because it too is shared by the instances.
 */
public final class ConsumerCounters {

  private static final Map<String, ConsumerCounters> REGISTRY = new ConcurrentHashMap<>();

  /** Entries given to a handler, redeliveries included. */
  public final LongAdder delivered = new LongAdder();
  /** Entries given to a handler again: reclaimed, or re-read after a restart or reconnect. */
  public final LongAdder redelivered = new LongAdder();
  /** Entries acknowledged after a successful reply. */
  public final LongAdder acked = new LongAdder();
  /** Deliveries that failed: a failure reply or a timeout. */
  public final LongAdder failed = new LongAdder();
  /** Deliveries that timed out (also counted in {@link #failed}). */
  public final LongAdder timedOut = new LongAdder();
  /** Attempts that found no handler at the address (not counted as deliveries). */
  public final LongAdder noHandler = new LongAdder();
  /** Entries copied to the dead-letter stream and acknowledged. */
  public final LongAdder deadLettered = new LongAdder();
  /** Entries dead-lettered at once because their data was missing or not a JSON object. */
  public final LongAdder poison = new LongAdder();
  /** Pending ids whose entries were trimmed or deleted, acknowledged and skipped. */
  public final LongAdder trimmed = new LongAdder();
  /** Where the group had got to, as far as this process knows: where it is created again after a deletion. */
  final GroupPosition position = new GroupPosition();
  /** Entries taken over from other consumers (or from a failed delivery) after claimIdleMs. */
  public final LongAdder reclaimed = new LongAdder();
  /** Connections to Redis made again after one was lost. */
  public final LongAdder reconnects = new LongAdder();
  /** Times the group (or its stream) had to be created again at run time. */
  public final LongAdder groupsRecreated = new LongAdder();
  /** Idle consumers with nothing pending removed from the group. */
  public final LongAdder consumersRemoved = new LongAdder();
  /** XACK commands that failed (sent again when the connection was at fault, else the entries come back). */
  public final LongAdder ackFailures = new LongAdder();
  /** Deliveries awaiting a reply now (held ones included), across the instances: a gauge, not a count. */
  public final LongAdder inFlight = new LongAdder();

  private final String stream;
  private final String group;

  private ConsumerCounters(String stream, String group) {
    this.stream = stream;
    this.group = group;
  }

  /** The counters of a stream and group, created on first use. */
  public static ConsumerCounters of(String stream, String group) {
    return REGISTRY.computeIfAbsent(stream + " " + group, k -> new ConsumerCounters(stream, group));
  }

  /**
   * Entries of the stream trimmed before the group read them ({@code maxLen} below the backlog), as Redis's counters
   * last told it (see {@link TrimmedUnreadWatch}); NaN before they could: a gauge, which can fall.
   */
  public double trimmedUnread() {
    return TrimmedUnreadWatch.of(stream, group).gauge();
  }

  /** Every stream and group counted so far. */
  public static java.util.Collection<ConsumerCounters> all() {
    return java.util.List.copyOf(REGISTRY.values());
  }

  public String stream() {
    return stream;
  }

  public String group() {
    return group;
  }
}
