package io.orion.bus.ops;

import io.orion.bus.support.TestRedis;
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
import static io.orion.bus.ops.OpsTesting.busConfig;
import static io.orion.bus.ops.OpsTesting.check;
import static io.orion.bus.ops.OpsTesting.deployBus;
import static io.orion.bus.ops.OpsTesting.deployHttp;
import static io.orion.bus.ops.OpsTesting.eventConsumer;
import static io.orion.bus.ops.OpsTesting.get;
import static io.orion.bus.ops.OpsTesting.httpConfig;
import static io.orion.bus.ops.OpsTesting.post;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bus over TLS ({@code rediss://}) to a redis-server with a self-signed certificate, when the redis-server the
 * tests start ({@link TestRedis#serverBinary()}) is built with TLS; skipped otherwise.
 */
@ExtendWith(VertxExtension.class)
class RedisTlsTest {

  private static final String STORE_PASSWORD = "changeit";

  private static Path dir;
  private static Path certificate;
  private static TestRedis server;
  private static int tlsPort;

  @BeforeAll
  static void startRedisWithTls() throws Exception {
    Path binary = TestRedis.serverBinary();
    assumeTrue(hasTls(binary), () -> "TLS tests skipped: " + binary + " is built without TLS");
    dir = Files.createTempDirectory("orion-tls-");
    certificate = selfSignedCertificate(dir);
    tlsPort = OpsTesting.freePort();
    server = TestRedis.startOwn("--tls-port", String.valueOf(tlsPort), "--tls-cert-file", certificate.toString(),
      "--tls-key-file", dir.resolve("key.pem").toString(), "--tls-ca-cert-file", certificate.toString(),
      "--tls-auth-clients", "no");
  }

  @AfterAll
  static void stopRedis() throws IOException {
    if (server != null) {
      server.close();
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

  /** A self-signed certificate for 127.0.0.1 ({@code cert.pem}) and its key ({@code key.pem}), by keytool. */
  private static Path selfSignedCertificate(Path dir) throws IOException, InterruptedException,
    GeneralSecurityException {
    Path store = dir.resolve("redis.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
      "-genkeypair", "-alias", "redis", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
      "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
      "-keystore", store.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
      .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, keytool.waitFor(), output);
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(store.toFile())) {
      keyStore.load(in, STORE_PASSWORD.toCharArray());
    }
    Path cert = dir.resolve("cert.pem");
    Files.writeString(cert, pem("CERTIFICATE", keyStore.getCertificate("redis").getEncoded()));
    Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY",
      keyStore.getKey("redis", STORE_PASSWORD.toCharArray()).getEncoded()));
    return cert;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }

  private static JsonObject tlsSection(boolean trusted) {
    JsonObject netClient = new JsonObject().put("hostnameVerificationAlgorithm", "HTTPS");
    if (trusted) {
      netClient.put("pemTrustOptions", new JsonObject().put("certPaths", new JsonArray().add(certificate.toString())));
    }
    return new JsonObject()
      .put("endpoints", new JsonArray().add("rediss://" + OpsTesting.HOST + ":" + tlsPort))
      .put("netClientOptions", netClient);
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
  void anUntrustedCertificateIsRefused(Vertx vertx) {
    int port = deployHttp(vertx, httpConfig("unused", "nowhere").put("redis", tlsSection(false))).actualPort();

    HttpResponse<Buffer> ready = get(vertx, port, "/health/ready");

    assertEquals(503, ready.statusCode(), ready.bodyAsString());
    assertEquals("DOWN", check(ready, "redis").getString("status"), ready.bodyAsString());
  }
}
