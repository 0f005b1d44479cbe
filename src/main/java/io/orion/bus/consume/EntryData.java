package io.orion.bus.consume;

import io.orion.bus.redis.StreamEntry;
import io.orion.bus.wire.StrictJson;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads an entry's {@code data} as the entry format says it is, whoever wrote it: UTF-8 JSON text (RFC 8259, read by
 * {@link StrictJson}: no comments, no number out of the range of a double) of one object, at most
 * {@code maxMessageBytes} long, which is the publisher's cap too. Anything else is unreadable, with a one-line
 * reason for the dead letter.
 */
final class EntryData {

  /** Why an entry cannot be delivered: the message is one short line, the dead letter's {@code error}. */
  static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  private EntryData() {
  }

  /** The entry's data as a JSON object. */
  static JsonObject read(StreamEntry entry, int maxMessageBytes) throws Unreadable {
    if (entry.data() == null) {
      throw new Unreadable("entry has no 'data' field");
    }
    int bytes = entry.data().length();
    if (bytes > maxMessageBytes) {
      // Checked before anything is parsed: a large entry costs no more than its copy to the dead letters.
      throw new Unreadable("data is " + bytes + " bytes, over maxMessageBytes " + maxMessageBytes);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(entry.data().getBytes()))
        .toString();
    } catch (CharacterCodingException e) {
      // A lenient decoding would deliver replacement characters in place of what the producer meant.
      throw new Unreadable("data is not valid UTF-8");
    }
    try {
      return StrictJson.parseObject(text, "data");
    } catch (StrictJson.Invalid e) {
      throw new Unreadable(e.getMessage());
    }
  }
}
