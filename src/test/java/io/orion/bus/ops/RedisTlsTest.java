package io.orion.bus.ops;

import io.orion.bus.config.RedisSettings;
import io.orion.bus.support.LogCapture;
import io.orion.bus.support.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.orion.bus.ops.OpsTesting.acceptAll;
import static io.orion.bus.support.BusTesting.busConfig;
import static io.orion.bus.ops.OpsTesting.check;
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
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bus over TLS ({@code rediss://}) to a redis-server with a self-signed certificate, when the redis-server the
 * tests start ({@link TestRedis#serverBinary()}) is built with TLS; skipped otherwise. The host name check is on by
 * default: a certificate that names the host connects, one for another host is refused unless the config turns the
 * check off.
 */
@ExtendWith(VertxExtension.class)
class RedisTlsTest {

  private static final String STORE_PASSWORD = "changeit";
  private static final String OTHER_HOST = "redis.example.org";
  private static final String PASSWORD = "tls-" + fresh("pw");

  private static Path dir;
  private static Path certificate;
  private static Path otherCertificate;
  private static TestRedis server;
  private static TestRedis otherServer;
  private static int tlsPort;
  private static int otherTlsPort;

  /** What the process logs while a test runs. */
  @RegisterExtension
  final LogCapture log = new LogCapture();

  @BeforeAll
  static void startRedisWithTls() throws Exception {
    Path binary = TestRedis.serverBinary();
    assumeTrue(hasTls(binary), () -> "TLS tests skipped: " + binary + " is built without TLS");
    dir = Files.createTempDirectory("orion-tls-");
    certificate = selfSignedCertificate(dir, "loopback", "CN=127.0.0.1", "SAN=ip:127.0.0.1,dns:localhost");
    otherCertificate = selfSignedCertificate(dir, "other", "CN=" + OTHER_HOST, "SAN=dns:" + OTHER_HOST);
    tlsPort = OpsTesting.freePort();
    server = startTls(tlsPort, certificate, dir.resolve("loopback-key.pem"));
    otherTlsPort = OpsTesting.freePort();
    otherServer = startTls(otherTlsPort, otherCertificate, dir.resolve("other-key.pem"));
    // A password, so that a test can show it never appears, and so that the connection would work if the
    // certificate were accepted.
    assertEquals("OK", otherServer.cli("CONFIG", "SET", "requirepass", PASSWORD));
  }

  private static TestRedis startTls(int port, Path cert, Path key) {
    return TestRedis.startOwn("--tls-port", String.valueOf(port), "--tls-cert-file", cert.toString(),
      "--tls-key-file", key.toString(), "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no");
  }

  @AfterAll
  static void stopRedis() throws IOException {
    for (TestRedis redis : new TestRedis[] {server, otherServer}) {
      if (redis != null) {
        redis.close();
      }
    }
    if (dir != null) {
      try (var paths = Files.list(dir)) {
        for (Path path : paths.toList()) {
          Files.delete(path);
        }
      }
      Files.delete(dir);
    }
  }

  /**
   * A redis-server without TLS refuses {@code --tls-port} as a bad directive; one with TLS, given no port at all,
   * says it listens nowhere and exits.
   */
  private static boolean hasTls(Path binary) throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(binary.toString(), "--port", "0", "--tls-port", "0").redirectErrorStream(true)
        .start();
    } catch (IOException e) {
      return false;
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return false;
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return output.contains("not listen anywhere");
  }

  /**
   * A self-signed certificate ({@code {name}-cert.pem}) for the names given and its key ({@code {name}-key.pem}),
   * by keytool.
   */
  private static Path selfSignedCertificate(Path dir, String name, String subject, String alternativeNames)
    throws IOException, InterruptedException, GeneralSecurityException {
    Path store = dir.resolve(name + ".p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
      "-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
      "-dname", subject, "-ext", alternativeNames, "-storetype", "PKCS12",
      "-keystore", store.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
      .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, keytool.waitFor(), output);
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(store.toFile())) {
      keyStore.load(in, STORE_PASSWORD.toCharArray());
    }
    Path cert = dir.resolve(name + "-cert.pem");
    Files.writeString(cert, pem("CERTIFICATE", keyStore.getCertificate("redis").getEncoded()));
    Files.writeString(dir.resolve(name + "-key.pem"), pem("PRIVATE KEY",
      keyStore.getKey("redis", STORE_PASSWORD.toCharArray()).getEncoded()));
    return cert;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }

  /** The README's TLS example: the URL and the certificate to trust, nothing else. */
  private static JsonObject tlsSection(String url, Path trusted) {
    return new JsonObject()
      .put("connectionString", url)
      .put("netClientOptions", new JsonObject()
        .put("pemTrustOptions", new JsonObject().put("certPaths", new JsonArray().add(trusted.toString()))));
  }

  private static JsonObject tlsSection(boolean trusted) {
    String url = "rediss://" + OpsTesting.HOST + ":" + tlsPort;
    return trusted ? tlsSection(url, certificate) : new JsonObject().put("connectionString", url);
  }

  /** The section on the server whose certificate names another host, with the password in the URL. */
  private static JsonObject otherHostSection() {
    return tlsSection("rediss://default:" + PASSWORD + "@" + OpsTesting.HOST + ":" + otherTlsPort, otherCertificate);
  }

  /** PING with a client of the section's options, as the bus makes them. */
  private static Future<Response> ping(Vertx vertx, JsonObject section) {
    Redis client = Redis.createClient(vertx, RedisSettings.fromJson(section).toOptions());
    return client.send(Request.cmd(Command.PING)).eventually(client::close);
  }

  @Test
  void theBusWorksOverTlsWithTheCertificateTrusted(Vertx vertx) {
    String prefix = freshPrefix();
    String address = fresh("deliver");
    AtomicInteger delivered = acceptAll(vertx, address);
    deployBus(vertx, busConfig(tlsSection(true), prefix, new JsonArray().add(eventConsumer("g", address))));
    int port = deployHttp(vertx, httpConfig("unused", prefix + ".publish").put("redis", tlsSection(true)))
      .actualPort();
    Redis plain = Redis.createClient(vertx, server.url());

    HttpResponse<Buffer> published = post(vertx, port, "/publish/event", "{\"over\":\"tls\"}");

    assertEquals(202, published.statusCode(), published.bodyAsString());
    until("delivered and acknowledged", () -> delivered.get() == 1 && pending(plain, prefix + ":events", "g") == 0);
    for (String path : List.of("/health/ready", "/streams")) {
      HttpResponse<Buffer> answer = get(vertx, port, path);
      assertEquals(200, answer.statusCode(), path + ": " + answer.bodyAsString());
    }
  }

  @Test
  void aCertificateNamingTheHostPassesTheDefaultHostNameCheck(Vertx vertx) {
    for (String host : List.of("127.0.0.1", "localhost")) {
      assertEquals("PONG", await(ping(vertx, tlsSection("rediss://" + host + ":" + tlsPort, certificate)))
        .toString(), host);
    }
  }

  @Test
  void aCertificateForAnotherHostIsRefusedByDefault(Vertx vertx) {
    int port = deployHttp(vertx, httpConfig("unused", "nowhere").put("redis", otherHostSection())).actualPort();

    String failure = awaitFailure(ping(vertx, otherHostSection())).toString();
    HttpResponse<Buffer> ready = get(vertx, port, "/health/ready");

    assertTrue(failure.contains("127.0.0.1") && failure.contains("subject alternative"), failure);
    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    assertEquals("DOWN", check(ready, "redis").getString("status"), ready.bodyAsString());
    for (String shown : List.of(failure, ready.bodyAsString(), log.text())) {
      assertFalse(shown.contains(PASSWORD), shown);
    }
  }

  @Test
  void theHostNameCheckCanBeTurnedOff(Vertx vertx) {
    JsonObject section = otherHostSection();
    section.getJsonObject("netClientOptions").put("hostnameVerificationAlgorithm", "");

    assertEquals("PONG", await(ping(vertx, section)).toString());
  }

  @Test
  void anUntrustedCertificateIsRefused(Vertx vertx) {
    int port = deployHttp(vertx, httpConfig("unused", "nowhere").put("redis", tlsSection(false))).actualPort();

    HttpResponse<Buffer> ready = get(vertx, port, "/health/ready");

    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    assertEquals("DOWN", check(ready, "redis").getString("status"), ready.bodyAsString());
  }
}
