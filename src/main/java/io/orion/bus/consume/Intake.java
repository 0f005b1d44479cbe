package io.orion.bus.consume;

import io.orion.bus.redis.Backoff;
import io.orion.bus.redis.RedisErrors;
import io.orion.bus.redis.RedisLink;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamEntry;
import io.orion.bus.redis.StreamReplies;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The intake side of one consumer instance: one operation at a time, chosen in this order by
 * {@link #pump()}: join the group ({@link Membership}: on start, when the group is missing, after the connection
 * was lost); re-deliver this consumer's own pending entries (on start and after the connection was lost); reclaim
 * entries idle for claimIdleMs from any consumer (both {@link Redelivery}); read new entries with a blocking
 * XREADGROUP on a connection of its own. Reads ask for no more than the free
 * delivery slots. A failed operation is retried after a capped exponential backoff, never in a hot loop.
 * Accessed on the event loop of the instance.
 */
final class Intake {

  /** The first wait after a failed operation. The value is in milliseconds. */
  static final long MIN_BACKOFF_MS = 100;
  /** The longest wait between attempts. The value is in milliseconds. */
  static final long MAX_BACKOFF_MS = 5_000;
  /** How long the deployment waits for the group to be created before it completes all the same. */
  static final long START_TIMEOUT_MS = 5_000;
  /**
   * How much longer than blockMs a read may go unanswered before its connection counts as silent and is
   * replaced: at least this, or blockMs again, whichever is more. The value is in milliseconds.
   */
  static final long READ_MARGIN_MS = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(Intake.class);

  private final ConsumerScope scope;
  private final RedisLink reader;
  private final Deliveries deliveries;
  private final Membership membership;
  private final Redelivery redelivery;
  private final Backoff backoff = new Backoff(MIN_BACKOFF_MS, MAX_BACKOFF_MS);
  private final int readThreshold;
  private boolean stopping;
  private boolean busy;
  private boolean reading;
  private boolean needGroup = true;
  private long retryTimer = -1;
  private long readerClientId = -1;
  private long readerIdGeneration = -1;

  Intake(ConsumerScope scope, RedisLink reader, Deliveries deliveries) {
    this.scope = scope;
    this.reader = reader;
    this.deliveries = deliveries;
    this.membership = new Membership(scope);
    this.redelivery = new Redelivery(scope, deliveries);
    int batch = Math.min(scope.options().count(), scope.options().maxInFlight());
    // Wait for half a batch of free slots rather than reading one entry at a time under load.
    this.readThreshold = Math.max(1, batch / 2);
  }

  /**
   * Creates the group and starts the loop. Fails only when Redis answers with an error that will not go
   * away by itself (the key holds something else than a stream); unreachable Redis is retried with backoff.
   */
  Future<Void> start() {
    busy = true;
    return joinGroup()
      .timeout(START_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .transform(ar -> {
        busy = false;
        if (ar.failed() && RedisErrors.isServerError(ar.cause())) {
          return Future.failedFuture(new IllegalStateException("cannot create group " + scope.group()
            + " on stream " + scope.stream() + ": " + ar.cause().getMessage(), ar.cause()));
        }
        if (ar.failed()) {
          LOG.warn("{}: Redis unreachable at start ({}); retrying with backoff", scope.label(),
            ar.cause().getMessage());
          retryLater();
        } else {
          pump();
        }
        return Future.succeededFuture();
      });
  }

  /** Asks for a reclaim pass at the next turn. */
  void reclaimDue() {
    redelivery.reclaimDue();
    pump();
  }

  /** An operation is under way (a read may be blocked in Redis). */
  boolean busy() {
    return busy;
  }

  /** Stops taking entries: no new operation starts, and a blocked read is woken up. */
  Future<Void> stop() {
    stopping = true;
    if (retryTimer != -1) {
      scope.vertx().cancelTimer(retryTimer);
      retryTimer = -1;
    }
    if (reading && readerClientId >= 0) {
      return scope.commands().send(StreamCommands.clientUnblock(readerClientId)).mapEmpty();
    }
    return Future.succeededFuture();
  }

  /** Starts the next operation, when one is due and nothing else runs. */
  void pump() {
    if (stopping || busy || retryTimer != -1) {
      return;
    }
    int free = scope.options().maxInFlight() - deliveries.size();
    if (needGroup) {
      run(joinGroup());
    } else if (free <= 0) {
      return;
    } else if (redelivery.isOwnDue()) {
      run(redelivery.own(free));
    } else if (redelivery.isReclaimDue()) {
      run(redelivery.reclaim(free));
    } else if (free >= readThreshold || deliveries.size() == 0) {
      run(read(free));
    }
  }

  private void run(Future<?> operation) {
    busy = true;
    operation.onComplete(ar -> {
      busy = false;
      reading = false;
      if (ar.succeeded()) {
        if (backoff.failures() > 0) {
          LOG.info("{}: consuming again", scope.label());
        }
        backoff.reset();
      } else {
        failed(ar.cause());
      }
      deliveries.checkWaiters();
      pump();
    });
  }

  private void failed(Throwable e) {
    boolean first = backoff.failures() == 0;
    if (RedisErrors.isNoGroup(e)) {
      needGroup = true;
      if (first) {
        LOG.warn("{}: group or stream is gone ({}); creating it again", scope.label(), e.getMessage());
      }
    } else if (RedisErrors.isServerError(e)) {
      LOG.error("{}: Redis refused a command: {}", scope.label(), e.getMessage());
    } else {
      // The reply of a read may have been lost with the connection: its entries are pending to us. And Redis may
      // have restarted without the group or this consumer.
      reader.reset();
      redelivery.ownDue();
      needGroup = true;
      if (first) {
        LOG.warn("{}: Redis connection failed ({}); reconnecting with backoff", scope.label(), e.getMessage());
      }
    }
    retryLater();
  }

  private void retryLater() {
    if (stopping) {
      return;
    }
    retryTimer = scope.vertx().setTimer(backoff.next(), t -> {
      retryTimer = -1;
      pump();
    });
  }

  private Future<Void> joinGroup() {
    return membership.join().onSuccess(v -> needGroup = false);
  }

  /** One blocking read of new entries, for no more than the free slots, on the reader connection. */
  private Future<Void> read(int free) {
    int count = Math.min(scope.options().count(), free);
    long blockMs = scope.options().blockMs();
    if (!reader.isConnected() || reader.generation() != readerIdGeneration) {
      learnReaderId();
    }
    reading = true;
    return reader.send(StreamCommands.readGroup(scope.stream(), scope.group(), scope.consumer(), count, blockMs,
        StreamCommands.NEW_ENTRIES), blockMs + Math.max(READ_MARGIN_MS, blockMs))
      .map(this::deliverNew);
  }

  private Void deliverNew(Response reply) {
    List<StreamEntry> entries = StreamReplies.readGroup(reply);
    for (StreamEntry entry : entries) {
      deliveries.accept(entry, 1);
    }
    if (!entries.isEmpty()) {
      // Entries come in id order: the last is the highest the group has delivered now.
      scope.counters().position.delivered(entries.get(entries.size() - 1).id());
    }
    return null;
  }

  /**
   * On a new reader connection: counts the reconnect, and learns its client id for CLIENT UNBLOCK, with a
   * command that goes out on the same connection just ahead of the read.
   */
  private void learnReaderId() {
    readerClientId = -1;
    if (!scope.options().redis().isStandalone()) {
      return;
    }
    reader.send(StreamCommands.clientId())
      .onSuccess(id -> {
        if (readerIdGeneration > 0) {
          scope.counters().reconnects.increment();
        }
        readerIdGeneration = reader.generation();
        readerClientId = id.toLong();
      })
      .onFailure(e -> LOG.debug("{}: CLIENT ID failed: {}", scope.label(), e.getMessage()));
  }
}
