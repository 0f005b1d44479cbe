package io.orion.bus.consume;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives each instance of a consumer its index {@code i} in {@code {consumer}-{i}}: the lowest index not in
 * use in this process for the same stream, group and name base, taken back when the instance has stopped and no
 * delivery of it awaits a handler any more. So the instances of a deployment get 0..n-1, and an instance started
 * again takes its old name (and with it its own pending entries), but never while its old handler may still work on
 * them.
 */
final class ConsumerNames {

  private static final Map<String, BitSet> IN_USE = new HashMap<>();

  private ConsumerNames() {
  }

  static synchronized int acquire(String stream, String group, String base) {
    BitSet used = IN_USE.computeIfAbsent(stream + " " + group + " " + base, k -> new BitSet());
    int index = used.nextClearBit(0);
    used.set(index);
    return index;
  }

  /** Whether index {@code index} of the name base is taken. */
  static synchronized boolean inUse(String stream, String group, String base, int index) {
    BitSet used = IN_USE.get(stream + " " + group + " " + base);
    return used != null && used.get(index);
  }

  static synchronized void release(String stream, String group, String base, int index) {
    BitSet used = IN_USE.get(stream + " " + group + " " + base);
    if (used != null) {
      used.clear(index);
    }
  }
}
