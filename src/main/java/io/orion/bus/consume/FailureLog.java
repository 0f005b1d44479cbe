package io.orion.bus.consume;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * What a failed delivery says, in logs and dead letters: one short line per cause. And when its failures are logged:
 * the first, then at most one line per {@link #INTERVAL_MS}, which tells how many were not logged since the line
 * before (the counters count every one), so that a handler failing every entry cannot flood the log. One per consumer
 * instance; accessed on its event loop.
 */
final class FailureLog {

  /** The shortest time between two logged failures of one consumer. The value is in milliseconds. */
  static final long INTERVAL_MS = 10_000;
  /** The longest error text, in characters: a handler's failure message is cut there. */
  static final int MAX_ERROR_CHARS = 500;

  private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

  private final LongSupplier nanoClock;
  private boolean loggedAny;
  private long loggedAtNanos;
  private long unlogged;

  FailureLog() {
    this(System::nanoTime);
  }

  /** @param nanoClock the time in nanoseconds, as {@link System#nanoTime()} tells it */
  FailureLog(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** Logs a delivery that failed below the cap (it stays pending), when {@link #admit()} lets it. */
  void failed(String label, long deliveries, String id, String error) {
    if (admit()) {
      long skipped = unlogged();
      LOG.warn("{}: delivery {} of entry {} failed, left pending for redelivery: {}{}", label, deliveries, id, error,
        skipped == 0 ? "" : " (" + skipped + " more failed deliveries not logged since the last line)");
    }
  }

  /**
   * Takes one failure: whether to log it now. When it is, {@link #unlogged()} tells how many were not logged before
   * it, since the last line.
   */
  boolean admit() {
    long now = nanoClock.getAsLong();
    if (loggedAny && now - loggedAtNanos < INTERVAL_MS * 1_000_000) {
      unlogged++;
      return false;
    }
    loggedAny = true;
    loggedAtNanos = now;
    return true;
  }

  /** The failures not logged before the one just admitted; reading it starts the count again. */
  long unlogged() {
    long count = unlogged;
    unlogged = 0;
    return count;
  }

  /** The error of a failed delivery: "handler timed out after N ms", or the handler's failure message. */
  static String describe(Throwable cause, long handlerTimeoutMs) {
    ReplyFailure type = cause instanceof ReplyException reply ? reply.failureType() : ReplyFailure.ERROR;
    if (type == ReplyFailure.TIMEOUT) {
      return "handler timed out after " + handlerTimeoutMs + " ms";
    }
    String message = cause.getMessage();
    if (message == null || message.isBlank()) {
      return type == ReplyFailure.RECIPIENT_FAILURE
        ? "handler failed with code " + ((ReplyException) cause).failureCode() + " and no message"
        : "delivery failed: " + cause.getClass().getSimpleName();
    }
    return oneLine(message);
  }

  /** The first line of a text, cut at {@link #MAX_ERROR_CHARS} (never inside a surrogate pair), with "…" where cut. */
  static String oneLine(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    if (line.length() <= MAX_ERROR_CHARS) {
      return line;
    }
    int end = MAX_ERROR_CHARS - 1;
    if (Character.isHighSurrogate(line.charAt(end - 1))) {
      end--;
    }
    return line.substring(0, end) + "…";
  }
}
