package io.orion.bus.ops;

import io.orion.bus.config.HttpOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpOptionsTest {

  @Test
  void anAbsentSectionIsDisabledWithTheDefaults() {
    HttpOptions options = HttpOptions.fromJson(null);

    assertFalse(options.enabled());
    assertEquals("0.0.0.0", options.host());
    assertEquals(8080, options.port());
    assertNull(options.token());
    assertFalse(options.allowAnonymousWrites());
    assertNull(options.maxBodyBytes());
    assertFalse(options.tls());
    assertEquals(5_000, options.metricsRefreshMs());
    assertEquals(HttpOptions.fromJson(new JsonObject()), options);
  }

  @Test
  void toJsonGivesBackTheSameOptions() {
    JsonObject section = new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", 9090)
      .put("token", "abc").put("maxBodyBytes", 2048).put("metricsRefreshMs", 250)
      .put("tlsCertPath", "/certs/cert.pem").put("tlsKeyPath", "/certs/key.pem");
    JsonObject anonymous = new JsonObject().put("enabled", true).put("host", "0.0.0.0").put("port", 8080)
      .put("metricsRefreshMs", 5_000).put("allowAnonymousWrites", true);

    HttpOptions options = HttpOptions.fromJson(section);

    assertEquals(section, options.toJson());
    assertTrue(options.tls());
    assertEquals(anonymous, HttpOptions.fromJson(anonymous).toJson());
    assertEquals(options, HttpOptions.fromJson(options.toJson()));
    assertEquals(HttpOptions.fromJson(null), HttpOptions.fromJson(HttpOptions.fromJson(null).toJson()));
  }

  @Test
  void invalidValuesFailNamingTheKey() {
    Map<String, Object> invalid = Map.of("port", 70_000, "enabled", "yes", "host", "", "token", "two words",
      "maxBodyBytes", 0, "metricsRefreshMs", 0, "allowAnonymousWrites", "yes", "tlsCertPath", 5,
      "tlsKeyPath", "");
    invalid.forEach((key, value) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HttpOptions.fromJson(new JsonObject().put(key, value)), key);
      assertTrue(e.getMessage().contains("'http." + key + "'"), e.getMessage());
    });
    assertTrue(assertThrows(IllegalArgumentException.class,
      () -> HttpOptions.fromJson(new JsonObject().put("port", "8080"))).getMessage().contains("'http.port'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
      () -> HttpOptions.fromJson(new JsonObject().put("port", 1.5))).getMessage().contains("'http.port'"));
  }

  @Test
  void aTokenAndAllowAnonymousWritesContradictEachOther() {
    String message = assertThrows(IllegalArgumentException.class, () -> HttpOptions.fromJson(new JsonObject()
      .put("token", "s3cret").put("allowAnonymousWrites", true))).getMessage();

    assertTrue(message.contains("'http.allowAnonymousWrites'") && message.contains("http.token"), message);
    assertFalse(message.contains("s3cret"), message);
  }

  @Test
  void httpsTakesTheCertificateAndTheKeyTogether() {
    String noKey = assertThrows(IllegalArgumentException.class, () -> HttpOptions.fromJson(new JsonObject()
      .put("tlsCertPath", "/certs/cert.pem"))).getMessage();
    String noCert = assertThrows(IllegalArgumentException.class, () -> HttpOptions.fromJson(new JsonObject()
      .put("tlsKeyPath", "/certs/key.pem"))).getMessage();

    assertTrue(noKey.contains("'http.tlsKeyPath'") && noKey.contains("http.tlsCertPath"), noKey);
    assertTrue(noCert.contains("'http.tlsCertPath'") && noCert.contains("http.tlsKeyPath"), noCert);
  }

  @Test
  void unknownKeysAreRejected() {
    String message = assertThrows(IllegalArgumentException.class,
      () -> HttpOptions.fromJson(new JsonObject().put("prot", 1))).getMessage();

    assertTrue(message.contains("'http.prot'") && message.contains("port"), message);
  }

  @Test
  void theTokenNeverShowsInMessages() {
    String message = assertThrows(IllegalArgumentException.class,
      () -> HttpOptions.fromJson(new JsonObject().put("token", 918273645))).getMessage();

    assertTrue(message.contains("'http.token'"), message);
    assertFalse(message.contains("918273645"), message);
    assertFalse(HttpOptions.fromJson(new JsonObject().put("token", "s3cret")).toString().contains("s3cret"));
  }

  @Test
  void theBodyLimitFollowsMaxMessageBytesUnlessSet() {
    assertEquals(1_000 + HttpOptions.DEFAULT_BODY_SLACK_BYTES, HttpOptions.fromJson(null).bodyLimit(1_000));
    assertEquals(64, HttpOptions.fromJson(new JsonObject().put("maxBodyBytes", 64)).bodyLimit(1_000));
  }
}
