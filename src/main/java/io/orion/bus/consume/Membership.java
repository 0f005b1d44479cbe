package io.orion.bus.consume;

import io.orion.bus.redis.GroupJoin;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamReplies;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure that one consumer instance is in its group, in one step (see {@link StreamCommands#joinGroup}): the group
 * is created when missing, at {@code startFrom} the first time, and where it had got to ({@link GroupPosition}) when
 * this instance has seen it before (deleted at run time, or lost with a Redis that restarted empty); and the consumer
 * is created in it, so that it shows in {@code XINFO CONSUMERS} before it is given an entry. Joined on start, after
 * the group was found missing, and after a lost connection. Accessed on the event loop of the instance.
 */
final class Membership {

  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

  private final ConsumerScope scope;
  private boolean seen;

  Membership(ConsumerScope scope) {
    this.scope = scope;
  }

  /** Creates what is missing of the group and of this consumer in it. */
  Future<Void> join() {
    GroupPosition position = scope.counters().position;
    String from = seen && position.highest() != null ? position.highest() : scope.options().startFrom();
    return scope.commands()
      .send(StreamCommands.joinGroup(scope.stream(), scope.group(), from, scope.consumer()))
      .map(reply -> {
        GroupJoin joined = StreamReplies.joinedGroup(reply);
        position.delivered(joined.lastDeliveredId());
        if (joined.created() && seen) {
          scope.counters().groupsRecreated.increment();
          LOG.info("{}: created group {} on stream {} again, from {}", scope.label(), scope.group(), scope.stream(),
            joined.lastDeliveredId());
        } else if (joined.created()) {
          LOG.info("{}: created group {} on stream {} from {}", scope.label(), scope.group(), scope.stream(), from);
        }
        seen = true;
        return null;
      });
  }
}
