package io.orion.bus.publish;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the publishers of this process did with the requests for one stream (the counts that metrics
 * expose). Requests refused before a stream is known (no contract, an invalid one, one not in the allow-list or
 * over the cap on contracts) count under the stream {@value #NO_STREAM}. Each count only grows, and a stream's
 * counters live as long as the process: {@link #admit} is how publishers keep their number bounded.
 */
public final class PublisherCounters {

  /** The stream name under which requests without a valid contract are counted. */
  public static final String NO_STREAM = "";

  private static final Map<String, PublisherCounters> REGISTRY = new ConcurrentHashMap<>();
  /** By stream prefix: how many streams were admitted under it. */
  private static final Map<String, Admitted> ADMITTED = new ConcurrentHashMap<>();

  /** The streams admitted under one prefix. Guarded by itself, except for the reads of the fast paths. */
  private static final class Admitted {
    volatile int streams;
    boolean refusalReported;
  }

  /** Entries written ({@code XADD} answered with an id). */
  public final LongAdder published = new LongAdder();
  /** Requests refused (400, or 500 when validation itself failed): nothing written. */
  public final LongAdder rejected = new LongAdder();
  /** Requests answered with 503: Redis unreachable, slow, or the publisher stopping. */
  public final LongAdder unavailable = new LongAdder();

  /** The counters of a stream, created on first use. */
  public static PublisherCounters of(String stream) {
    return REGISTRY.computeIfAbsent(stream, k -> new PublisherCounters());
  }

  /**
   * The counters of a stream under {@code streamPrefix}, created only while fewer than {@code maxStreams} streams
   * of that prefix have counters in this process; null past it. Holds across every publisher instance of the
   * process, whichever thread it runs on.
   */
  public static PublisherCounters admit(String streamPrefix, String stream, int maxStreams) {
    PublisherCounters counters = REGISTRY.get(stream);
    if (counters != null) {
      return counters;
    }
    Admitted admitted = ADMITTED.computeIfAbsent(streamPrefix, k -> new Admitted());
    if (admitted.streams >= maxStreams) {
      // The count only grows: a refusal needs no lock, so a flood of new names past the cap does not contend.
      return null;
    }
    synchronized (admitted) {
      counters = REGISTRY.get(stream);
      if (counters == null && admitted.streams < maxStreams) {
        counters = of(stream);
        admitted.streams++;
      }
      return counters;
    }
  }

  /** Whether this is the first refusal over the cap under {@code streamPrefix} in this process (to log it once). */
  public static boolean firstRefusal(String streamPrefix) {
    Admitted admitted = ADMITTED.computeIfAbsent(streamPrefix, k -> new Admitted());
    synchronized (admitted) {
      boolean first = !admitted.refusalReported;
      admitted.refusalReported = true;
      return first;
    }
  }

  /** Every stream counted so far, by name. */
  public static Map<String, PublisherCounters> all() {
    return Map.copyOf(REGISTRY);
  }
}
