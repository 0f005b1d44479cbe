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
  private final FailureLog failureLog = new FailureLog();
  private final DeadLetters deadLetters;
  private final Acknowledgements acks;
  private boolean stopping;
  private Runnable onChange = () -> { };

  Deliveries(ConsumerScope scope) {
    this.scope = scope;
    this.acks = new Acknowledgements(scope, this::changed);
    this.deadLetters = new DeadLetters(scope, this::changed);
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
    return inFlight.isEmpty() && deadLetters.idle();
  }

  /**
   * Gives an entry to the handler, or dead-letters it at once when its data cannot be read (see {@link EntryData}).
   * An entry whose delivery is under way here already is left to it.
   *
   * @param deliveries this delivery's number: 1 on the first
   */
  void accept(StreamEntry entry, long deliveries) {
    if (isInFlight(entry.id())) {
      // Read again (the group was created anew at an earlier id by someone else): the delivery under way answers
      // for it, and its acknowledgement finds the entry where it is pending now.
      LOG.debug("{}: entry {} read again while its delivery is under way: left to that one", scope.label(),
        entry.id());
      return;
    }
    JsonObject body;
    try {
      body = EntryData.read(entry, scope.options().maxMessageBytes());
    } catch (EntryData.Unreadable e) {
      deadLetters.poison(entry, e.getMessage());
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

  /** Copies an entry to the dead-letter stream, then acknowledges it (see {@link DeadLetters}). */
  void deadLetter(StreamEntry entry, long deliveries, String error) {
    deadLetters.write(entry, deliveries, error);
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
      // The attempt did not reach a handler: the counter in Redis, raised for it, goes back to the deliveries that
      // did, so that whoever delivers the entry next (this instance after a restart, or another consumer) counts right.
      keep(delivery, delivery.deliveries - 1);
      if (stopping) {
        release(delivery);
      } else {
        hold(delivery);
      }
      return;
    }
    settle(id);
    scope.counters().failed.increment();
    if (type == ReplyFailure.TIMEOUT) {
      scope.counters().timedOut.increment();
    }
    String error = FailureLog.describe(cause, scope.options().handlerTimeoutMs());
    if (delivery.deliveries >= scope.options().maxDeliveries()) {
      deadLetter(delivery.entry, delivery.deliveries, error);
    } else {
      failureLog.failed(scope.label(), delivery.deliveries, id, error);
    }
    changed();
  }

  /**
   * No handler at the address is not a failure of the entry: keep it, try again after a capped backoff, and keep it
   * claimed so that it is not reclaimed meanwhile (every attempt claims it again, which resets its idle time).
   */
  private void hold(Delivery delivery) {
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
      // The counter is raised back before the attempt, so that it is right once a handler has the entry (an attempt
      // that finds no handler again sets it back again).
      keep(delivery, delivery.deliveries).onComplete(v -> {
        if (inFlight.get(delivery.entry.id()) == delivery) {
          send(delivery);
        }
      });
    });
  }

  /** Claims the entry again (resetting its idle time) with its delivery counter set to {@code count}. */
  private Future<?> keep(Delivery delivery, long count) {
    return scope.commands().send(StreamCommands.keep(scope.stream(), scope.group(), scope.consumer(),
      delivery.entry.id(), count)).otherwiseEmpty();
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
