package io.orion.bus.consume;

import io.orion.bus.redis.AutoClaim;
import io.orion.bus.redis.Backoff;
import io.orion.bus.redis.PendingEntry;
import io.orion.bus.redis.RedisErrors;
import io.orion.bus.redis.RedisLink;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamEntry;
import io.orion.bus.redis.StreamReplies;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The intake side of one consumer instance: one operation at a time, chosen in this order by
 * {@link #pump()}: create the group when it is missing; re-deliver this consumer's own pending entries (on
 * start and after the connection was lost); reclaim entries idle for claimIdleMs from any consumer; read
 * new entries with a blocking XREADGROUP on a connection of its own. Reads ask for no more than the free
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
  private final Backoff backoff = new Backoff(MIN_BACKOFF_MS, MAX_BACKOFF_MS);
  private final int readThreshold;
  private boolean stopping;
  private boolean busy;
  private boolean reading;
  private boolean needGroup = true;
  private boolean needRecovery = true;
  private boolean groupSeen;
  private String recoverCursor = "-";
  private boolean reclaimDue;
  private String reclaimCursor = "0-0";
  private long retryTimer = -1;
  private long readerClientId = -1;
  private long readerIdGeneration = -1;

  Intake(ConsumerScope scope, RedisLink reader, Deliveries deliveries) {
    this.scope = scope;
    this.reader = reader;
    this.deliveries = deliveries;
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
    return ensureGroup()
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
    reclaimDue = true;
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
      run(ensureGroup());
    } else if (free <= 0) {
      return;
    } else if (needRecovery) {
      run(recoverOwn(free));
    } else if (reclaimDue) {
      run(reclaim(free));
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
        LOG.warn("{}: group or stream is gone ({}); creating it again from {}", scope.label(), e.getMessage(),
          scope.options().startFrom());
      }
    } else if (RedisErrors.isServerError(e)) {
      LOG.error("{}: Redis refused a command: {}", scope.label(), e.getMessage());
    } else {
      // The reply of a read may have been lost with the connection: its entries are pending to us.
      reader.reset();
      needRecovery = true;
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

  private Future<Void> ensureGroup() {
    return scope.commands()
      .send(StreamCommands.createGroup(scope.stream(), scope.group(), scope.options().startFrom()))
      .<Void>map(ok -> {
        if (groupSeen) {
          scope.counters().groupsRecreated.increment();
        }
        LOG.info("{}: created group {} on stream {} from {}", scope.label(), scope.group(), scope.stream(),
          scope.options().startFrom());
        return null;
      })
      .recover(e -> RedisErrors.isBusyGroup(e) ? Future.succeededFuture() : Future.failedFuture(e))
      .onSuccess(v -> {
        needGroup = false;
        groupSeen = true;
      });
  }

  /** Re-delivers this consumer's own pending entries that are not in flight here, a page at a time. */
  private Future<Void> recoverOwn(int free) {
    return scope.commands()
      .send(StreamCommands.pending(scope.stream(), scope.group(), recoverCursor, "+", free, scope.consumer()))
      .compose(reply -> {
        List<PendingEntry> rows = StreamReplies.pending(reply);
        return takeOver(rows.stream().filter(row -> !deliveries.isInFlight(row.id())).toList(), false)
          .onSuccess(v -> {
            // Moves on only once the page was taken over: after a failure the same page is read again.
            if (rows.size() < free) {
              needRecovery = false;
              recoverCursor = "-";
            } else {
              recoverCursor = "(" + rows.get(rows.size() - 1).id();
            }
          });
      });
  }

  /** Takes over entries of the group idle for claimIdleMs (XAUTOCLAIM ... JUSTID) and delivers them again. */
  private Future<Void> reclaim(int free) {
    return scope.commands()
      .send(StreamCommands.autoClaimIds(scope.stream(), scope.group(), scope.consumer(),
        scope.options().claimIdleMs(), reclaimCursor, free))
      .compose(reply -> {
        AutoClaim claim = StreamReplies.autoClaim(reply);
        for (String id : claim.deleted()) {
          scope.counters().trimmed.increment();
          LOG.info("{}: pending entry {} was trimmed or deleted: Redis dropped it from the pending list",
            scope.label(), id);
        }
        reclaimCursor = claim.done() ? "0-0" : claim.next();
        reclaimDue = !claim.done();
        Set<String> ids = new LinkedHashSet<>(claim.ids());
        ids.removeIf(deliveries::isInFlight);
        if (ids.isEmpty()) {
          return Future.succeededFuture();
        }
        List<String> ordered = List.copyOf(ids);
        return scope.commands()
          .send(StreamCommands.pending(scope.stream(), scope.group(), ordered.get(0),
            ordered.get(ordered.size() - 1), ids.size() + deliveries.size(), scope.consumer()))
          .compose(rows -> takeOver(StreamReplies.pending(rows).stream()
            .filter(row -> ids.contains(row.id())).toList(), true));
      });
  }

  /**
   * Claims the entries (raising their delivery counters) and, by the count each had: delivers it again,
   * dead-letters it when it was already given maxDeliveries times, or acknowledges it when it is gone.
   */
  private Future<Void> takeOver(List<PendingEntry> rows, boolean reclaimed) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> ids = rows.stream().map(PendingEntry::id).toList();
    return scope.commands().send(StreamCommands.claim(scope.stream(), scope.group(), scope.consumer(), ids))
      .map(reply -> {
        Map<String, StreamEntry> byId = new HashMap<>();
        StreamReplies.entries(reply).forEach(entry -> byId.put(entry.id(), entry));
        int maxDeliveries = scope.options().maxDeliveries();
        for (PendingEntry row : rows) {
          StreamEntry entry = byId.get(row.id());
          if (entry == null || entry.deleted()) {
            deliveries.skipGone(row.id());
          } else if (row.deliveries() >= maxDeliveries) {
            deliveries.deadLetter(entry, row.deliveries(), "delivery count " + row.deliveries()
              + " already at maxDeliveries " + maxDeliveries + " when claimed by " + scope.consumer());
          } else {
            if (reclaimed) {
              scope.counters().reclaimed.increment();
            }
            scope.counters().redelivered.increment();
            deliveries.accept(entry, row.deliveries() + 1);
          }
        }
        return null;
      });
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
    for (StreamEntry entry : StreamReplies.readGroup(reply)) {
      deliveries.accept(entry, 1);
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
