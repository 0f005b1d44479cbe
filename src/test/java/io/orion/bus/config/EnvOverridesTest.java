package io.orion.bus.config;

import io.orion.bus.support.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.orion.bus.support.BusTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
  void keysOfEverySectionApply() {
    JsonObject config = EnvOverrides.apply(new JsonObject(), Map.of(
      "ORION_ADMIN_ADDRESS", "ops",
      "ORION_HTTP__PORT", "9090",
      "ORION_HTTP__TOKEN", "123",
      "ORION_REDIS__HASH_SLOT_CACHE_TTL", "1000",
      "ORION_REDIS__ENDPOINTS__0", "redis://a:1",
      "ORION_REDIS__NET_CLIENT_OPTIONS__HOSTNAME_VERIFICATION_ALGORITHM", "",
      "ORION_PUBLISHER__REDIS__MAX_POOL_SIZE", "3",
      "ORION_CONSUMERS__0__REDIS__PASSWORD", "123",
      "ORION_DEMO__PUBLISH_INTERVAL_MS", "500"));

    assertEquals("ops", config.getString("adminAddress"));
    assertEquals(9090, config.getJsonObject("http").getInteger("port"));
    assertEquals("123", config.getJsonObject("http").getString("token"));
    JsonObject redis = config.getJsonObject("redis");
    assertEquals(1000, redis.getInteger("hashSlotCacheTTL"));
    assertEquals(new JsonArray().add("redis://a:1"), redis.getJsonArray("endpoints"));
    assertEquals("", redis.getJsonObject("netClientOptions").getString("hostnameVerificationAlgorithm"));
    assertEquals(3, config.getJsonObject("publisher").getJsonObject("redis").getInteger("maxPoolSize"));
    assertEquals("123", config.getJsonArray("consumers").getJsonObject(0).getJsonObject("redis")
      .getString("password"));
    assertEquals(500, config.getJsonObject("demo").getInteger("publishIntervalMs"));
  }

  /** What Kubernetes gives every pod of a namespace with a Service named {@code orion}, and other tools' own. */
  static final Map<String, String> FOREIGN = Map.of(
    "ORION_PORT", "tcp://10.0.0.7:8080",
    "ORION_SERVICE_HOST", "10.0.0.7",
    "ORION_SERVICE_PORT", "8080",
    "ORION_SERVICE_PORT_HTTP", "8080",
    "ORION_PORT_8080_TCP", "tcp://10.0.0.7:8080",
    "ORION_PORT_8080_TCP_ADDR", "10.0.0.7",
    "ORION_PORT_8080_TCP_PORT", "8080",
    "ORION_PORT_8080_TCP_PROTO", "tcp",
    "ORION_CHECKOUT", "/src",
    "ORION_JAR", "/x.jar");

  @Test
  void kubernetesServiceVariablesAndOtherToolsVariablesAreLeftAlone() {
    JsonObject config = EnvOverrides.apply(new JsonObject().put("maxLen", 7), FOREIGN);

    assertEquals(new JsonObject().put("maxLen", 7), config);
    assertEquals(Map.of(), EnvOverrides.select(FOREIGN));
    assertEquals(new TreeSet<>(FOREIGN.keySet()), EnvOverrides.ignored(FOREIGN));
    BusConfig.fromJson(config);
  }

  @Test
  void theImagesConfigFileVariableIsNeitherAppliedNorReportedAsIgnored() {
    Map<String, String> env = Map.of("ORION_CONF", "/app/conf/config.json", "ORION_MAX_LEN", "5");

    assertEquals(new JsonObject().put("maxLen", 5), EnvOverrides.apply(new JsonObject(), env));
    assertEquals(Set.of(), EnvOverrides.ignored(env));
  }

  /**
   * A variable names a key only when each segment is exactly the key's upper snake case, or an index where a
   * list is: near misses (a typo, a stray underscore, a segment below a value, a key of another section, a key
   * the top level refuses) name nothing.
   */
  @ParameterizedTest
  @ValueSource(strings = {"ORION_", "ORION_MAXLEN", "ORION_MAX_LEN_", "ORION__MAX_LEN", "ORION_MAX_LEN__",
    "ORION_MAX__LEN", "ORION_Max_Len", "ORION_MAX_LEN__X", "ORION_HTTP__PORT__X", "ORION_HTTP_PORT",
    "ORION_CONSUMERS__FIRST__GROUP", "ORION_CONSUMERS__00__GROUP", "ORION_CONSUMERS__1000__GROUP",
    "ORION_CONSUMERS__0__PORT", "ORION_CONSUMERS____GROUP", "ORION_PUBLISHER__CONTRACT", "ORION_GROUP",
    "ORION_INSTANCES", "ORION_REDIS__CONNECTION_STRINGS", "ORION_REDIS__MAX_POOL_SIZE__X",
    "ORION_REDIS__ENDPOINTS__X", "ORION_REDIS__NET_CLIENT_OPTIONS__trust_all", "ORION_DEMO__X__"})
  void nearMissesNameNoKeyAndAreLeftAlone(String variable) {
    Map<String, String> env = Map.of(variable, "1");

    assertEquals(Map.of(), EnvOverrides.select(env));
    assertEquals(Set.of(variable), EnvOverrides.ignored(env));
    assertEquals(new JsonObject(), EnvOverrides.apply(new JsonObject(), env));
  }

  @Test
  void unknownVariablesAreNamedInOneLogLineWithoutTheirValues(Vertx vertx) {
    Map<String, String> env = new HashMap<>(FOREIGN);
    env.put("ORION_MAX_LEN", "20");
    env.put("HOME", "/root");
    String logged;
    JsonObject config;
    try (LogCapture log = LogCapture.start()) {
      config = await(ConfigLoader.load(vertx, new JsonObject().put("maxLen", 10), env));
      logged = log.text();
    }

    assertEquals(new JsonObject().put("maxLen", 20), config);
    List<String> lines = logged.lines().filter(line -> line.contains("ORION_")).toList();
    assertEquals(1, lines.size(), logged);
    for (String name : FOREIGN.keySet()) {
      assertTrue(lines.get(0).matches(".*\\b" + name + "\\b.*"), name + " not named: " + lines.get(0));
    }
    assertFalse(lines.get(0).contains("ORION_MAX_LEN"), lines.get(0));
    String withoutNames = lines.get(0).replaceAll("ORION_[A-Z0-9_]+", "");
    for (String value : FOREIGN.values()) {
      assertFalse(withoutNames.contains(value), value + " shown: " + lines.get(0));
    }
    for (String value : List.of("10.0.0.7", "/x.jar")) {
      assertFalse(logged.contains(value), value + " shown: " + logged);
    }
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
