package io.orion.bus.bench.common;

/**
 * The data of a benchmark message: the JSON object {@code {"seq":N,"t":T,"p":"xx…"}} with its sequence number,
 * its send time ({@link System#nanoTime()}, or the intended one at a fixed rate) and padding that brings the
 * text to about {@code --payload-bytes}.
 */
public final class Payload {

  /** The field of the sequence number. */
  public static final String SEQ = "seq";
  /** The field of the send time, in {@link System#nanoTime()} nanoseconds. */
  public static final String SENT = "t";
  /** The field of the padding. */
  public static final String PADDING = "p";

  private Payload() {
  }

  /** Padding for messages of about {@code payloadBytes}, sequence numbers below {@code messages}. */
  public static String padding(int payloadBytes, int messages) {
    int base = json(messages, System.nanoTime(), "").length();
    return "x".repeat(Math.max(0, payloadBytes - base));
  }

  /** The JSON text of a message, as {@code JsonObject.encode()} writes it with the fields in this order. */
  public static String json(long seq, long sentNanos, String padding) {
    return "{\"" + SEQ + "\":" + seq + ",\"" + SENT + "\":" + sentNanos + ",\"" + PADDING + "\":\"" + padding
      + "\"}";
  }

  /** A whole-number field of a message's JSON text, read without a parser. */
  public static long field(String json, String name) {
    int at = json.indexOf("\"" + name + "\":");
    if (at < 0) {
      throw new IllegalArgumentException("no field " + name + " in " + json);
    }
    int i = at + name.length() + 3;
    boolean negative = json.charAt(i) == '-';
    if (negative) {
      i++;
    }
    long value = 0;
    for (char c; i < json.length() && (c = json.charAt(i)) >= '0' && c <= '9'; i++) {
      value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
  }
}
