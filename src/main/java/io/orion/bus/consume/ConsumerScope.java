package io.orion.bus.consume;

import io.orion.bus.config.ConsumerOptions;
import io.orion.bus.config.Names;
import io.vertx.core.Vertx;
import io.orion.bus.redis.RedisLink;

/**
 * What the parts of one consumer instance share: its options, names and the connection for every command but
 * the blocking read.
 *
 * @param consumer this instance's consumer name, {@code {consumer}-{i}}
 * @param commands the pipelined connection for acknowledgements, claims, dead letters and group commands
 */
record ConsumerScope(Vertx vertx, ConsumerOptions options, String consumer, RedisLink commands,
                     ConsumerCounters counters) {

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
