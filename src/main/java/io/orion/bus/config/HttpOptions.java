package io.orion.bus.config;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code http} config section: the operations HTTP server ({@code io.orion.bus.ops.HttpVerticle}).
 *
 * @param enabled              whether {@code BusVerticle} starts the HTTP server. By default false when the section
 *                             is absent; {@code conf/config.json} sets it true.
 * @param host                 the interface the server binds to. By default {@code 0.0.0.0}.
 * @param port                 the port the server listens on; 0 takes any free port. By default 8080.
 * @param token                the bearer token that every state-changing request ({@code POST /publish/{contract}},
 *                             {@code POST /scale}) requires from every client, loopback included
 *                             ({@code Authorization: Bearer <token>}), or null for none. By default none.
 * @param allowAnonymousWrites without a token, whether clients other than loopback may make state-changing
 *                             requests. By default false: without a token only loopback clients may; it cannot be
 *                             true together with a token.
 * @param maxBodyBytes         the largest request body accepted; a larger one gets 413. By default null: the
 *                             publisher's {@code maxMessageBytes} plus {@value #DEFAULT_BODY_SLACK_BYTES} bytes.
 * @param metricsRefreshMs     how often the per-group gauges ({@code orion_group_lag}, {@code orion_group_pending})
 *                             are read from Redis. The value is in milliseconds. By default 5 seconds.
 * @param tlsCertPath          the PEM file of the server's certificate chain; with {@code tlsKeyPath}, the server
 *                             serves HTTPS only. By default none (plain HTTP).
 * @param tlsKeyPath           the PEM file of the certificate's private key, unencrypted. By default none.
 */
public record HttpOptions(boolean enabled, String host, int port, String token, boolean allowAnonymousWrites,
                          Integer maxBodyBytes, long metricsRefreshMs, String tlsCertPath, String tlsKeyPath) {

  public static final boolean DEFAULT_ENABLED = false;
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final boolean DEFAULT_ALLOW_ANONYMOUS_WRITES = false;
  public static final long DEFAULT_METRICS_REFRESH_MS = 5_000;
  /** Room above {@code maxMessageBytes} for what a body holds beyond the message's compact JSON (spaces). */
  public static final int DEFAULT_BODY_SLACK_BYTES = 64 * 1024;

  /** The keys of the section. */
  public static final Set<String> KEYS = Set.of("enabled", "host", "port", "token", "allowAnonymousWrites",
    "maxBodyBytes", "metricsRefreshMs", "tlsCertPath", "tlsKeyPath");

  /**
   * Validates the section; unknown keys are rejected.
   *
   * @param section the {@code http} object, or null for the defaults (disabled)
   * @throws IllegalArgumentException whose message names the key, e.g. {@code http.port}
   */
  public static HttpOptions fromJson(JsonObject section) {
    ConfigReader in = new ConfigReader(section, "http.");
    in.rejectUnknown(KEYS);
    int port = in.intAtLeast("port", DEFAULT_PORT, 0);
    if (port > 65_535) {
      throw in.invalid("port", "must be between 0 and 65535, got " + port);
    }
    String token = in.secret("token");
    boolean anonymousWrites = in.bool("allowAnonymousWrites", DEFAULT_ALLOW_ANONYMOUS_WRITES);
    if (anonymousWrites && token != null) {
      throw in.invalid("allowAnonymousWrites", "cannot be true while " + in.name("token")
        + " is set: with a token, every write requires it");
    }
    String certPath = in.has("tlsCertPath") ? in.string("tlsCertPath", null) : null;
    String keyPath = in.has("tlsKeyPath") ? in.string("tlsKeyPath", null) : null;
    if ((certPath == null) != (keyPath == null)) {
      String missing = certPath == null ? "tlsCertPath" : "tlsKeyPath";
      throw in.invalid(missing, "is required with " + in.name(certPath == null ? "tlsKeyPath" : "tlsCertPath")
        + " (HTTPS takes both PEM files)");
    }
    return new HttpOptions(
      in.bool("enabled", DEFAULT_ENABLED),
      in.string("host", DEFAULT_HOST),
      port,
      token,
      anonymousWrites,
      in.has("maxBodyBytes") ? in.intAtLeast("maxBodyBytes", 0, 1) : null,
      in.longAtLeast("metricsRefreshMs", DEFAULT_METRICS_REFRESH_MS, 1),
      certPath,
      keyPath);
  }

  /** The section as {@link #fromJson(JsonObject)} takes it back; keys left at null (or false) are omitted. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("enabled", enabled)
      .put("host", host)
      .put("port", port)
      .put("metricsRefreshMs", metricsRefreshMs);
    if (token != null) {
      json.put("token", token);
    }
    if (allowAnonymousWrites) {
      json.put("allowAnonymousWrites", true);
    }
    if (maxBodyBytes != null) {
      json.put("maxBodyBytes", maxBodyBytes);
    }
    if (tls()) {
      json.put("tlsCertPath", tlsCertPath).put("tlsKeyPath", tlsKeyPath);
    }
    return json;
  }

  /** Whether the server serves HTTPS (and only HTTPS). */
  public boolean tls() {
    return tlsCertPath != null;
  }

  /**
   * The Vert.x server options: host, port, and with {@link #tls()} HTTPS from the PEM files (ALPN on, so HTTP/2
   * clients can negotiate it).
   *
   * @throws IllegalArgumentException naming {@code http.tlsCertPath} or {@code http.tlsKeyPath} when its file
   *                                  cannot be read
   */
  public HttpServerOptions serverOptions() {
    HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port);
    if (!tls()) {
      return options;
    }
    requireReadable("tlsCertPath", tlsCertPath);
    requireReadable("tlsKeyPath", tlsKeyPath);
    return options.setSsl(true).setUseAlpn(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tlsCertPath).setKeyPath(tlsKeyPath));
  }

  private static void requireReadable(String key, String path) {
    if (!Files.isReadable(Path.of(path))) {
      throw new ConfigReader(null, "http.").invalid(key, "cannot read the file " + Path.of(path).toAbsolutePath());
    }
  }

  /** The body limit: {@code maxBodyBytes} when set, else {@code maxMessageBytes} plus the slack. */
  public long bodyLimit(int maxMessageBytes) {
    return maxBodyBytes != null ? maxBodyBytes : (long) maxMessageBytes + DEFAULT_BODY_SLACK_BYTES;
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "HttpOptions[enabled=" + enabled + ", host=" + host + ", port=" + port + ", token="
      + (token == null ? "none" : "***") + ", allowAnonymousWrites=" + allowAnonymousWrites + ", maxBodyBytes="
      + maxBodyBytes + ", metricsRefreshMs=" + metricsRefreshMs + ", tlsCertPath=" + tlsCertPath
      + ", tlsKeyPath=" + tlsKeyPath + "]";
  }
}
