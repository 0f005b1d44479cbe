package io.orion.bus.redis;

import io.vertx.core.Context;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The batched commands of a {@link RedisLink} sent during one pass of the event loop, handed on at its end, each
 * key's together, in the order their keys came: so that each key's go out in one write.
 */
final class PassBatch {

  private final Context context;
  private final Consumer<List<Queued>> onEndOfPass;
  private final List<Queued> pass = new ArrayList<>();
  private boolean scheduled;

  /** @param onEndOfPass takes the commands of a pass, grouped by key (never an empty list) */
  PassBatch(Context context, Consumer<List<Queued>> onEndOfPass) {
    this.context = context;
    this.onEndOfPass = onEndOfPass;
  }

  void add(Queued queued) {
    pass.add(queued);
    if (!scheduled) {
      scheduled = true;
      context.runOnContext(v -> endOfPass());
    }
  }

  int size() {
    return pass.size();
  }

  boolean isEmpty() {
    return pass.isEmpty();
  }

  /** Fails the commands of this pass (the link closed). */
  void failAll(Throwable cause) {
    pass.forEach(queued -> queued.reply.tryFail(cause));
    pass.clear();
  }

  /**
   * The run of commands on {@code head}'s key at the head of {@code waiting}, taken from it with {@code head},
   * at most {@code limit}; those already answered (timed out) are left out.
   */
  static List<Queued> takeRun(Queued head, ArrayDeque<Queued> waiting, int limit) {
    List<Queued> batch = new ArrayList<>();
    batch.add(head);
    Queued next;
    while (batch.size() < limit && (next = waiting.peek()) != null && head.key.equals(next.key)) {
      batch.add(waiting.poll());
    }
    batch.removeIf(Queued::isAnswered);
    return batch;
  }

  private void endOfPass() {
    scheduled = false;
    if (pass.isEmpty()) {
      return;
    }
    List<Queued> grouped;
    String first = pass.get(0).key;
    if (pass.stream().allMatch(queued -> queued.key.equals(first))) {
      grouped = new ArrayList<>(pass);
    } else {
      Map<String, List<Queued>> byKey = new LinkedHashMap<>();
      pass.forEach(queued -> byKey.computeIfAbsent(queued.key, k -> new ArrayList<>()).add(queued));
      grouped = new ArrayList<>(pass.size());
      byKey.values().forEach(grouped::addAll);
    }
    pass.clear();
    onEndOfPass.accept(grouped);
  }
}
