package io.orion.bus.consume;

import io.orion.bus.redis.StreamEntry;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The highest id that the consumers of one stream and group in this process know the group had delivered: what Redis
 * told when they joined the group, and every entry they read since. A group deleted at run time is created again
 * there, so that what was written meanwhile is not skipped (as {@code $} would) and what was delivered before is not
 * delivered again (as {@code 0} would). Shared by the instances, which run on different event loops.
 */
final class GroupPosition {

  private final AtomicReference<String> highest = new AtomicReference<>();

  /** The group has delivered {@code id}. */
  void delivered(String id) {
    highest.accumulateAndGet(id, (current, seen) ->
      current == null || StreamEntry.compareIds(seen, current) > 0 ? seen : current);
  }

  /** The highest id known delivered, or null before any. */
  String highest() {
    return highest.get();
  }
}
