package io.orion.bus.consume;

import io.orion.bus.redis.Backoff;
import io.orion.bus.redis.RedisErrors;
import io.orion.bus.redis.StreamCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The acknowledgements of one consumer instance: the ids whose handler replied successfully, one {@code XACK}
 * per turn of the event loop. An {@code XACK} that fails for want of a usable connection (lost, silent, or to a
 * node that is no master now after a failover) is sent again after a capped backoff, until the instance stops:
 * the handler's work is done, and an entry left pending would be delivered again. Until its {@code XACK} is
 * answered an id is {@linkplain #holds held} here, so that the instance does not take it over again meanwhile.
 * An {@code XACK} that Redis refuses for good, or that fails while the instance stops, leaves its entries
 * pending: they come back. Accessed on the event loop of the instance.
 */
final class Acknowledgements {

  /** The first wait before an {@code XACK} is sent again. The value is in milliseconds. */
  static final long RETRY_MIN_BACKOFF_MS = 100;
  /** The longest wait between such attempts. The value is in milliseconds. */
  static final long RETRY_MAX_BACKOFF_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(Acknowledgements.class);

  private final ConsumerScope scope;
  private final Runnable onChange;
  private final Backoff backoff = new Backoff(RETRY_MIN_BACKOFF_MS, RETRY_MAX_BACKOFF_MS);
  private List<String> queued = new ArrayList<>();
  /** The ids queued or in an {@code XACK} not answered yet. */
  private final Set<String> unanswered = new HashSet<>();
  private boolean scheduled;
  private int outstanding;
  private long retryTimer = -1;
  private boolean stopping;

  /** @param onChange called after every {@code XACK} answered */
  Acknowledgements(ConsumerScope scope, Runnable onChange) {
    this.scope = scope;
    this.onChange = onChange;
  }

  /** Queues an id; the ids queued in one turn of the event loop share one {@code XACK}. */
  void add(String id) {
    queued.add(id);
    unanswered.add(id);
    if (!scheduled && retryTimer == -1) {
      scheduled = true;
      scope.vertx().runOnContext(v -> flush());
    }
  }

  /** Whether an id waits here for its {@code XACK} to be answered. */
  boolean holds(String id) {
    return unanswered.contains(id);
  }

  /** Nothing queued and every {@code XACK} sent answered. */
  boolean settled() {
    return queued.isEmpty() && outstanding == 0;
  }

  /** Sends what is queued now, and no failed {@code XACK} again from now on. */
  void stop() {
    stopping = true;
    if (retryTimer != -1) {
      scope.vertx().cancelTimer(retryTimer);
      retryTimer = -1;
    }
    flush();
  }

  private void flush() {
    scheduled = false;
    if (queued.isEmpty()) {
      return;
    }
    List<String> batch = queued;
    queued = new ArrayList<>();
    outstanding++;
    scope.commands().send(StreamCommands.ack(scope.stream(), scope.group(), batch)).onComplete(ar -> {
      outstanding--;
      if (ar.succeeded()) {
        scope.counters().acked.add(batch.size());
        batch.forEach(unanswered::remove);
        backoff.reset();
      } else {
        scope.counters().ackFailures.increment();
        failed(batch, ar.cause());
      }
      onChange.run();
    });
  }

  private void failed(List<String> batch, Throwable cause) {
    if (stopping || RedisErrors.isServerError(cause)) {
      batch.forEach(unanswered::remove);
      LOG.warn("{}: cannot XACK {} entries (they stay pending and come back): {}", scope.label(), batch.size(),
        cause.getMessage());
      return;
    }
    queued.addAll(batch);
    if (backoff.failures() == 0) {
      LOG.warn("{}: cannot XACK {} entries now ({}); sending it again with backoff", scope.label(), batch.size(),
        cause.getMessage());
    }
    if (retryTimer == -1) {
      retryTimer = scope.vertx().setTimer(backoff.next(), t -> {
        retryTimer = -1;
        flush();
      });
    }
  }
}
