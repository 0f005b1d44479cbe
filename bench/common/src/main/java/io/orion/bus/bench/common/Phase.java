package io.orion.bus.bench.common;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One phase of a benchmark run (the warm-up, then the measured messages): the messages with sequence numbers
 * {@code [from, from + size)}, what became of each, and the latency from publish (or, at a fixed rate, from
 * the intended send time) to the handler. Thread-safe: publishers and handlers of any thread report here.
 * <p>
 * Message {@code i} of the phase ({@code seq = from + i}) is sent by producer {@code i % producers}; at a
 * fixed rate its intended send time is {@code start + i * 1e9 / rate} ns.
 */
public final class Phase {

  /** The highest latency recorded; more is recorded as this. The value is in microseconds: one hour. */
  public static final long MAX_LATENCY_US = TimeUnit.HOURS.toMicros(1);

  private static final int PUBLISHED = 1;
  private static final int FAILED = 2;

  private final String name;
  private final int from;
  private final int size;
  private final long intervalNanos;
  private final AtomicIntegerArray deliveries;
  private final AtomicIntegerArray publishes;
  private final Histogram latency = new ConcurrentHistogram(MAX_LATENCY_US, 3);
  private final LongAdder totalDeliveries = new LongAdder();
  private final LongAdder published = new LongAdder();
  private final LongAdder unavailable = new LongAdder();
  private final LongAdder otherFailures = new LongAdder();
  private final LongAdder settledSends = new LongAdder();
  private final AtomicLong distinct = new AtomicLong();
  private volatile String firstFailure;
  private volatile long startNanos;
  private volatile long lastDeliveryNanos;
  private long maxBacklog;
  private boolean stalled;

  /**
   * @param rate messages per second, 0 for as fast as possible
   */
  public Phase(String name, int from, int size, int rate) {
    this.name = name;
    this.from = from;
    this.size = size;
    this.intervalNanos = rate == 0 ? 0 : 1_000_000_000L / rate;
    this.deliveries = new AtomicIntegerArray(size);
    this.publishes = new AtomicIntegerArray(size);
  }

  public String name() {
    return name;
  }

  public int from() {
    return from;
  }

  public int size() {
    return size;
  }

  /** The phase that holds message {@code seq}. */
  public static Phase of(Phase[] phases, long seq) {
    for (Phase phase : phases) {
      if (phase.holds(seq)) {
        return phase;
      }
    }
    throw new IllegalStateException("no phase holds message " + seq);
  }

  /** Whether the sequence number is one of this phase. */
  public boolean holds(long seq) {
    return seq >= from && seq < from + size;
  }

  /** Whether messages are paced at a fixed rate. */
  public boolean paced() {
    return intervalNanos > 0;
  }

  /** Marks the start: the time the first message is due, and the origin of throughput. */
  public void start() {
    startNanos = System.nanoTime();
    lastDeliveryNanos = startNanos;
  }

  public long startNanos() {
    return startNanos;
  }

  /** At a fixed rate, when message {@code seq} is due. */
  public long intendedNanos(long seq) {
    return startNanos + (seq - from) * intervalNanos;
  }

  /** At a fixed rate, how many messages of the phase are due by {@code nowNanos} (at most its size). */
  public int dueBy(long nowNanos) {
    if (!paced()) {
      return size;
    }
    long due = (nowNanos - startNanos) / intervalNanos + 1;
    return (int) Math.max(0, Math.min(size, due));
  }

  /** How many of the first {@code due} messages producer {@code p} of {@code producers} sends. */
  public static int share(int due, int p, int producers) {
    return Math.max(0, (due - p + producers - 1) / producers);
  }

  /** The sequence number of the {@code k}-th message of producer {@code p}. */
  public int seq(int k, int p, int producers) {
    return from + p + k * producers;
  }

  /** The publisher confirmed message {@code seq} (it is in Redis). */
  public void published(long seq) {
    publishes.set((int) (seq - from), PUBLISHED);
    published.increment();
    settledSends.increment();
  }

  /**
   * The publish of message {@code seq} failed.
   *
   * @param unavailable whether it was refused as unavailable (503), which the outcome of is unknown
   */
  public void failed(long seq, boolean unavailable, String why) {
    publishes.set((int) (seq - from), FAILED);
    (unavailable ? this.unavailable : otherFailures).increment();
    if (firstFailure == null) {
      firstFailure = why;
    }
    settledSends.increment();
  }

  /** A handler got message {@code seq}, sent (or due) at {@code sentNanos}. */
  public void delivered(long seq, long nowNanos, long sentNanos) {
    if (deliveries.incrementAndGet((int) (seq - from)) == 1) {
      distinct.incrementAndGet();
      // Throughput counts up to the last first delivery; a late duplicate does not stretch it.
      lastDeliveryNanos = nowNanos;
    }
    totalDeliveries.increment();
    latency.recordValue(Math.min(MAX_LATENCY_US, Math.max(0, (nowNanos - sentNanos) / 1_000)));
  }

  /**
   * Waits until every message the publisher confirmed has reached a handler and every send has settled, or
   * until no message arrived for {@code stallSeconds}. Polls every 10 ms from the calling thread.
   */
  public void awaitDelivered(int stallSeconds) throws InterruptedException {
    long lastProgress = System.nanoTime();
    long lastSeen = -1;
    while (true) {
      Thread.sleep(10);
      long seen = distinct.get() + settledSends.sum();
      long now = System.nanoTime();
      maxBacklog = Math.max(maxBacklog, published.sum() - distinct.get());
      if (seen != lastSeen) {
        lastSeen = seen;
        lastProgress = now;
      }
      if (settledSends.sum() == size && distinct.get() >= published.sum() && lost() == 0) {
        return;
      }
      if (now - lastProgress > TimeUnit.SECONDS.toNanos(stallSeconds)) {
        stalled = true;
        return;
      }
    }
  }

  /** Messages delivered at least once so far. */
  public long deliveredSoFar() {
    return distinct.get();
  }

  /** The results of the phase, read once it is over. */
  public Result result() {
    double secs = Math.max(1, lastDeliveryNanos - startNanos) / 1e9;
    long distinctNow = distinct.get();
    return new Result(size, secs, distinctNow / secs, latency.copy(), published.sum(), unavailable.sum(),
      otherFailures.sum(), firstFailure, lost(), totalDeliveries.sum() - distinctNow, maxBacklog, stalled);
  }

  /** Messages the publisher confirmed that no handler got. */
  private long lost() {
    long lost = 0;
    for (int i = 0; i < size; i++) {
      if (publishes.get(i) == PUBLISHED && deliveries.get(i) == 0) {
        lost++;
      }
    }
    return lost;
  }

  /**
   * @param messages     messages in the phase
   * @param secs         from the start to the last first delivery of a message
   * @param throughput   distinct deliveries per second over {@code secs}
   * @param latency      publish (or intended send) to handler, in microseconds
   * @param published    publishes confirmed
   * @param unavailable  publishes refused with 503
   * @param otherFailures publishes failed otherwise (400, timeout of the request, no handler)
   * @param firstFailure the first failure's message, or null
   * @param lost         confirmed but never delivered
   * @param dup          deliveries beyond the first of each message
   * @param maxBacklog   the most messages confirmed and not yet delivered, seen every 10 ms
   * @param stalled      whether the phase was given up for want of progress
   */
  public record Result(int messages, double secs, double throughput, Histogram latency, long published,
                       long unavailable, long otherFailures, String firstFailure, long lost, long dup,
                       long maxBacklog, boolean stalled) {

    public long failures() {
      return unavailable + otherFailures;
    }
  }
}
