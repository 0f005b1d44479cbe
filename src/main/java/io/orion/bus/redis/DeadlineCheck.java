package io.orion.bus.redis;

import io.vertx.core.Vertx;

/**
 * The periodic check of a {@link RedisLink}'s deadlines: one per link instead of a timer per command (timers cost
 * more than the command itself at tens of thousands of publishes a second); a timeout is noticed up to one period
 * late. It runs while commands are out or wait, and stops when the check finds none.
 */
final class DeadlineCheck {

  /** The shortest and longest period of the check. The values are in milliseconds. */
  static final long MIN_CHECK_MS = 10;
  static final long MAX_CHECK_MS = 250;

  private final Vertx vertx;
  private final Runnable check;
  private long timer = -1;

  /** @param check fails what is past its deadline; run on the event loop of the link's verticle */
  DeadlineCheck(Vertx vertx, Runnable check) {
    this.vertx = vertx;
    this.check = check;
  }

  /** Starts the check, unless it runs, with a period fit for a command that has {@code timeoutMs}. */
  void watch(long timeoutMs) {
    if (timer == -1) {
      long periodMs = Math.max(MIN_CHECK_MS, Math.min(MAX_CHECK_MS, timeoutMs / 10));
      timer = vertx.setPeriodic(periodMs, id -> check.run());
    }
  }

  /** Stops the check until the next {@link #watch}. */
  void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
