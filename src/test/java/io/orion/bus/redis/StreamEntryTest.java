package io.orion.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamEntryTest {

  @Test
  void idsAreOrderedByTimeThenSequenceAsNumbers() {
    assertTrue(StreamEntry.compareIds("9-0", "10-0") < 0, "numbers, not text");
    assertTrue(StreamEntry.compareIds("10-2", "10-10") < 0);
    assertTrue(StreamEntry.compareIds("11-0", "10-99") > 0);
    assertEquals(0, StreamEntry.compareIds("0-0", "0-0"));
    assertTrue(StreamEntry.compareIds("18446744073709551615-0", "1-0") > 0, "unsigned 64-bit");
  }
}
