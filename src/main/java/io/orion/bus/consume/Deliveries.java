package io.orion.bus.consume;

import io.orion.bus.redis.Backoff;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamEntry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The delivery side of one consumer instance: gives entries to the handler at the address, acknowledges
 * successful ones in batches, leaves failed ones pending (for reclaim) or dead-letters them at the cap, and
 * holds entries while no handler is registered. Accessed on the event loop of the instance.
 */
final class Deliveries {

  /** The first wait before retrying a delivery that found no handler. The value is in milliseconds. */
  static final long NO_HANDLER_MIN_BACKOFF_MS = 100;
  /** The longest wait between such retries. The value is in milliseconds. */
  static final long NO_HANDLER_MAX_BACKOFF_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);

  /** An entry given to the handler, awaiting its reply, or held while no handler is registered. */
  private static final class Delivery {
    final StreamEntry entry;
    final JsonObject body;
    final long deliveries;
    long touchedNanos;
    long retryTimer = -1;

    Delivery(StreamEntry entry, JsonObject body, long deliveries) {
      this.entry = entry;
      this.body = body;
      this.deliveries = deliveries;
    }
  }

  private record Waiter(BooleanSupplier done, Promise<Void> promise) {
  }

  private final ConsumerScope scope;
  private final Map<String, Delivery> inFlight = new HashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Backoff noHandlerBackoff = new Backoff(NO_HANDLER_MIN_BACKOFF_MS, NO_HANDLER_MAX_BACKOFF_MS);
  private final Acknowledgements acks;
  private int deadLettering;
  private boolean stopping;
  private Runnable onChange = () -> { };

  Deliveries(ConsumerScope scope) {
    this.scope = scope;
    this.acks = new Acknowledgements(scope, this::changed);
  }

  /** Called after every change that may free a slot or settle a waiter. */
  void onChange(Runnable onChange) {
    this.onChange = onChange;
  }

  /** Entries given to the handler and not settled yet (held ones included): what counts against maxInFlight. */
  int size() {
    return inFlight.size();
  }

  /** Whether an entry is in the hands of this instance: given to the handler, or done and being acknowledged. */
  boolean isInFlight(String id) {
    return inFlight.containsKey(id) || acks.holds(id);
  }

  /** Nothing awaits a reply and no dead letter is being written. */
  boolean settled() {
    return inFlight.isEmpty() && deadLettering == 0;
  }

  /**
   * Gives an entry to the handler, or dead-letters it at once when its data is missing or not a JSON object.
   *
   * @param deliveries this delivery's number: 1 on the first
   */
  void accept(StreamEntry entry, long deliveries) {
    if (entry.data() == null) {
      poison(entry, "entry has no 'data' field");
      return;
    }
    JsonObject body;
    try {
      body = new JsonObject(entry.data());
    } catch (RuntimeException e) {
      poison(entry, "'data' is not a JSON object: " + e.getMessage());
      return;
    }
    Delivery delivery = new Delivery(entry, body, deliveries);
    inFlight.put(entry.id(), delivery);
    scope.counters().inFlight.increment();
    send(delivery);
  }

  /** Acknowledges a pending id whose entry was trimmed or deleted, so that it is never claimed again. */
  void skipGone(String id) {
    scope.counters().trimmed.increment();
    LOG.info("{}: entry {} was trimmed or deleted while pending: acknowledged and skipped", scope.label(), id);
    acks.add(id);
  }

  /**
   * Copies an entry to the dead-letter stream, then acknowledges it: in that order, so that a crash in
   * between duplicates the dead letter rather than losing the entry.
   */
  void deadLetter(StreamEntry entry, long deliveries, String error) {
    deadLettering++;
    scope.commands().send(StreamCommands.deadLetter(scope.deadStream(), entry, scope.group(), deliveries, error))
      .compose(id -> scope.commands().send(StreamCommands.ack(scope.stream(), scope.group(), List.of(entry.id()))))
      .onComplete(ar -> {
        deadLettering--;
        if (ar.succeeded()) {
          scope.counters().deadLettered.increment();
          LOG.warn("{}: entry {} dead-lettered to {} after {} deliveries: {}", scope.label(), entry.id(),
            scope.deadStream(), deliveries, error);
        } else {
          LOG.error("{}: cannot dead-letter entry {} (it stays pending and comes back): {}", scope.label(),
            entry.id(), ar.cause().getMessage());
        }
        changed();
      });
  }

  /** No new deliveries: held entries are let go (they stay pending); awaited replies still count. */
  void stop() {
    stopping = true;
    acks.stop();
    for (Delivery delivery : new ArrayList<>(inFlight.values())) {
      if (delivery.retryTimer != -1) {
        release(delivery);
      }
    }
    changed();
  }

  /** Completes once {@code done} holds; checked after every change. */
  Future<Void> when(BooleanSupplier done) {
    Promise<Void> promise = Promise.promise();
    waiters.add(new Waiter(done, promise));
    checkWaiters();
    return promise.future();
  }

  /** Sends the acknowledgements queued now and completes when every one sent has been answered. */
  Future<Void> flushAcks() {
    acks.stop();
    return when(acks::settled);
  }

  /** Settles the waiters whose condition holds. */
  void checkWaiters() {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (waiter.done().getAsBoolean()) {
        it.remove();
        waiter.promise().tryComplete();
      }
    }
  }

  private void poison(StreamEntry entry, String why) {
    scope.counters().poison.increment();
    deadLetter(entry, 0, why);
  }

  private void send(Delivery delivery) {
    StreamEntry entry = delivery.entry;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    entry.meta().forEach(headers::add);
    // The bus's own headers win over metadata of the same name written by another producer.
    headers.set("stream", scope.stream())
      .set("id", entry.id())
      .set("group", scope.group())
      .set("consumer", scope.consumer())
      .set("deliveries", Long.toString(delivery.deliveries));
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(scope.options().handlerTimeoutMs())
      .setHeaders(headers).setCodecName(HandOffCodec.NAME);
    scope.counters().delivered.increment();
    scope.vertx().eventBus().<Object>request(scope.options().address(), delivery.body, options)
      .onComplete(ar -> replied(delivery, ar));
  }

  private void replied(Delivery delivery, AsyncResult<Message<Object>> ar) {
    String id = delivery.entry.id();
    if (inFlight.get(id) != delivery) {
      return;
    }
    if (ar.succeeded()) {
      settle(id);
      noHandlerBackoff.reset();
      acks.add(id);
      changed();
      return;
    }
    Throwable cause = ar.cause();
    ReplyFailure type = cause instanceof ReplyException reply ? reply.failureType() : ReplyFailure.ERROR;
    if (type == ReplyFailure.NO_HANDLERS) {
      scope.counters().delivered.decrement();
      scope.counters().noHandler.increment();
      if (stopping) {
        // Let go, with the counter set back: the attempt did not reach a handler.
        keep(delivery);
        release(delivery);
      } else {
        hold(delivery);
      }
      return;
    }
    settle(id);
    scope.counters().failed.increment();
    String error;
    if (type == ReplyFailure.TIMEOUT) {
      scope.counters().timedOut.increment();
      error = "handler timed out after " + scope.options().handlerTimeoutMs() + " ms";
    } else {
      error = String.valueOf(cause.getMessage());
    }
    if (delivery.deliveries >= scope.options().maxDeliveries()) {
      deadLetter(delivery.entry, delivery.deliveries, error);
    } else {
      LOG.debug("{}: delivery {} of entry {} failed, left pending: {}", scope.label(), delivery.deliveries, id,
        error);
    }
    changed();
  }

  /**
   * No handler at the address is not a failure of the entry: keep it, try again after a capped backoff,
   * and keep it claimed so that it is not reclaimed meanwhile. Its delivery counter in Redis, raised by the
   * read, is set back at once to the deliveries that reached a handler, so that whoever delivers it next
   * (this instance after a restart, or another consumer) counts right.
   */
  private void hold(Delivery delivery) {
    if (delivery.touchedNanos == 0) {
      keep(delivery);
    }
    long waitMs = noHandlerBackoff.next();
    if (noHandlerBackoff.failures() == 1) {
      LOG.warn("{}: no handler at '{}': holding entry {} and retrying with backoff", scope.label(),
        scope.options().address(), delivery.entry.id());
    }
    delivery.retryTimer = scope.vertx().setTimer(waitMs, t -> {
      delivery.retryTimer = -1;
      if (inFlight.get(delivery.entry.id()) != delivery) {
        return;
      }
      touchIfIdle(delivery).onComplete(v -> send(delivery));
    });
  }

  private Future<?> touchIfIdle(Delivery delivery) {
    long idleMs = (System.nanoTime() - delivery.touchedNanos) / 1_000_000;
    return idleMs < scope.options().claimIdleMs() / 2 ? Future.succeededFuture() : keep(delivery);
  }

  private Future<?> keep(Delivery delivery) {
    delivery.touchedNanos = System.nanoTime();
    return scope.commands().send(StreamCommands.keep(scope.stream(), scope.group(), scope.consumer(),
      delivery.entry.id(), delivery.deliveries - 1)).otherwiseEmpty();
  }

  private void release(Delivery delivery) {
    if (delivery.retryTimer != -1) {
      scope.vertx().cancelTimer(delivery.retryTimer);
      delivery.retryTimer = -1;
    }
    settle(delivery.entry.id());
    LOG.debug("{}: entry {} left pending", scope.label(), delivery.entry.id());
    changed();
  }

  private void settle(String id) {
    if (inFlight.remove(id) != null) {
      scope.counters().inFlight.decrement();
    }
  }

  private void changed() {
    checkWaiters();
    onChange.run();
  }
}
