package io.orion.bus.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static io.orion.bus.support.BusTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class EnvOverridesTest {

  @Test
  void variablesMapToKeyPaths() {
    JsonObject config = new JsonObject()
      .put("redis", new JsonObject().put("connectionString", "redis://a:1"))
      .put("consumers", new JsonArray().add(new JsonObject().put("contract", "event").put("group", "g")));

    EnvOverrides.apply(config, Map.of(
      "ORION_MAX_LEN", "5000",
      "ORION_REDIS__CONNECTION_STRING", "redis://b:2",
      "ORION_REDIS__MAX_POOL_SIZE", "12",
      "ORION_CONSUMERS__0__INSTANCES", "4",
      "ORION_CONSUMERS__0__START_FROM", "0",
      "ORION_CONSUMERS__1__CONTRACT", "order",
      "ORION_CONSUMERS__1__GROUP", "123",
      "ORION_PUBLISHER__ADDRESS", "bus.publish",
      "PATH", "/usr/bin"));

    assertEquals(5000, config.getInteger("maxLen"));
    assertEquals("redis://b:2", config.getJsonObject("redis").getString("connectionString"));
    assertEquals(12, config.getJsonObject("redis").getInteger("maxPoolSize"));
    JsonObject first = config.getJsonArray("consumers").getJsonObject(0);
    assertEquals(4, first.getInteger("instances"));
    assertEquals("0", first.getString("startFrom"));
    assertEquals("event", first.getString("contract"));
    JsonObject second = config.getJsonArray("consumers").getJsonObject(1);
    assertEquals("order", second.getString("contract"));
    assertEquals("123", second.getString("group"));
    assertEquals("bus.publish", config.getJsonObject("publisher").getString("address"));
    assertFalse(config.containsKey("PATH"));
    assertFalse(config.containsKey("path"));
  }

  @Test
  void jsonValuesReplaceWholeSections() {
    JsonObject config = EnvOverrides.apply(new JsonObject(), Map.of(
      "ORION_CONSUMERS", "[{\"contract\":\"event\",\"group\":\"g\"}]",
      "ORION_HTTP__ENABLED", "false"));

    assertEquals("g", config.getJsonArray("consumers").getJsonObject(0).getString("group"));
    assertEquals(false, config.getJsonObject("http").getBoolean("enabled"));
  }

  @Test
  void aNameWhereAnIndexBelongsFailsNamingTheVariable() {
    JsonObject config = new JsonObject().put("consumers", new JsonArray());

    String message = assertThrows(IllegalArgumentException.class,
      () -> EnvOverrides.apply(config, Map.of("ORION_CONSUMERS__FIRST__GROUP", "g"))).getMessage();

    assertTrue(message.contains("ORION_CONSUMERS__FIRST__GROUP"), message);
  }

  @Test
  void emptyDeploymentConfigReadsTheConfigFile(Vertx vertx) {
    // Tests run in the project folder, where conf/config.json is the shipped default.
    JsonObject config = await(ConfigLoader.load(vertx, new JsonObject(), Map.of()));

    assertEquals("orion-workers", config.getJsonArray("consumers").getJsonObject(0).getString("group"));
  }

  @Test
  void givenDeploymentConfigIgnoresTheFileAndEnvironmentWins(Vertx vertx) {
    JsonObject deployment = new JsonObject().put("maxLen", 10).put("streamPrefix", "mine");

    JsonObject config = await(ConfigLoader.load(vertx, deployment, Map.of("ORION_MAX_LEN", "20", "HOME", "/root")));

    assertEquals(20, config.getInteger("maxLen"));
    assertEquals("mine", config.getString("streamPrefix"));
    assertFalse(config.containsKey("consumers"), "the file was read: " + config);
    assertFalse(config.containsKey("ORION_MAX_LEN"));
    assertFalse(config.containsKey("HOME"));
  }
}
