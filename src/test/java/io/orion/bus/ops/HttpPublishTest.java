package io.orion.bus.ops;

import io.orion.bus.config.HttpOptions;
import io.orion.bus.publish.PublisherVerticle;
import io.orion.bus.redis.StreamEntry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.redis.client.Response;
import io.orion.bus.support.BusTesting;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.orion.bus.ops.OpsTesting.deployHttp;
import static io.orion.bus.ops.OpsTesting.error;
import static io.orion.bus.ops.OpsTesting.get;
import static io.orion.bus.ops.OpsTesting.httpConfig;
import static io.orion.bus.ops.OpsTesting.post;
import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.entries;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /publish/{contract}}: answers, limits and the bearer token. */
@ExtendWith(VertxExtension.class)
class HttpPublishTest {

  private static final String TOKEN = "t0ken-" + fresh("x");

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  /** A publisher on the shared Redis with {@code extra} config, and an HTTP server in front of it. */
  private int start(Vertx vertx, JsonObject publisherExtra, JsonObject httpExtra) {
    deploy(vertx, PublisherVerticle.class, bus.publisherConfig().mergeIn(publisherExtra), 1);
    return deployHttp(vertx, httpConfig(bus.server().url(), bus.address()).mergeIn(httpExtra)).actualPort();
  }

  private int start(Vertx vertx) {
    return start(vertx, new JsonObject(), new JsonObject());
  }

  @Test
  void publishAnswers202WithTheIdOfTheEntryAndItsMetadata(Vertx vertx) {
    int port = start(vertx);

    HttpResponse<Buffer> response = post(vertx, port, "/publish/event", "{\"order\": 42}",
      Map.of("X-Orion-Meta-Source", "web", "Content-Type", "application/json"));

    assertEquals(202, response.statusCode(), response.bodyAsString());
    String id = response.bodyAsJsonObject().getString("id");
    List<StreamEntry> entries = entries(bus.redis(), bus.stream());
    assertEquals(1, entries.size());
    assertEquals(id, entries.get(0).id());
    assertEquals(new JsonObject().put("order", 42), new JsonObject(entries.get(0).data()));
    assertEquals(Map.of("source", "web"), entries.get(0).meta());
  }

  @Test
  void metadataNamesFromHttpHeadersAreStoredLowerCaseOverHttp1AndHttp2(Vertx vertx) {
    int port = start(vertx);
    WebClient http2 = WebClient.create(vertx, new WebClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
      .setHttp2ClearTextUpgrade(false));

    HttpResponse<Buffer> first = post(vertx, port, "/publish/event", "{}", Map.of("X-Orion-Meta-Trace-Id", "t-1"));
    HttpResponse<Buffer> second = post(http2, OpsTesting.HOST, port, "/publish/event", "{}",
      Map.of("x-orion-meta-trace-id", "t-2"));

    assertEquals(202, first.statusCode(), first.bodyAsString());
    assertEquals(202, second.statusCode(), second.bodyAsString());
    assertEquals(HttpVersion.HTTP_2, second.version());
    List<StreamEntry> entries = entries(bus.redis(), bus.stream());
    assertEquals(Map.of("trace-id", "t-1"), entries.get(0).meta());
    assertEquals(Map.of("trace-id", "t-2"), entries.get(1).meta());
  }

  @Test
  void utf8MetadataValuesAreStoredAsTheirUtf8Bytes(Vertx vertx) throws IOException {
    int port = start(vertx);

    rawPublish(port, "X-Orion-Meta-Who: café".getBytes(StandardCharsets.UTF_8));

    assertArrayEquals("café".getBytes(StandardCharsets.UTF_8), storedField("meta.who"));
  }

  @Test
  void metadataValuesThatAreNotUtf8AreReadAsLatin1(Vertx vertx) throws IOException {
    int port = start(vertx);

    rawPublish(port, "X-Orion-Meta-Who: café".getBytes(StandardCharsets.ISO_8859_1));

    assertArrayEquals("café".getBytes(StandardCharsets.UTF_8), storedField("meta.who"));
  }

  /** A {@code POST /publish/event} of {@code {}} written byte for byte, with one more header line; must get 202. */
  private static void rawPublish(int port, byte[] headerLine) throws IOException {
    try (Socket socket = new Socket(OpsTesting.HOST, port)) {
      socket.setSoTimeout((int) BusTesting.TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(("POST /publish/event HTTP/1.1\r\nHost: " + OpsTesting.HOST + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nConnection: close\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(headerLine);
      out.write("\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 202"), answer);
    }
  }

  /** The raw bytes of field {@code name} of the stream's only entry, as Redis holds them. */
  private byte[] storedField(String name) {
    Response fields = cmd(bus.redis(), "XRANGE", bus.stream(), "-", "+").get(0).get(1);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      if (name.equals(fields.get(i).toString())) {
        return fields.get(i + 1).toBytes();
      }
    }
    throw new AssertionError("no field " + name + " in the entry");
  }

  @Test
  void publishRejectsWhatIsNotAJsonObjectWith400(Vertx vertx) {
    int port = start(vertx);

    for (String body : List.of("{\"broken\": ", "[1, 2]", "\"text\"", "", "null")) {
      HttpResponse<Buffer> response = post(vertx, port, "/publish/event", body);
      assertEquals(400, response.statusCode(), body + " -> " + response.bodyAsString());
      assertNotNull(error(response), response.bodyAsString());
    }
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong());
  }

  @Test
  void publishPassesThePublishersRejectionThroughWith400(Vertx vertx) {
    int port = start(vertx);

    HttpResponse<Buffer> invalid = post(vertx, port, "/publish/Not-A-Contract", "{}");
    HttpResponse<Buffer> reserved = post(vertx, port, "/publish/event", "{}", Map.of("X-Orion-Meta-Id", "1"));
    HttpResponse<Buffer> contractAsMeta = post(vertx, port, "/publish/event", "{}",
      Map.of("X-Orion-Meta-Contract", "order"));

    assertEquals(400, invalid.statusCode(), invalid.bodyAsString());
    assertTrue(error(invalid).contains("invalid contract \"Not-A-Contract\""), error(invalid));
    assertEquals(400, reserved.statusCode(), reserved.bodyAsString());
    assertTrue(error(reserved).contains("reserved"), error(reserved));
    assertEquals(400, contractAsMeta.statusCode(), contractAsMeta.bodyAsString());
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong());
  }

  @Test
  void publishRefusesWhatIsNotStrictJsonWith400NamingWhyAndWritesNothing(Vertx vertx) {
    int port = start(vertx);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("{\"n\":1e400}", "body has a number out of range at column 6");
    expected.put("{\"a\":1 /* c */}", "body is not valid JSON at column 8");
    expected.put("// c\n{\"a\":1}", "body is not valid JSON at column 1");
    expected.put("{\"n\":NaN}", "body is not valid JSON at column 9");
    expected.put("[1, 2]", "body is a JSON array, expected an object");
    expected.put("{\"a\":1} {\"b\":2}", "body has content after the JSON value at column 9");
    expected.put("", "body is empty, expected a JSON object");

    expected.forEach((body, message) -> {
      HttpResponse<Buffer> response = post(vertx, port, "/publish/event", body);
      assertEquals(400, response.statusCode(), body + " -> " + response.bodyAsString());
      assertEquals(message, error(response), body);
    });
    HttpResponse<Buffer> latin1 = await(WebClient.create(vertx).post(port, OpsTesting.HOST, "/publish/event")
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"a\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1))));
    assertEquals(400, latin1.statusCode(), latin1.bodyAsString());
    assertEquals("body is not valid UTF-8", error(latin1));
    assertEquals(0L, cmd(bus.redis(), "XLEN", bus.stream()).toLong());
  }

  @Test
  void publishOfAContractOutsideTheAllowListIs400(Vertx vertx) {
    int port = start(vertx, new JsonObject().put("contracts", new JsonArray().add("event")), new JsonObject());

    HttpResponse<Buffer> other = post(vertx, port, "/publish/order", "{}");
    HttpResponse<Buffer> allowed = post(vertx, port, "/publish/event", "{}");

    assertEquals(400, other.statusCode(), other.bodyAsString());
    assertEquals("unknown contract \"order\": not in publisher.contracts", error(other));
    assertEquals(0L, cmd(bus.redis(), "XLEN", bus.prefix() + ":orders").toLong());
    assertEquals(202, allowed.statusCode(), allowed.bodyAsString());
  }

  @Test
  void metricSeriesStopGrowingAtMaxContracts(Vertx vertx) {
    int port = start(vertx, new JsonObject().put("maxContracts", 2), new JsonObject());
    List<String> contracts = List.of("event", "order", "audit", "spam-1", "spam-2");
    List<Integer> statuses = new ArrayList<>();

    for (String contract : contracts) {
      statuses.add(post(vertx, port, "/publish/" + contract, "{}").statusCode());
    }
    String metrics = get(vertx, port, "/metrics").bodyAsString();

    try {
      assertEquals(List.of(202, 202, 400, 400, 400), statuses);
      for (String meter : List.of("orion_published_total", "orion_publish_rejected_total",
        "orion_publish_unavailable_total")) {
        List<String> series = metrics.lines().filter(line -> line.startsWith(meter + "{")
          && line.contains("stream=\"" + bus.prefix() + ":")).toList();
        assertEquals(2, series.size(), meter + ": " + series);
      }
      assertEquals(1.0, OpsTesting.sample(metrics, "orion_published_total", "stream", bus.stream()));
      assertNotNull(OpsTesting.sample(metrics, "orion_publish_rejected_total", "stream", ""),
        "refusals past the cap count under stream=\"\"");
    } finally {
      cmd(bus.redis(), "DEL", bus.prefix() + ":orders");
    }
  }

  @Test
  void aBodyOverTheLimitGets413AndOneOverMaxMessageBytesGets400(Vertx vertx) {
    // The body limit follows the publisher's maxMessageBytes, with room for the spaces of a pretty body.
    JsonObject limits = new JsonObject().put("maxMessageBytes", 100);
    int port = start(vertx, limits, limits);
    String overMessage = new JsonObject().put("pad", "x".repeat(200)).encode();
    String overBody = new JsonObject().put("pad", "x".repeat(100 + HttpOptions.DEFAULT_BODY_SLACK_BYTES)).encode();

    HttpResponse<Buffer> tooLarge = post(vertx, port, "/publish/event", overBody);
    HttpResponse<Buffer> overLimit = post(vertx, port, "/publish/event", overMessage);

    assertEquals(413, tooLarge.statusCode(), tooLarge.bodyAsString());
    assertNotNull(error(tooLarge), tooLarge.bodyAsString());
    assertEquals(400, overLimit.statusCode(), overLimit.bodyAsString());
    assertTrue(error(overLimit).contains("maxMessageBytes"), error(overLimit));
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong());
  }

  @Test
  void maxBodyBytesSetsTheLimitItself(Vertx vertx) {
    int port = start(vertx, new JsonObject(), new JsonObject().put("maxBodyBytes", 64));

    HttpResponse<Buffer> small = post(vertx, port, "/publish/event", "{\"a\":1}");
    HttpResponse<Buffer> large = post(vertx, port, "/publish/event", new JsonObject().put("a", "y".repeat(64))
      .encode());

    assertEquals(202, small.statusCode(), small.bodyAsString());
    assertEquals(413, large.statusCode(), large.bodyAsString());
  }

  @Test
  void publishAnswers503WhenRedisIsUnreachable(Vertx vertx) {
    deploy(vertx, PublisherVerticle.class, bus.publisherConfig()
      .put("redis", new JsonObject().put("connectionString", "redis://127.0.0.1:1")), 1);
    int port = deployHttp(vertx, httpConfig(bus.server().url(), bus.address())).actualPort();

    HttpResponse<Buffer> response = post(vertx, port, "/publish/event", "{}");

    assertEquals(503, response.statusCode(), response.bodyAsString());
    assertNotNull(error(response));
  }

  @Test
  void publishAnswers503WithoutAPublisher(Vertx vertx) {
    int port = deployHttp(vertx, httpConfig(bus.server().url(), bus.address())).actualPort();

    HttpResponse<Buffer> response = post(vertx, port, "/publish/event", "{}");

    assertEquals(503, response.statusCode(), response.bodyAsString());
    assertTrue(error(response).contains(bus.address()), error(response));
  }

  @Test
  void withATokenPublishAndScaleRequireItAndTheRestStaysOpen(Vertx vertx) {
    int port = start(vertx, new JsonObject(), new JsonObject().put("token", TOKEN));

    HttpResponse<Buffer> none = post(vertx, port, "/publish/event", "{}");
    HttpResponse<Buffer> wrong = post(vertx, port, "/publish/event", "{}", Map.of("Authorization", "Bearer nope"));
    HttpResponse<Buffer> basic = post(vertx, port, "/publish/event", "{}", Map.of("Authorization", "Basic "
      + TOKEN));
    HttpResponse<Buffer> scale = post(vertx, port, "/scale", "{}");
    HttpResponse<Buffer> right = post(vertx, port, "/publish/event", "{}", Map.of("Authorization", "Bearer "
      + TOKEN));

    for (HttpResponse<Buffer> refused : List.of(none, wrong, basic, scale)) {
      assertEquals(401, refused.statusCode(), refused.bodyAsString());
      assertTrue(refused.getHeader("WWW-Authenticate").startsWith("Bearer"));
      assertNotNull(error(refused));
      assertFalse(refused.bodyAsString().contains(TOKEN), refused.bodyAsString());
    }
    assertEquals(202, right.statusCode(), right.bodyAsString());
    assertEquals(1L, cmd(bus.redis(), "XLEN", bus.stream()).toLong(), "only the authorized publish was written");
    for (String open : List.of("/health/live", "/metrics")) {
      assertEquals(200, get(vertx, port, open).statusCode(), open);
    }
    assertEquals(503, get(vertx, port, "/streams").statusCode(), "open, with no bus status to show");
  }

  @Test
  void unknownEndpointsAndMethodsGetJsonErrors(Vertx vertx) {
    int port = start(vertx);

    HttpResponse<Buffer> unknown = get(vertx, port, "/nothing-here");
    HttpResponse<Buffer> wrongMethod = get(vertx, port, "/publish/event");

    assertEquals(404, unknown.statusCode());
    assertNotNull(error(unknown));
    assertEquals(405, wrongMethod.statusCode());
    assertNotNull(error(wrongMethod));
  }

  @Test
  void undeployClosesTheServer(Vertx vertx) {
    int port = start(vertx);
    HttpVerticle second = new HttpVerticle();
    String id = await(vertx.deployVerticle(second, new DeploymentOptions()
      .setConfig(httpConfig(bus.server().url(), bus.address()))));
    int secondPort = second.actualPort();

    await(vertx.undeploy(id));

    awaitFailure(WebClient.create(vertx).get(secondPort, OpsTesting.HOST, "/health/live").send());
    assertEquals(200, get(vertx, port, "/health/live").statusCode(), "the other server still runs");
  }

  @Test
  void aPortInUseFailsTheDeploymentNamingIt(Vertx vertx) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(OpsTesting.HOST))) {
      String message = awaitFailure(vertx.deployVerticle(new HttpVerticle(), new DeploymentOptions()
        .setConfig(httpConfig(bus.server().url(), bus.address()).put("port", taken.getLocalPort())))).getMessage();

      assertTrue(message.contains(OpsTesting.HOST + ":" + taken.getLocalPort()), message);
    }
  }
}
