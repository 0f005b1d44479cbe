package io.orion.bus.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The {@code http} config section: the operations HTTP server ({@code io.orion.bus.ops.HttpVerticle}).
 *
 * @param enabled          whether {@code BusVerticle} starts the HTTP server. By default false when the section is
 *                         absent; {@code conf/config.json} sets it true.
 * @param host             the interface the server binds to. By default {@code 0.0.0.0}.
 * @param port             the port the server listens on; 0 takes any free port. By default 8080.
 * @param token            the bearer token that {@code POST /publish/{contract}} and {@code POST /scale} require
 *                         ({@code Authorization: Bearer <token>}), or null for none. By default none.
 * @param maxBodyBytes     the largest request body accepted; a larger one gets 413. By default null: the
 *                         publisher's {@code maxMessageBytes} plus {@value #DEFAULT_BODY_SLACK_BYTES} bytes.
 * @param metricsRefreshMs how often the per-group gauges ({@code orion_group_lag}, {@code orion_group_pending})
 *                         are read from Redis. The value is in milliseconds. By default 5 seconds.
 */
public record HttpOptions(boolean enabled, String host, int port, String token, Integer maxBodyBytes,
                          long metricsRefreshMs) {

  public static final boolean DEFAULT_ENABLED = false;
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_METRICS_REFRESH_MS = 5_000;
  /** Room above {@code maxMessageBytes} for what a body holds beyond the message's compact JSON (spaces). */
  public static final int DEFAULT_BODY_SLACK_BYTES = 64 * 1024;

  /** The keys of the section. */
  public static final Set<String> KEYS = Set.of("enabled", "host", "port", "token", "maxBodyBytes",
    "metricsRefreshMs");

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
    return new HttpOptions(
      in.bool("enabled", DEFAULT_ENABLED),
      in.string("host", DEFAULT_HOST),
      port,
      in.secret("token"),
      in.has("maxBodyBytes") ? in.intAtLeast("maxBodyBytes", 0, 1) : null,
      in.longAtLeast("metricsRefreshMs", DEFAULT_METRICS_REFRESH_MS, 1));
  }

  /** The section as {@link #fromJson(JsonObject)} takes it back; keys left at null are omitted. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("enabled", enabled)
      .put("host", host)
      .put("port", port)
      .put("metricsRefreshMs", metricsRefreshMs);
    if (token != null) {
      json.put("token", token);
    }
    if (maxBodyBytes != null) {
      json.put("maxBodyBytes", maxBodyBytes);
    }
    return json;
  }

  /** The body limit: {@code maxBodyBytes} when set, else {@code maxMessageBytes} plus the slack. */
  public long bodyLimit(int maxMessageBytes) {
    return maxBodyBytes != null ? maxBodyBytes : (long) maxMessageBytes + DEFAULT_BODY_SLACK_BYTES;
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "HttpOptions[enabled=" + enabled + ", host=" + host + ", port=" + port + ", token="
      + (token == null ? "none" : "***") + ", maxBodyBytes=" + maxBodyBytes + ", metricsRefreshMs="
      + metricsRefreshMs + "]";
  }
}
