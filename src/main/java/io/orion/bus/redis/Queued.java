package io.orion.bus.redis;

import io.vertx.core.Promise;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A command of a {@link RedisLink}: the key it may share a write on (null: none), its deadline, the generation
 * of the connection it went out on (0 while it waits), its reply.
 */
final class Queued {
  final Request request;
  final String key;
  final Promise<Response> reply;
  final long timeoutMs;
  final long deadlineNanos;
  long sentOn;

  Queued(Request request, String key, long timeoutMs) {
    this.request = request;
    this.key = key;
    this.reply = Promise.promise();
    this.timeoutMs = timeoutMs;
    this.deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000;
  }

  boolean isAnswered() {
    return reply.future().isComplete();
  }

  /** Takes from the head of {@code queue} the commands answered or past their deadline, oldest first. */
  static void expire(ArrayDeque<Queued> queue, long now, Consumer<Queued> timedOut) {
    Queued head;
    while ((head = queue.peekFirst()) != null && (head.isAnswered() || head.deadlineNanos <= now)) {
      queue.pollFirst();
      timedOut.accept(head);
    }
  }
}
