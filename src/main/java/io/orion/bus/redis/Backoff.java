package io.orion.bus.redis;

/**
 * A capped exponential backoff: {@link #next()} gives the wait before the next attempt, doubling from
 * {@code minMs} up to {@code maxMs}; {@link #reset()} after a success. Not thread-safe.
 */
public final class Backoff {

  private final long minMs;
  private final long maxMs;
  private long currentMs;
  private int failures;

  /** The values are in milliseconds. */
  public Backoff(long minMs, long maxMs) {
    this.minMs = minMs;
    this.maxMs = maxMs;
    this.currentMs = minMs;
  }

  /** The wait before the next attempt; each call doubles the one after it, up to the cap. */
  public long next() {
    long wait = currentMs;
    currentMs = Math.min(currentMs * 2, maxMs);
    failures++;
    return wait;
  }

  /** Back to the first wait. */
  public void reset() {
    currentMs = minMs;
    failures = 0;
  }

  /** How many waits were given since the last reset: 0 while things work. */
  public int failures() {
    return failures;
  }
}
