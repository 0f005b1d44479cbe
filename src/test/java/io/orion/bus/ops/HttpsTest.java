package io.orion.bus.ops;

import io.orion.bus.publish.PublisherVerticle;
import io.orion.bus.support.TestRedis;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.orion.bus.ops.OpsTesting.HOST;
import static io.orion.bus.ops.OpsTesting.deployHttp;
import static io.orion.bus.ops.OpsTesting.httpConfig;
import static io.orion.bus.ops.OpsTesting.post;
import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The operations server over HTTPS ({@code http.tlsCertPath}, {@code http.tlsKeyPath}), with a self-signed
 * certificate made by the openssl command the README gives; skipped where there is no openssl.
 */
@ExtendWith(VertxExtension.class)
class HttpsTest {

  private static final TestRedis REDIS = TestRedis.shared();

  private static Path dir;
  private static Path cert;
  private static Path key;

  @BeforeAll
  static void makeCertificate() throws IOException, InterruptedException {
    dir = Files.createTempDirectory("orion-https-");
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    Process openssl;
    try {
      openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "no openssl on this machine: " + e.getMessage());
      return;
    }
    String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(openssl.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
    assertEquals(0, openssl.exitValue(), output);
  }

  @AfterAll
  static void deleteCertificate() throws IOException {
    for (Path file : new Path[] {key, cert, dir}) {
      if (file != null) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static JsonObject tls() {
    return new JsonObject().put("tlsCertPath", cert.toString()).put("tlsKeyPath", key.toString());
  }

  /** A client that trusts the test certificate and checks the host name against it. */
  private static WebClientOptions trustingOptions() {
    return new WebClientOptions().setSsl(true).setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(cert.toString()));
  }

  private static WebClient trusting(Vertx vertx) {
    return WebClient.create(vertx, trustingOptions());
  }

  @Test
  void withACertificateAndKeyTheServerServesHttpsOnly(Vertx vertx) {
    String prefix = freshPrefix();
    String address = fresh("publish");
    deploy(vertx, PublisherVerticle.class, publisherConfig(REDIS, prefix, address), 1);
    int port = deployHttp(vertx, httpConfig(REDIS.url(), address).mergeIn(tls())).actualPort();
    Redis redis = Redis.createClient(vertx, REDIS.url());

    HttpResponse<Buffer> live = await(trusting(vertx).get(port, HOST, "/health/live").send());
    HttpResponse<Buffer> published = post(trusting(vertx), HOST, port, "/publish/event", "{\"over\":\"https\"}",
      Map.of());
    HttpResponse<Buffer> http2 = await(WebClient.create(vertx, trustingOptions().setUseAlpn(true)
      .setProtocolVersion(HttpVersion.HTTP_2)).get(port, HOST, "/health/live").send());

    assertEquals(200, live.statusCode(), live.bodyAsString());
    assertEquals(HttpVersion.HTTP_2, http2.version(), "HTTP/2 by ALPN");
    assertEquals(202, published.statusCode(), published.bodyAsString());
    assertEquals(1L, cmd(redis, "XLEN", prefix + ":events").toLong());
    cmd(redis, "DEL", prefix + ":events");
    awaitFailure(WebClient.create(vertx).get(port, HOST, "/health/live").send());
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefused(Vertx vertx) {
    int port = deployHttp(vertx, httpConfig(REDIS.url(), "nowhere").mergeIn(tls())).actualPort();

    awaitFailure(WebClient.create(vertx, new WebClientOptions().setSsl(true)).get(port, HOST, "/health/live")
      .send());
  }

  @Test
  void anUnreadableKeyFileFailsTheDeploymentNamingTheKey(Vertx vertx) {
    JsonObject config = httpConfig(REDIS.url(), "nowhere").mergeIn(tls())
      .put("tlsKeyPath", dir.resolve("missing.pem").toString());

    String message = awaitFailure(vertx.deployVerticle(new HttpVerticle(), new DeploymentOptions()
      .setConfig(config))).getMessage();

    assertTrue(message.contains("'http.tlsKeyPath'") && message.contains("missing.pem"), message);
  }
}
