package io.orion.bus.consume;

import io.orion.bus.config.ConsumerOptions;
import io.orion.bus.config.Names;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

/**
 * What the parts of one consumer instance share: its options, names and Redis client (pooled, for every
 * command but the blocking read).
 *
 * @param consumer this instance's consumer name, {@code {consumer}-{i}}
 */
record ConsumerScope(Vertx vertx, ConsumerOptions options, String consumer, Redis client, ConsumerCounters counters) {

  String stream() {
    return options.stream();
  }

  String deadStream() {
    return Names.deadLetters(options.stream());
  }

  String group() {
    return options.group();
  }

  /** {@code stream/group/consumer}, the prefix of every log line. */
  String label() {
    return options.stream() + "/" + options.group() + "/" + consumer;
  }
}
