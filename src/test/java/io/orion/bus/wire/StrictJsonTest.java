package io.orion.bus.wire;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StrictJsonTest {

  private static String refusal(String text) {
    return assertThrows(StrictJson.Invalid.class, () -> StrictJson.parseObject(text, "data")).getMessage();
  }

  @Test
  void parsesAnObjectWithEveryJsonType() throws Exception {
    JsonObject json = StrictJson.parseObject(
      "{\"s\":\"café\",\"i\":1,\"l\":12345678901,\"d\":1.5,\"e\":1e300,\"t\":true,\"f\":false,\"n\":null,"
        + "\"a\":[1,{\"x\":[]}],\"o\":{\"k\":\"v\"}}", "data");
    assertEquals("café", json.getString("s"));
    assertEquals(1, json.getInteger("i"));
    assertEquals(12345678901L, json.getLong("l"));
    assertEquals(1.5, json.getDouble("d"));
    assertEquals(1e300, json.getDouble("e"));
    assertEquals(true, json.getBoolean("t"));
    assertEquals(false, json.getBoolean("f"));
    assertEquals(true, json.containsKey("n"));
    assertEquals(new JsonArray().add(1).add(new JsonObject().put("x", new JsonArray())), json.getJsonArray("a"));
    assertEquals("v", json.getJsonObject("o").getString("k"));
  }

  @Test
  void refusesANumberOutOfRangeInsteadOfStoringInfinity() {
    assertEquals("data has a number out of range at column 6", refusal("{\"n\":1e400}"));
    assertEquals("data has a number out of range at column 9", refusal("{\"n\":[1,-1e999]}"));
  }

  @Test
  void refusesComments() {
    assertEquals("data is not valid JSON at column 2", refusal("{/* c */\"a\":1}"));
    assertEquals("data is not valid JSON at line 2, column 1", refusal("{\"a\":1}\n// c"));
  }

  @Test
  void refusesNonNumericNumbersSingleQuotesAndTrailingCommas() {
    assertEquals("data is not valid JSON at column 9", refusal("{\"n\":NaN}"));
    assertEquals("data is not valid JSON at column 2", refusal("{'a':1}"));
    assertEquals("data is not valid JSON at column 8", refusal("{\"a\":1,}"));
  }

  @Test
  void namesTheKindOfAValueThatIsNotAnObject() {
    assertEquals("data is a JSON array, expected an object", refusal("[1,2]"));
    assertEquals("data is a JSON string, expected an object", refusal("\"x\""));
    assertEquals("data is a JSON number, expected an object", refusal("42"));
    assertEquals("data is a JSON null, expected an object", refusal("null"));
    assertEquals("data is empty, expected a JSON object", refusal("  "));
  }

  @Test
  void refusesTruncatedTextAndTrailingContent() {
    assertEquals("data is not valid JSON at column 6", refusal("{\"a\":"));
    assertEquals("data has content after the JSON value at column 9", refusal("{\"a\":1} {}"));
    assertEquals("data is not valid JSON at column 2", refusal("[}"));
  }

  @Test
  void encodesFiniteValuesAsUtf8() throws Exception {
    JsonObject json = new JsonObject().put("who", "café").put("n", 1.5).put("a", new JsonArray().add(2));
    assertEquals("{\"who\":\"café\",\"n\":1.5,\"a\":[2]}",
      new String(StrictJson.encode(json, "message").getBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void refusesToEncodeANumberThatIsNotFinite() {
    JsonObject json = new JsonObject().put("a", new JsonObject().put("b", new JsonArray().add(Double.NaN)));
    assertEquals("message has a number that is not finite at /a/b/0",
      assertThrows(StrictJson.Invalid.class, () -> StrictJson.encode(json, "message")).getMessage());
    assertEquals("message has a number that is not finite at /x", assertThrows(StrictJson.Invalid.class,
      () -> StrictJson.encode(new JsonObject().put("x", Float.POSITIVE_INFINITY), "message")).getMessage());
  }

  @Test
  void refusesToEncodeAValueJsonHasNoFormFor() {
    JsonObject json = new JsonObject().put("t", new Object());
    String message = assertThrows(StrictJson.Invalid.class, () -> StrictJson.encode(json, "message")).getMessage();
    assertEquals(true, message.startsWith("message cannot be encoded as JSON: "), message);
    assertEquals(false, message.contains("\n"), message);
  }
}
