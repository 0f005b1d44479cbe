package io.orion.bus.ops;

import io.orion.bus.publish.PublisherVerticle;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The metadata of an HTTP publish: each header {@code X-Orion-Meta-{name}: value} becomes metadata {@code name},
 * lower-case (HTTP header names are case-insensitive and HTTP/2 sends them lower-case, so one producer must not
 * write {@code meta.Trace-Id} over HTTP/1 and {@code meta.trace-id} over HTTP/2), with its value read as UTF-8.
 */
final class MetaHeaders {

  private MetaHeaders() {
  }

  /**
   * Adds the metadata of {@code headers} to {@code delivery}.
   *
   * @return null, or the reason why a header is not a metadata header (a 400), when nothing should be sent
   */
  static String addTo(MultiMap headers, DeliveryOptions delivery) {
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!name.startsWith(HttpVerticle.META_HEADER_PREFIX)) {
        continue;
      }
      String meta = name.substring(HttpVerticle.META_HEADER_PREFIX.length());
      if (meta.isEmpty() || meta.equals(PublisherVerticle.CONTRACT_HEADER)) {
        return "header '" + header.getKey() + "' is not a metadata name (the contract comes from the path)";
      }
      delivery.addHeader(meta, utf8(header.getValue()));
    }
    return null;
  }

  /**
   * A header value as UTF-8. The HTTP codec gives each byte of a header as one char (ISO-8859-1), so a UTF-8
   * {@code café} arrives as {@code cafÃ©}: a value whose chars are all bytes and that is valid UTF-8 is decoded as
   * such; any other value (plain ASCII, or bytes that are not UTF-8) is kept as it came.
   */
  static String utf8(String value) {
    boolean ascii = true;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c > 0xFF) {
        return value;
      }
      ascii &= c < 0x80;
    }
    if (ascii) {
      return value;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1)))
        .toString();
    } catch (CharacterCodingException e) {
      return value;
    }
  }
}
