package io.orion.bus.consume;

import io.orion.bus.redis.AutoClaim;
import io.orion.bus.redis.PendingEntry;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamEntry;
import io.orion.bus.redis.StreamReplies;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pending entries one consumer instance delivers again: its own (on start and after the connection was lost,
 * when their replies may have been lost with it), a page at a time, and the entries of the group idle for
 * claimIdleMs, whoever owns them. Each is claimed, and then delivered again, dead-lettered when it was already given
 * maxDeliveries times, or acknowledged when it is gone. Accessed on the event loop of the instance.
 */
final class Redelivery {

  private static final Logger LOG = LoggerFactory.getLogger(Redelivery.class);

  private final ConsumerScope scope;
  private final Deliveries deliveries;
  private boolean ownDue = true;
  private String ownCursor = "-";
  private boolean reclaimDue;
  private String reclaimCursor = "0-0";

  Redelivery(ConsumerScope scope, Deliveries deliveries) {
    this.scope = scope;
    this.deliveries = deliveries;
  }

  /** This consumer's own pending entries are to be delivered again, from the first. */
  void ownDue() {
    ownDue = true;
    ownCursor = "-";
  }

  boolean isOwnDue() {
    return ownDue;
  }

  /** A reclaim pass is to run. */
  void reclaimDue() {
    reclaimDue = true;
  }

  boolean isReclaimDue() {
    return reclaimDue;
  }

  /** Re-delivers this consumer's own pending entries that are not in flight here, one page of {@code free}. */
  Future<Void> own(int free) {
    return scope.commands()
      .send(StreamCommands.pending(scope.stream(), scope.group(), ownCursor, "+", free, scope.consumer()))
      .compose(reply -> {
        List<PendingEntry> rows = StreamReplies.pending(reply);
        return takeOver(rows.stream().filter(row -> !deliveries.isInFlight(row.id())).toList(), false)
          .onSuccess(v -> {
            // Moves on only once the page was taken over: after a failure the same page is read again.
            if (rows.size() < free) {
              ownDue = false;
              ownCursor = "-";
            } else {
              ownCursor = "(" + rows.get(rows.size() - 1).id();
            }
          });
      });
  }

  /**
   * Takes over up to {@code free} entries of the group idle for claimIdleMs (XAUTOCLAIM ... JUSTID) and delivers
   * them again.
   */
  Future<Void> reclaim(int free) {
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
        return pendingRows(ids).compose(rows -> takeOver(rows, true));
      });
  }

  /**
   * The pending rows of exactly these ids, each asked for on its own (pipelined): a range from the first to the last
   * would also hold this consumer's other pending entries, as many as there are, and a count cap would leave some of
   * these out, claimed and undelivered for another claimIdleMs.
   */
  private Future<List<PendingEntry>> pendingRows(Set<String> ids) {
    List<Future<List<PendingEntry>>> rows = new ArrayList<>(ids.size());
    for (String id : ids) {
      rows.add(scope.commands().send(StreamCommands.pending(scope.stream(), scope.group(), id, id, 1,
        scope.consumer())).map(StreamReplies::pending));
    }
    return Future.all(rows).map(all -> {
      List<PendingEntry> result = new ArrayList<>(ids.size());
      for (int i = 0; i < rows.size(); i++) {
        result.addAll(all.<List<PendingEntry>>resultAt(i));
      }
      return result;
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
}
