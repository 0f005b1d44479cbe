package io.orion.bus.consume;

import io.orion.bus.redis.StreamCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches for entries trimmed before the group read them: they are gone from Redis, never pending, so nothing can
 * bring them back, but nobody should learn of it from a missing order. Redis's counters can tell only at times (see
 * {@link StreamCommands#trimmedUnread}); what they last told is the gauge, and each rise is warned about once per
 * process, whichever instance sees it. The instances of a process share one watch per stream and group: each has
 * the timer (whichever instances scaling leaves), and one of them looks when a look is due.
 */
final class TrimmedUnreadWatch {

  /** The consumer's logger: operators filter its warnings by that name. */
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerVerticle.class);
  private static final Map<String, TrimmedUnreadWatch> REGISTRY = new ConcurrentHashMap<>();

  /** How often the instances of a process look. The value is in milliseconds. */
  static final long CHECK_MS = 10_000;

  /** What Redis's counters last told; -1 before they could. */
  private final AtomicLong measured = new AtomicLong(-1);
  /** When the next look is due ({@link System#nanoTime}). */
  private final AtomicLong dueNanos = new AtomicLong(System.nanoTime());

  private TrimmedUnreadWatch() {
  }

  /** The watch of a stream and group, created on first use. */
  static TrimmedUnreadWatch of(String stream, String group) {
    return REGISTRY.computeIfAbsent(stream + " " + group, k -> new TrimmedUnreadWatch());
  }

  /** Entries trimmed before the group read them as Redis last told; NaN before it could. */
  double gauge() {
    long last = measured.get();
    return last < 0 ? Double.NaN : last;
  }

  /** Asks Redis when a look is due (for any instance of this process); a no-op otherwise. */
  void check(ConsumerScope scope) {
    long now = System.nanoTime();
    long due = dueNanos.get();
    // Half the period: timers of the instances drift apart, and one of them still looks about every period.
    if (now - due < 0 || !dueNanos.compareAndSet(due, now + CHECK_MS * 500_000)) {
      return;
    }
    scope.commands().send(StreamCommands.trimmedUnread(scope.stream(), scope.group()))
      .onSuccess(reply -> record(scope.label(), reply == null ? -1 : reply.toLong()))
      .onFailure(e -> LOG.debug("{}: trimmed-unread check failed: {}", scope.label(), e.getMessage()));
  }

  private void record(String label, long trimmed) {
    long before = measured.get();
    if (trimmed < 0 || trimmed == before || !measured.compareAndSet(before, trimmed)) {
      return;
    }
    if (trimmed > Math.max(0, before)) {
      LOG.warn("{}: {} entries of the stream were trimmed before the group read them{}: they are lost to the"
        + " group; is maxLen below the backlog?", label, trimmed,
        before > 0 ? " (" + (trimmed - before) + " since the last count)" : "");
    }
  }
}
