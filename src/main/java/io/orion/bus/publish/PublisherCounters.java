package io.orion.bus.publish;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the publishers of this process did with the requests for one stream (the counts that metrics
 * expose). Requests rejected before a stream is known (no or invalid contract) count under the stream
 * {@value #NO_STREAM}. Each count only grows.
 */
public final class PublisherCounters {

  /** The stream name under which requests without a valid contract are counted. */
  public static final String NO_STREAM = "";

  private static final Map<String, PublisherCounters> REGISTRY = new ConcurrentHashMap<>();

  /** Entries written ({@code XADD} answered with an id). */
  public final LongAdder published = new LongAdder();
  /** Requests refused with 400: nothing written. */
  public final LongAdder rejected = new LongAdder();
  /** Requests answered with 503: Redis unreachable, slow, or the publisher stopping. */
  public final LongAdder unavailable = new LongAdder();

  /** The counters of a stream, created on first use. */
  public static PublisherCounters of(String stream) {
    return REGISTRY.computeIfAbsent(stream, k -> new PublisherCounters());
  }

  /** Every stream counted so far, by name. */
  public static Map<String, PublisherCounters> all() {
    return Map.copyOf(REGISTRY);
  }
}
