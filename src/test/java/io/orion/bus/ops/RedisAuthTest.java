package io.orion.bus.ops;

import io.orion.bus.BusVerticle;
import io.orion.bus.support.LogCapture;
import io.orion.bus.support.TestRedis;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.orion.bus.ops.OpsTesting.acceptAll;
import static io.orion.bus.support.BusTesting.busConfig;
import static io.orion.bus.support.BusTesting.deployBus;
import static io.orion.bus.ops.OpsTesting.deployHttp;
import static io.orion.bus.ops.OpsTesting.eventConsumer;
import static io.orion.bus.ops.OpsTesting.get;
import static io.orion.bus.ops.OpsTesting.httpConfig;
import static io.orion.bus.ops.OpsTesting.post;
import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.length;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bus on a Redis with an ACL user and a password for the default user: it works with the user's credentials
 * in the URL, fails clearly with a wrong password, and no password ever shows in a log line or an HTTP answer.
 */
@ExtendWith(VertxExtension.class)
class RedisAuthTest {

  private static final String PASSWORD = "s3cret-" + fresh("pw");
  private static final String DEFAULT_PASSWORD = "default-" + fresh("pw");
  private static TestRedis server;

  /** What the process logs while a test runs. */
  @RegisterExtension
  final LogCapture log = new LogCapture();

  @BeforeAll
  static void startRedis() {
    server = TestRedis.startOwn();
    assertEquals("OK", server.cli("ACL", "SETUSER", "orion", "on", ">" + PASSWORD, "~*", "&*", "+@all"));
    assertEquals("OK", server.cli("CONFIG", "SET", "requirepass", DEFAULT_PASSWORD));
  }

  @AfterAll
  static void stopRedis() {
    server.close();
  }

  private String url(String password) {
    return "redis://orion:" + password + "@" + server.host() + ":" + server.port();
  }

  private JsonObject authSection(String password) {
    return new JsonObject().put("connectionString", url(password));
  }

  private String logged() {
    return log.text();
  }

  @Test
  void theBusWorksWithTheUsersCredentialsAndNeverShowsThePassword(Vertx vertx) {
    String prefix = freshPrefix();
    String address = fresh("deliver");
    AtomicInteger delivered = acceptAll(vertx, address);
    String bus = deployBus(vertx, busConfig(authSection(PASSWORD), prefix,
      new JsonArray().add(eventConsumer("g", address))));
    int port = deployHttp(vertx, httpConfig(url(PASSWORD), prefix + ".publish")).actualPort();
    Redis redis = Redis.createClient(vertx, url(PASSWORD));

    HttpResponse<Buffer> published = post(vertx, port, "/publish/event", "{\"a\":1}");
    until("delivered and acknowledged", () -> delivered.get() == 1 && pending(redis, prefix + ":events", "g") == 0);
    List<HttpResponse<Buffer>> answers = List.of(published, get(vertx, port, "/streams"),
      get(vertx, port, "/health/ready"), get(vertx, port, "/metrics"));
    await(vertx.undeploy(bus));

    assertEquals(202, published.statusCode(), published.bodyAsString());
    assertEquals(1L, length(redis, prefix + ":events"));
    assertEquals(200, answers.get(1).statusCode(), answers.get(1).bodyAsString());
    assertEquals(200, answers.get(2).statusCode(), answers.get(2).bodyAsString());
    for (HttpResponse<Buffer> answer : answers) {
      assertFalse(answer.bodyAsString().contains(PASSWORD), answer.bodyAsString());
    }
    String logged = logged();
    assertTrue(logged.contains("redis://orion:***@"), "the startup lines name the endpoint, masked:\n" + logged);
    assertFalse(logged.contains(PASSWORD), logged);
    assertFalse(logged.contains(DEFAULT_PASSWORD), logged);
  }

  @Test
  void aWrongPasswordFailsClearlyWithoutShowingIt(Vertx vertx) {
    String prefix = freshPrefix();
    String wrong = "wrong-" + fresh("pw");

    String failure = awaitFailure(vertx.deployVerticle(BusVerticle.class, new DeploymentOptions()
      .setConfig(busConfig(authSection(wrong), prefix, new JsonArray().add(eventConsumer("g", fresh("deliver")))))))
      .getMessage();
    int port = deployHttp(vertx, httpConfig(url(wrong), prefix + ".publish")).actualPort();
    HttpResponse<Buffer> ready = get(vertx, port, "/health/ready");
    HttpResponse<Buffer> streams = get(vertx, port, "/streams");

    assertTrue(failure.contains("WRONGPASS"), failure);
    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    assertTrue(ready.bodyAsString().contains("WRONGPASS"), ready.bodyAsString());
    String logged = logged();
    assertTrue(logged.contains("WRONGPASS"), logged);
    for (String shown : List.of(failure, ready.bodyAsString(), streams.bodyAsString(), logged)) {
      assertFalse(shown.contains(wrong), shown);
    }
  }
}
