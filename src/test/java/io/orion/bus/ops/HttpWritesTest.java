package io.orion.bus.ops;

import io.orion.bus.publish.PublisherVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import java.util.List;
import java.util.Map;

import static io.orion.bus.ops.OpsTesting.HOST;
import static io.orion.bus.ops.OpsTesting.deployHttp;
import static io.orion.bus.ops.OpsTesting.error;
import static io.orion.bus.ops.OpsTesting.httpConfig;
import static io.orion.bus.ops.OpsTesting.nonLoopbackAddress;
import static io.orion.bus.ops.OpsTesting.post;
import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Who may call the state-changing endpoints: loopback only without a token, everyone with the token or with
 * {@code allowAnonymousWrites}; JSON bodies only; refusals before the body is read.
 */
@ExtendWith(VertxExtension.class)
class HttpWritesTest {

  private static final String TOKEN = "t0ken-" + fresh("x");
  private static final String ALL_INTERFACES = "0.0.0.0";

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  /** A publisher on the shared Redis and an HTTP server with {@code httpExtra} in front of it; its port. */
  private int start(Vertx vertx, JsonObject httpExtra) {
    deploy(vertx, PublisherVerticle.class, bus.publisherConfig(), 1);
    return deployHttp(vertx, httpConfig(bus.server().url(), bus.address()).mergeIn(httpExtra)).actualPort();
  }

  /** This machine's own non-loopback address, or the test is skipped. */
  private static String otherAddress() {
    String other = nonLoopbackAddress().orElse(null);
    assumeTrue(other != null, "this machine has no non-loopback address to connect from");
    return other;
  }

  private static HttpResponse<Buffer> postFrom(Vertx vertx, String host, int port, String path,
                                               Map<String, String> headers) {
    return post(WebClient.create(vertx), host, port, path, "{}", headers);
  }

  @Test
  void withoutATokenLoopbackClientsMayWrite(Vertx vertx) {
    int port = start(vertx, new JsonObject());

    HttpResponse<Buffer> published = post(vertx, port, "/publish/event", "{}");

    assertEquals(202, published.statusCode(), published.bodyAsString());
    assertEquals(1L, cmd(bus.redis(), "XLEN", bus.stream()).toLong());
  }

  @Test
  void withoutATokenOtherClientsGet403SayingWhatToSetAndMayStillRead(Vertx vertx) {
    String other = otherAddress();
    int port = start(vertx, new JsonObject().put("host", ALL_INTERFACES));

    HttpResponse<Buffer> publish = postFrom(vertx, other, port, "/publish/event", Map.of());
    HttpResponse<Buffer> scale = postFrom(vertx, other, port, "/scale", Map.of());
    int unfinished = postUnfinished(vertx, other, port, "application/json");

    for (HttpResponse<Buffer> refused : List.of(publish, scale)) {
      assertEquals(403, refused.statusCode(), refused.bodyAsString());
      assertTrue(error(refused).contains("http.token") && error(refused).contains("http.allowAnonymousWrites"),
        error(refused));
    }
    assertEquals(403, unfinished, "answered before the body ends");
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong(), "nothing was written");
    for (String open : List.of("/health/live", "/metrics")) {
      assertEquals(200, await(WebClient.create(vertx).get(port, other, open).send()).statusCode(), open);
    }
  }

  @Test
  void allowAnonymousWritesOpensWritesToEveryClient(Vertx vertx) {
    String other = otherAddress();
    int port = start(vertx, new JsonObject().put("host", ALL_INTERFACES).put("allowAnonymousWrites", true));

    HttpResponse<Buffer> published = postFrom(vertx, other, port, "/publish/event", Map.of());

    assertEquals(202, published.statusCode(), published.bodyAsString());
    assertEquals(1L, cmd(bus.redis(), "XLEN", bus.stream()).toLong());
  }

  @Test
  void withATokenEveryClientNeedsItLoopbackIncluded(Vertx vertx) {
    String other = otherAddress();
    int port = start(vertx, new JsonObject().put("host", ALL_INTERFACES).put("token", TOKEN));

    HttpResponse<Buffer> remoteWithout = postFrom(vertx, other, port, "/publish/event", Map.of());
    HttpResponse<Buffer> loopbackWithout = post(vertx, port, "/publish/event", "{}");
    HttpResponse<Buffer> remoteWith = postFrom(vertx, other, port, "/publish/event",
      Map.of("Authorization", "Bearer " + TOKEN));

    assertEquals(401, remoteWithout.statusCode(), remoteWithout.bodyAsString());
    assertEquals(401, loopbackWithout.statusCode(), loopbackWithout.bodyAsString());
    assertEquals(202, remoteWith.statusCode(), remoteWith.bodyAsString());
    assertEquals(1L, cmd(bus.redis(), "XLEN", bus.stream()).toLong(), "only the authorized publish was written");
  }

  @Test
  void aBodyThatIsNotUtf8JsonGets415(Vertx vertx) {
    int port = start(vertx, new JsonObject());

    HttpResponse<Buffer> none = await(WebClient.create(vertx).post(port, HOST, "/publish/event")
      .sendBuffer(Buffer.buffer("{}")));
    assertEquals(415, none.statusCode(), none.bodyAsString());
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b",
      "application/json; charset=iso-8859-1")) {
      HttpResponse<Buffer> refused = post(vertx, port, "/publish/event", "{}", Map.of("Content-Type", type));
      assertEquals(415, refused.statusCode(), type + " -> " + refused.bodyAsString());
      assertTrue(error(refused).contains("application/json"), error(refused));
    }
    HttpResponse<Buffer> scale = post(vertx, port, "/scale", "{}", Map.of("Content-Type", "text/plain"));
    assertEquals(415, scale.statusCode(), scale.bodyAsString());
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong(), "nothing was written");

    HttpResponse<Buffer> json = post(vertx, port, "/publish/event", "{}",
      Map.of("Content-Type", "Application/JSON; charset=UTF-8"));
    assertEquals(202, json.statusCode(), json.bodyAsString());
  }

  @Test
  void anUnauthenticatedBodyOverTheLimitGets401Not413(Vertx vertx) {
    int port = start(vertx, new JsonObject().put("token", TOKEN).put("maxBodyBytes", 64));
    String large = new JsonObject().put("pad", "x".repeat(1_000)).encode();

    HttpResponse<Buffer> anonymous = post(vertx, port, "/publish/event", large);
    HttpResponse<Buffer> authorized = post(vertx, port, "/publish/event", large,
      Map.of("Authorization", "Bearer " + TOKEN));

    assertEquals(401, anonymous.statusCode(), anonymous.bodyAsString());
    assertEquals(413, authorized.statusCode(), authorized.bodyAsString());
  }

  @Test
  void aRefusedClientIsAnsweredBeforeItsBodyEnds(Vertx vertx) {
    int port = start(vertx, new JsonObject().put("token", TOKEN));

    // The body never ends: a server that buffered it before looking at the token would never answer.
    int unauthorized = postUnfinished(vertx, HOST, port, "application/json");
    int notJson = postUnfinished(vertx, HOST, port, "text/plain");

    assertEquals(401, unauthorized);
    assertEquals(401, notJson, "the token is checked first");
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong(), "nothing was written");
  }

  @Test
  void overHttp2ARefusedClientsStreamIsResetAfterTheAnswer(Vertx vertx) {
    int port = start(vertx, new JsonObject().put("token", TOKEN));
    HttpClient http2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
      .setHttp2ClearTextUpgrade(false));
    HttpClientRequest request = await(http2.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(HOST)
      .setPort(port).setURI("/publish/event").putHeader("Content-Type", "application/json")));
    Promise<Throwable> reset = Promise.promise();
    request.exceptionHandler(reset::tryComplete);
    Future<Integer> status = request.response().compose(response -> response.body()
      .map(body -> response.statusCode()));
    request.setChunked(true);
    await(request.write("{\"pad\": \"" + "x".repeat(1_000)));

    assertEquals(401, await(status));
    assertTrue(await(reset.future()) instanceof StreamResetException, "the server reads no more of the body");
  }

  @Test
  void aNonJsonBodyIsRefusedBeforeItEnds(Vertx vertx) {
    int port = start(vertx, new JsonObject());

    int notJson = postUnfinished(vertx, HOST, port, "text/plain");

    assertEquals(415, notJson);
  }

  /**
   * Starts a chunked {@code POST /publish/event} to {@code host}, sends part of its body, waits for the answer and
   * for the server to close the connection (so it reads no more of the body); returns the answer's status.
   */
  private static int postUnfinished(Vertx vertx, String host, int port, String contentType) {
    HttpClientRequest request = await(vertx.createHttpClient().request(new RequestOptions()
      .setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI("/publish/event")
      .putHeader("Content-Type", contentType)));
    Promise<Void> closed = Promise.promise();
    request.connection().closeHandler(closed::tryComplete);
    request.exceptionHandler(e -> {
      // The server closes the connection under the unfinished body: expected.
    });
    // Taken on the event loop as the answer arrives, set before anything is sent: a later handler could miss it.
    Future<Integer> status = request.response().compose(response -> response.body().map(body -> {
      assertTrue(body.toJsonObject().containsKey("error"), body.toString());
      assertEquals("close", response.getHeader("Connection"), "the server says it reads no more");
      return response.statusCode();
    }));
    request.setChunked(true);
    await(request.write("{\"pad\": \"" + "x".repeat(1_000)));
    int answered = await(status);
    await(closed.future());
    return answered;
  }
}
