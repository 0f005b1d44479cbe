package io.orion.bus.ops;

import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code http} config section: the operations HTTP server of {@link HttpVerticle}.
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

  private static final String SECTION = "http.";

  public HttpOptions {
    if (host == null || host.isEmpty()) {
      throw invalid("host", "must not be empty");
    }
    if (port < 0 || port > 65_535) {
      throw invalid("port", "must be between 0 and 65535, got " + port);
    }
    if (token != null && (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace))) {
      throw invalid("token", "must be a non-empty string without spaces");
    }
    if (maxBodyBytes != null && maxBodyBytes < 1) {
      throw invalid("maxBodyBytes", "must be >= 1, got " + maxBodyBytes);
    }
    if (metricsRefreshMs < 1) {
      throw invalid("metricsRefreshMs", "must be >= 1, got " + metricsRefreshMs);
    }
  }

  /**
   * Validates the section; unknown keys are rejected.
   *
   * @param section the {@code http} object, or null for the defaults (disabled)
   * @throws IllegalArgumentException whose message names the key, e.g. {@code http.port}
   */
  public static HttpOptions fromJson(JsonObject section) {
    JsonObject json = section == null ? new JsonObject() : section;
    for (String key : new TreeSet<>(json.fieldNames())) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown config key '" + SECTION + key + "' (known keys: "
          + String.join(", ", new TreeSet<>(KEYS)) + ")");
      }
    }
    Long port = wholeNumber(json, "port");
    Long maxBodyBytes = wholeNumber(json, "maxBodyBytes");
    Long refresh = wholeNumber(json, "metricsRefreshMs");
    return new HttpOptions(
      typed(json, "enabled", Boolean.class, "true or false", DEFAULT_ENABLED),
      typed(json, "host", String.class, "a string", DEFAULT_HOST),
      port == null ? DEFAULT_PORT : toInt("port", port),
      typed(json, "token", String.class, "a string", null),
      maxBodyBytes == null ? null : toInt("maxBodyBytes", maxBodyBytes),
      refresh == null ? DEFAULT_METRICS_REFRESH_MS : refresh);
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

  private static <T> T typed(JsonObject json, String key, Class<T> type, String expected, T defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!type.isInstance(value)) {
      // A token is a secret even when it is of the wrong type.
      throw invalid(key, "expected " + expected + ", got "
        + ("token".equals(key) ? "a value of type " + value.getClass().getSimpleName() : describe(value)));
    }
    return type.cast(value);
  }

  private static int toInt(String key, long value) {
    if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
      throw invalid(key, "out of range, got " + value);
    }
    return (int) value;
  }

  private static Long wholeNumber(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw invalid(key, "expected a whole number, got " + describe(value));
    }
    return number.longValue();
  }

  private static String describe(Object value) {
    return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
  }

  private static IllegalArgumentException invalid(String key, String why) {
    return new IllegalArgumentException("invalid config key '" + SECTION + key + "': " + why);
  }
}
