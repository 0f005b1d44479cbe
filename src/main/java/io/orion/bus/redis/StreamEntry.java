package io.orion.bus.redis;

import io.vertx.core.buffer.Buffer;

import java.util.Map;

/**
 * One stream entry as the bus reads it: its {@code data} field and its {@code meta.{name}} fields (other
 * fields are ignored). An entry that is still pending but was trimmed or deleted from the stream has
 * {@code deleted} set and neither data nor metadata.
 *
 * @param id      the entry id, e.g. {@code 1764201600000-0}
 * @param data    the {@code data} field as it is in Redis, or null where it is absent
 * @param meta    the metadata, by name without the {@code meta.} prefix, in stream order
 * @param deleted whether the entry is gone from the stream
 */
public record StreamEntry(String id, Buffer data, Map<String, String> meta, boolean deleted) {

  /** The field that holds the message. */
  public static final String DATA = "data";
  /** The prefix of metadata fields. */
  public static final String META_PREFIX = "meta.";

  /**
   * Orders two entry ids ({@code ms-seq}, both parts unsigned 64-bit numbers) as Redis does: negative when {@code a}
   * comes before {@code b}.
   */
  public static int compareIds(String a, String b) {
    int dashA = a.indexOf('-');
    int dashB = b.indexOf('-');
    int byMs = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, dashA)),
      Long.parseUnsignedLong(b.substring(0, dashB)));
    return byMs != 0 ? byMs : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(dashA + 1)),
      Long.parseUnsignedLong(b.substring(dashB + 1)));
  }

  /** A pending id whose entry is gone. */
  public static StreamEntry gone(String id) {
    return new StreamEntry(id, null, Map.of(), true);
  }
}
