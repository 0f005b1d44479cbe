package io.orion.bus.it;

import io.orion.bus.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.launcher.application.ExitCodes;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.length;
import static io.orion.bus.support.BusTesting.consumers;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.groups;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged jar run as {@code java -jar orion-bus.jar -conf <json>}: config, environment and SIGTERM. */
@ExtendWith(VertxExtension.class)
class JarShutdownIT {

  private static final long SHUTDOWN_TIMEOUT_MS = 5_000;
  /** JVM start and exit around the bus's own stop. */
  private static final long EXIT_MARGIN_MS = 5_000;
  /** The exit status of a JVM that ran its shutdown hooks on SIGTERM: 128 + 15. */
  private static final int SIGTERM_EXIT = 143;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final Pattern TOP_LEVEL_MAX_LEN = Pattern.compile("(?<![.\\w])maxLen\\b");
  private static final Pattern HTTP_PORT = Pattern.compile("operations HTTP on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path dir;

  @Test
  void sigtermStopsInTimeAndItsConsumersLeaveTheGroup(Vertx vertx) {
    TestRedis server = TestRedis.shared();
    Redis redis = Redis.createClient(vertx, server.url());
    String prefix = freshPrefix();
    String stream = prefix + ":events";
    String group = fresh("g");
    String base = fresh("c");
    JsonObject config = config(server, prefix, group, base, 2);

    try (ChildProcess bus = startJar("bus", Map.of(), "-conf", config.encode())) {
      until("group " + group + " created", START_TIMEOUT, () -> hasGroup(redis, stream, group));
      // Each instance is in the group from its start, before it is given an entry.
      until("both instances in XINFO CONSUMERS", START_TIMEOUT,
        () -> consumers(redis, stream, group).containsAll(List.of(base + "-0", base + "-1")));
      assertTrue(bus.isAlive(), bus::tail);

      long start = System.nanoTime();
      bus.terminate();
      boolean exited = bus.awaitExit(Duration.ofMillis(SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS));
      long tookMs = (System.nanoTime() - start) / 1_000_000;

      assertTrue(exited, () -> "not exited " + (SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS) + " ms after SIGTERM\n"
        + bus.tail());
      System.out.println("exited " + tookMs + " ms after SIGTERM with " + bus.exitValue());
      assertEquals(SIGTERM_EXIT, bus.exitValue(), bus::tail);
      assertEquals(List.of(), consumers(redis, stream, group), bus::tail);
    }
  }

  @Test
  void invalidConfigFailsNamingTheKey() {
    try (ChildProcess bus = startJar("invalid", Map.of(), "-conf", "{\"maxLen\":-1}")) {
      assertTrue(bus.awaitExit(START_TIMEOUT), () -> "still running with an invalid config\n" + bus.tail());

      // VertxApplication logs the deployment failure and exits with its code for a failed deployment.
      assertEquals(ExitCodes.VERTX_DEPLOYMENT, bus.exitValue(), bus::tail);
      // The key as it was given, at the top level, not as the section that inherits it ("publisher.maxLen").
      assertTrue(TOP_LEVEL_MAX_LEN.matcher(bus.output()).find(), bus::tail);
      assertTrue(bus.output().contains("must be >= 0"), bus::tail);
    }
  }

  @Test
  void aConfThatIsNeitherAFileNorJsonFailsTheStartInsteadOfRunningOnDefaults() {
    try (ChildProcess bus = startJar("bad-conf", Map.of(), "-conf", "{\"redis\":{\"password\":\"s3cret\"},")) {
      assertTrue(bus.awaitExit(START_TIMEOUT), () -> "still running with a broken -conf\n" + bus.tail());

      assertTrue(bus.exitValue() != 0, bus::tail);
      assertTrue(bus.output().contains("cannot start: -conf is not a valid JSON object"), bus::tail);
      assertFalse(bus.output().contains("s3cret"), bus::tail);
      assertFalse(bus.output().contains("Succeeded in deploying"), bus::tail);
    }
  }

  @Test
  void aBrokenDefaultConfigFileFailsTheStartInsteadOfBeingSkipped() throws IOException {
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/config.json"), "{\"maxLen\": 5,");
    try (ChildProcess bus = startJar("bad-file", Map.of())) {
      assertTrue(bus.awaitExit(START_TIMEOUT), () -> "still running with a broken conf/config.json\n" + bus.tail());

      assertEquals(ExitCodes.VERTX_DEPLOYMENT, bus.exitValue(), bus::tail);
      assertTrue(bus.output().contains("cannot read config"), bus::tail);
    } finally {
      Files.delete(dir.resolve("conf/config.json"));
    }
  }

  @Test
  void envVariableOverridesAKey(Vertx vertx) {
    TestRedis server = TestRedis.shared();
    Redis redis = Redis.createClient(vertx, server.url());
    String prefix = freshPrefix();
    String stream = prefix + ":events";
    String confGroup = fresh("from-conf");
    String envGroup = fresh("from-env");
    JsonObject config = config(server, prefix, confGroup, fresh("c"), 1);

    try (ChildProcess bus = startJar("env", Map.of("ORION_CONSUMERS__0__GROUP", envGroup), "-conf",
      config.encode())) {
      until("group " + envGroup + " created", START_TIMEOUT, () -> hasGroup(redis, stream, envGroup));
      bus.awaitOutput("Succeeded in deploying verticle", START_TIMEOUT);

      assertFalse(groups(redis, stream).contains(confGroup), "the group of the -conf JSON was created too");
      bus.terminate();
      assertTrue(bus.awaitExit(Duration.ofMillis(SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS)), bus::tail);
    }
  }

  /**
   * What Kubernetes puts in every pod of a namespace with a Service named {@code orion}, and variables of other
   * tools that share the prefix: none names a config key, so the bus starts and serves as configured, and names
   * them (never their values) in one log line.
   */
  @Test
  void foreignOrionVariablesAreLeftAloneAndNamedOnce(Vertx vertx) throws Exception {
    TestRedis server = TestRedis.shared();
    Redis redis = Redis.createClient(vertx, server.url());
    String prefix = freshPrefix();
    String group = fresh("g");
    JsonObject config = config(server, prefix, group, fresh("c"), 1)
      .put("http", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", 0));
    Map<String, String> foreign = Map.of(
      "ORION_PORT", "tcp://10.0.0.7:8080",
      "ORION_SERVICE_HOST", "10.0.0.7",
      "ORION_SERVICE_PORT", "8080",
      "ORION_PORT_8080_TCP", "tcp://10.0.0.7:8080",
      "ORION_PORT_8080_TCP_ADDR", "10.0.0.7",
      "ORION_PORT_8080_TCP_PORT", "8080",
      "ORION_PORT_8080_TCP_PROTO", "tcp",
      "ORION_CHECKOUT", "/src/orion-checkout",
      "ORION_JAR", "/opt/x.jar");

    try (ChildProcess bus = startJar("foreign-env", foreign, "-conf", config.encode())) {
      bus.awaitOutput("Succeeded in deploying verticle", START_TIMEOUT);
      Matcher listening = HTTP_PORT.matcher(bus.output());
      assertTrue(listening.find(), bus::tail);
      HttpResponse<String> published = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + listening.group(1) + "/publish/event"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"k8s\":1}")).build(),
        HttpResponse.BodyHandlers.ofString());

      assertEquals(202, published.statusCode(), published.body());
      until("the entry in the stream and the group created", START_TIMEOUT,
        () -> hasGroup(redis, prefix + ":events", group) && length(redis, prefix + ":events") == 1);
      List<String> named = bus.output().lines().filter(line -> line.contains("ORION_")).toList();
      assertEquals(1, named.size(), bus::tail);
      for (String name : foreign.keySet()) {
        assertTrue(named.get(0).matches(".*\\b" + name + "\\b.*"), name + " not named: " + named.get(0));
      }
      for (String value : List.of("10.0.0.7", "tcp:", "/src/orion-checkout", "/opt/x.jar")) {
        assertFalse(bus.output().contains(value), value + " shown:\n" + bus.tail());
      }
      bus.terminate();
      assertTrue(bus.awaitExit(Duration.ofMillis(SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS)), bus::tail);
    }
  }

  private ChildProcess startJar(String name, Map<String, String> env, String... args) {
    return ChildProcess.start(name, ChildProcess.javaJar(ChildProcess.orionJar(), args), dir, env);
  }

  private static JsonObject config(TestRedis redis, String prefix, String group, String base, int instances) {
    return new JsonObject()
      .put("redis", new JsonObject().put("connectionString", redis.url()))
      .put("streamPrefix", prefix)
      .put("shutdownTimeoutMs", SHUTDOWN_TIMEOUT_MS)
      .put("consumers", new JsonArray().add(new JsonObject()
        .put("contract", "event")
        .put("group", group)
        .put("consumer", base)
        .put("instances", instances)
        .put("blockMs", 100)));
  }

  /** Whether the stream exists and has the group; false while it does not exist. */
  private static boolean hasGroup(Redis redis, String stream, String group) {
    return cmd(redis, "EXISTS", stream).toInteger() == 1 && groups(redis, stream).contains(group);
  }
}
