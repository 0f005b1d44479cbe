package io.orion.bus.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.embedded.core.ExecutableProvider;

class TestRedisTest {

  private static String freshKey() {
    return "orion-test:" + UUID.randomUUID();
  }

  @Test
  void sharedIsOneRedisThatAnswersPing() {
    TestRedis redis = TestRedis.shared();

    assertSame(redis, TestRedis.shared());
    assertEquals("PONG", redis.cli("PING"));
    assertTrue(redis.isRunning());
  }

  @Test
  void sharedKeepsWhatATestWrites() {
    TestRedis redis = TestRedis.shared();
    String key = freshKey();

    assertEquals("OK", redis.cli("SET", key, "v", "PX", "60000"));
    assertEquals("v", redis.cli("GET", key));
    assertEquals("1", redis.cli("DEL", key));
  }

  @Test
  void ownRedisIsUnreachableWhenStoppedAndAnswersAgainOnSamePort() {
    try (TestRedis redis = TestRedis.startOwn()) {
      int port = redis.port();
      assertEquals("redis://127.0.0.1:" + port, redis.url());
      assertEquals("PONG", redis.cli("PING"));

      redis.stop();
      assertFalse(redis.isRunning());
      assertThrows(IllegalStateException.class, () -> redis.cli("PING"));

      redis.start();
      assertTrue(redis.isRunning());
      assertEquals(port, redis.port());
      assertEquals("PONG", redis.cli("PING"));
    }
  }

  @Test
  void ownRedisWithAppendOnlyKeepsDataAcrossStopAndStart() {
    try (TestRedis redis = TestRedis.startOwn("--appendonly", "yes")) {
      String key = freshKey();
      assertEquals("yes", redis.cli("CONFIG", "GET", "appendonly").lines().skip(1).findFirst()
          .orElseThrow());
      assertEquals("OK", redis.cli("SET", key, "kept"));

      redis.stop();
      redis.start();

      assertEquals("kept", redis.cli("GET", key));
    }
  }

  @Test
  void ownRedisWithoutPersistenceStartsEmptyAfterRestart() {
    try (TestRedis redis = TestRedis.startOwn()) {
      String key = freshKey();
      assertEquals("OK", redis.cli("SET", key, "lost"));

      redis.stop();
      redis.start();

      assertEquals("0", redis.cli("EXISTS", key));
    }
  }

  @Test
  void killStopsOwnRedisAtOnceAndItCanStartAgain() {
    try (TestRedis redis = TestRedis.startOwn()) {
      redis.kill();
      assertFalse(redis.isRunning());
      assertThrows(IllegalStateException.class, () -> redis.cli("PING"));

      redis.start();
      assertEquals("PONG", redis.cli("PING"));
    }
  }

  @Test
  void startWhileRunningFails() {
    try (TestRedis redis = TestRedis.startOwn()) {
      assertThrows(IllegalStateException.class, redis::start);
      assertEquals("PONG", redis.cli("PING"));
    }
  }

  @Test
  void closeStopsOwnRedisAndIsIdempotent() {
    TestRedis redis = TestRedis.startOwn();

    redis.close();
    redis.close();

    assertFalse(redis.isRunning());
    assertThrows(IllegalStateException.class, () -> redis.cli("PING"));
    assertThrows(IllegalStateException.class, redis::start);
  }

  @Test
  void startOwnFailsWithTheLogTailWhenRedisRejectsItsArguments() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TestRedis.startOwn("--no-such-option", "x"));

    assertTrue(e.getMessage().contains("exited with code"), e.getMessage());
    assertTrue(e.getMessage().contains("no-such-option"), e.getMessage());
  }

  @Test
  void respFallbackRendersRepliesLikeRedisCli() throws IOException {
    try (TestRedis redis = TestRedis.startOwn()) {
      String key = freshKey();
      String list = freshKey();
      redis.cli("SET", key, "v");
      redis.cli("RPUSH", list, "a", "b");
      // Read-only commands, so each can be sent twice with the same reply.
      List<List<String>> commands = List.of(
          List.of("PING"), List.of("GET", key), List.of("GET", freshKey()),
          List.of("EXISTS", key, list), List.of("LRANGE", list, "0", "-1"),
          List.of("NO-SUCH-COMMAND"));

      for (List<String> command : commands) {
        String viaSocket = RespClient.call(redis.host(), redis.port(), 5_000, List.of(command));
        String viaCli = redis.cli(command.toArray(String[]::new));
        assertEquals(viaCli, viaSocket, "reply to " + command);
      }
    }
  }

  @Test
  void versionIsTheOneTheBinaryReports() throws Exception {
    try (TestRedis redis = TestRedis.startOwn()) {
      assertEquals(versionPrintedBy(TestRedis.serverBinary()), redis.version().toString());
      assertTrue(redis.atLeast(redis.version().major(), redis.version().minor()));
      assertFalse(redis.atLeast(redis.version().major() + 1, 0));
    }
  }

  @Test
  void ownRedisRunsTheBinaryTheSettingNames() throws Exception {
    Path embedded = ExecutableProvider.newJarResourceProvider().get().toPath();
    String printed = versionPrintedBy(embedded);

    withProperty("test.redis.server", embedded.toString(), () -> {
      try (TestRedis redis = TestRedis.startOwn()) {
        assertEquals(embedded, TestRedis.serverBinary());
        assertEquals(printed, redis.version().toString());
      }
    });
  }

  @Test
  void aSettingThatNamesNoExecutableFailsWithTheName() {
    withProperty("test.redis.server", "/no/such/redis-server", () -> {
      IllegalStateException e = assertThrows(IllegalStateException.class, TestRedis::startOwn);
      assertTrue(e.getMessage().contains("TEST_REDIS_SERVER"), e.getMessage());
      assertTrue(e.getMessage().contains("/no/such/redis-server"), e.getMessage());
    });
  }

  @Test
  void anotherVersionThanTheExpectedOneFailsTheStart() {
    withProperty("test.redis.version", "1.0", () -> {
      IllegalStateException e = assertThrows(IllegalStateException.class, TestRedis::startOwn);
      assertTrue(e.getMessage().contains("asks for 1.0"), e.getMessage());
    });
  }

  /** What {@code redis-server --version} prints after {@code v=}, e.g. 7.0.15. */
  private static String versionPrintedBy(Path binary) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), "redis-server --version did not exit");
    Matcher m = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)").matcher(output);
    assertTrue(m.find(), output);
    return m.group(1);
  }

  /** Runs {@code body} with the system property set to {@code value}, then puts back what it was. */
  private static void withProperty(String property, String value, Runnable body) {
    String before = System.getProperty(property);
    System.setProperty(property, value);
    try {
      body.run();
    } finally {
      if (before == null) {
        System.clearProperty(property);
      } else {
        System.setProperty(property, before);
      }
    }
  }
}
