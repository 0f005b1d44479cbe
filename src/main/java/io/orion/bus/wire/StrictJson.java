package io.orion.bus.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON as the wire format means it (RFC 8259), at both ends of a stream: the publisher writes and the consumer
 * reads only what every other language's JSON library reads back unchanged. Vert.x's own parser accepts
 * {@code /* comments *}{@code /} and turns {@code 1e400} into an infinity that is written back as the string
 * {@code "Infinity"}; this class refuses both.
 * <p>
 * Errors are {@link Invalid}, whose message is one short line naming the cause and where, for example
 * {@code data is not valid JSON at column 6}, {@code data is a JSON array, expected an object},
 * {@code data has a number out of range at column 7}.
 */
public final class StrictJson {

  /** A text or value that is not strict JSON; the message is one line, fit for a reply or a dead letter. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** Jackson's defaults: no comments, no NaN, no single quotes, no trailing commas. */
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private StrictJson() {
  }

  /**
   * Parses {@code text} as one JSON object.
   *
   * @param what how the text is named in errors, e.g. {@code data} or {@code body}
   */
  public static JsonObject parseObject(String text, String what) throws Invalid {
    if (text.isBlank()) {
      throw new Invalid(what + " is empty, expected a JSON object");
    }
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        // Read the whole value first: invalid JSON is reported as such, not as a value of the wrong kind.
        value(parser, what);
        trailing(parser, what);
        throw new Invalid(what + " is a JSON " + kind(first) + ", expected an object");
      }
      Map<String, Object> map = object(parser, what);
      trailing(parser, what);
      return new JsonObject(map);
    } catch (JsonProcessingException e) {
      throw new Invalid(what + " is not valid JSON" + at(e.getLocation()));
    } catch (IOException e) {
      throw new Invalid(what + " cannot be read: " + e.getMessage());
    }
  }

  /**
   * Encodes {@code json} as UTF-8 JSON text, refusing what JSON cannot hold: numbers that are not finite, and
   * values Vert.x has no JSON form for.
   *
   * @param what how the value is named in errors, e.g. {@code message}
   */
  public static Buffer encode(JsonObject json, String what) throws Invalid {
    check(json.getMap(), what, "");
    try {
      return json.toBuffer();
    } catch (EncodeException | IllegalStateException e) {
      throw new Invalid(what + " cannot be encoded as JSON: " + firstLine(e.getMessage()));
    }
  }

  private static void trailing(JsonParser parser, String what) throws IOException, Invalid {
    if (parser.nextToken() != null) {
      throw new Invalid(what + " has content after the JSON value" + at(parser.currentTokenLocation()));
    }
  }

  private static Map<String, Object> object(JsonParser parser, String what) throws IOException, Invalid {
    Map<String, Object> map = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      map.put(name, value(parser, what));
    }
    return map;
  }

  private static List<Object> array(JsonParser parser, String what) throws IOException, Invalid {
    List<Object> list = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      list.add(value(parser, what));
    }
    return list;
  }

  /** The value at the parser's current token, in the types Vert.x's JsonObject holds. */
  private static Object value(JsonParser parser, String what) throws IOException, Invalid {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT:
        return new JsonObject(object(parser, what));
      case START_ARRAY:
        return new JsonArray(array(parser, what));
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return parser.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        double number = parser.getDoubleValue();
        if (Double.isInfinite(number)) {
          throw new Invalid(what + " has a number out of range" + at(parser.currentTokenLocation()));
        }
        return number;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new Invalid(what + " is not valid JSON" + at(parser.currentTokenLocation()));
    }
  }

  private static void check(Object value, String what, String path) throws Invalid {
    if (value instanceof JsonObject object) {
      check(object.getMap(), what, path);
    } else if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        check(entry.getValue(), what, path + "/" + entry.getKey());
      }
    } else if (value instanceof JsonArray array) {
      check(array.getList(), what, path);
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        check(list.get(i), what, path + "/" + i);
      }
    } else if (value instanceof Double || value instanceof Float) {
      if (!Double.isFinite(((Number) value).doubleValue())) {
        throw new Invalid(what + " has a number that is not finite at " + pointer(path));
      }
    }
  }

  private static String pointer(String path) {
    return path.isEmpty() ? "/" : path;
  }

  private static String kind(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_ARRAY -> "array";
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      default -> "value";
    };
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getColumnNr() < 1) {
      return "";
    }
    return location.getLineNr() > 1
      ? " at line " + location.getLineNr() + ", column " + location.getColumnNr()
      : " at column " + location.getColumnNr();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown reason";
    }
    int end = message.indexOf('\n');
    return end < 0 ? message : message.substring(0, end);
  }
}
