package io.orion.bus.consume;

import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Copies entries to the dead-letter stream, then acknowledges them: in that order, so that a crash in between
 * duplicates the dead letter rather than losing the entry. Accessed on the event loop of the instance.
 */
final class DeadLetters {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private final ConsumerScope scope;
  private final Runnable onDone;
  private int writing;

  /** @param onDone called when a dead letter was written and acknowledged, or failed */
  DeadLetters(ConsumerScope scope, Runnable onDone) {
    this.scope = scope;
    this.onDone = onDone;
  }

  /** No dead letter is being written. */
  boolean idle() {
    return writing == 0;
  }

  /** Dead-letters an entry that cannot be delivered (see {@link EntryData}), with deliveries 0. */
  void poison(StreamEntry entry, String why) {
    scope.counters().poison.increment();
    write(entry, 0, why);
  }

  /** @param error one short line: what the dead letter's {@code error} field says */
  void write(StreamEntry entry, long deliveries, String error) {
    writing++;
    scope.commands().send(StreamCommands.deadLetter(scope.deadStream(), entry, scope.group(), deliveries, error))
      .compose(id -> scope.commands().send(StreamCommands.ack(scope.stream(), scope.group(), List.of(entry.id()))))
      .onComplete(ar -> {
        writing--;
        if (ar.succeeded()) {
          scope.counters().deadLettered.increment();
          LOG.warn("{}: entry {} dead-lettered to {} after {} deliveries: {}", scope.label(), entry.id(),
            scope.deadStream(), deliveries, error);
        } else {
          LOG.error("{}: cannot dead-letter entry {} (it stays pending and comes back): {}", scope.label(),
            entry.id(), ar.cause().getMessage());
        }
        onDone.run();
      });
  }
}
