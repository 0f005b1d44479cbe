package io.orion.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Entry ids compare in stream order: by time, then by sequence, both unsigned 64-bit. */
class StreamEntryTest {

  @Test
  void idsCompareByTimeThenSequenceUnsigned() {
    assertEquals(0, StreamEntry.compareIds("5-1", "5-1"));
    assertTrue(StreamEntry.compareIds("5-2", "5-10") < 0, "sequence compared as a number, not as text");
    assertTrue(StreamEntry.compareIds("10-0", "9-99") > 0, "time compared as a number, not as text");
    assertTrue(StreamEntry.compareIds("18446744073709551615-0", "9223372036854775807-0") > 0,
      "the largest time Redis allows is above Long.MAX_VALUE");
    assertTrue(StreamEntry.compareIds("0-0", "0-1") < 0);
    assertEquals(0, StreamEntry.compareIds("7", "7-0"), "an id without a sequence has sequence 0");
  }
}
