package io.orion.bus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No config error shows a password or a token, wherever in the config it stands by mistake. */
class ConfigSecretsTest {

  private static final String SECRET = "pw-Zq81";
  private static final String URL = "redis://orion:" + SECRET + "@redis:6379";

  private static JsonObject consumer() {
    return new JsonObject().put("contract", "event").put("group", "g");
  }

  private static JsonObject withConsumer(Object key, Object value) {
    return new JsonObject().put("consumers", new JsonArray().add(consumer().put((String) key, value)));
  }

  static Stream<JsonObject> badConfigsWithAPassword() {
    return Stream.of(
      // A string where an object or a list belongs.
      new JsonObject().put("redis", URL),
      new JsonObject().put("publisher", new JsonObject().put("redis", URL)),
      new JsonObject().put("http", "Bearer " + SECRET),
      new JsonObject().put("consumers", URL),
      new JsonObject().put("redis", new JsonObject().put("netClientOptions", URL)),
      // An object where a value belongs: its content is not shown.
      new JsonObject().put("maxLen", new JsonObject().put("password", SECRET)),
      new JsonObject().put("streamPrefix", new JsonArray().add(URL)),
      new JsonObject().put("redis", new JsonObject().put("endpoints", new JsonArray()
        .add(new JsonObject().put("url", URL)))),
      // A bad URL, or a URL in a key that takes another value.
      new JsonObject().put("redis", new JsonObject().put("connectionString", "http://orion:" + SECRET + "@redis")),
      new JsonObject().put("redis", new JsonObject().put("connectionString", "redis://orion:p w" + SECRET + "@r")),
      new JsonObject().put("redis", new JsonObject().put("endpoints", new JsonArray()
        .add("redis//orion:" + SECRET + "@redis"))),
      new JsonObject().put("redis", new JsonObject().put("endpoints", new JsonArray()
        .add("orion:" + SECRET + "@redis:6379"))),
      new JsonObject().put("redis", new JsonObject().put("connectionString", "tcp://redis?password=" + SECRET)),
      new JsonObject().put("redis", new JsonObject().put("type", URL)),
      new JsonObject().put("redis", new JsonObject().put("preferredProtocolVersion", URL)),
      new JsonObject().put("maxLen", URL),
      new JsonObject().put("streamPrefix", URL + " x"),
      new JsonObject().put("adminAddress", new JsonObject().put("token", SECRET)),
      withConsumer("contract", URL),
      withConsumer("startFrom", URL),
      withConsumer("group", new JsonObject().put("password", SECRET)),
      new JsonObject().put("http", new JsonObject().put("token", "two " + SECRET)),
      new JsonObject().put("http", new JsonObject().put("token", new JsonArray().add(SECRET))),
      new JsonObject().put("http", new JsonObject().put("enabled", URL)));
  }

  @ParameterizedTest
  @MethodSource("badConfigsWithAPassword")
  void aConfigErrorNeverShowsThePassword(JsonObject config) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> BusConfig.fromJson(config));

    for (Throwable e = error; e != null; e = e.getCause()) {
      assertFalse(String.valueOf(e.getMessage()).contains(SECRET), e.toString());
    }
    assertTrue(error.getMessage().startsWith("invalid config key '"), error.getMessage());
  }

  @Test
  void aPasswordInAnEnvironmentVariableIsNotShownEither() {
    JsonObject config = EnvOverrides.apply(new JsonObject(), Map.of("ORION_REDIS", URL));

    String message = assertThrows(IllegalArgumentException.class, () -> BusConfig.fromJson(config)).getMessage();

    assertFalse(message.contains(SECRET), message);
    assertTrue(message.contains("'redis'"), message);
  }

  @ParameterizedTest(name = "{0} shows as {1}")
  @CsvSource(delimiter = '|', value = {
    "redis://orion:s3cret@redis:6379/0|redis://orion:***@redis:6379/0",
    "rediss://:s3cret@redis|rediss://:***@redis",
    "redis://s3cret@redis|redis://***@redis",
    "redis://orion:p@ss@redis|redis://orion:***@redis",
    "redis://orion:p w@redis|redis://orion:***@redis",
    "redis//orion:s3cret@redis|redis//orion:***@redis",
    "orion:s3cret@redis|orion:***@redis",
    "unix:///run/redis.sock?user=orion&password=s3cret|unix:///run/redis.sock?user=orion&password=***",
    "redis://redis:6379|redis://redis:6379",
  })
  void maskHidesThePasswordOfAUrl(String url, String shown) {
    assertEquals(shown, Secrets.mask(url));
  }

  @Test
  void maskTextHidesEachUrlOfAMessage() {
    assertEquals("cannot reach redis://a:***@h1 nor \"rediss://b:***@h2\", sorry",
      Secrets.maskText("cannot reach redis://a:x@h1 nor \"rediss://b:y@h2\", sorry"));
  }

  @Test
  void redisSettingsNeverShowThePasswordAsText() {
    RedisSettings settings = RedisSettings.fromJson(new JsonObject().put("connectionString", URL)
      .put("password", SECRET));

    assertFalse(settings.toString().contains(SECRET), settings.toString());
    assertFalse(BusConfig.fromJson(new JsonObject().put("redis", settings.json())).toString().contains(SECRET));
  }
}
