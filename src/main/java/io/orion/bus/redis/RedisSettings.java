package io.orion.bus.redis;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisOptions;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code redis} config section: the Vert.x Redis client's {@link RedisOptions} in its JSON form
 * ({@code endpoints}, {@code type}, {@code password}, pool sizes, ...), plus {@code connectionString}
 * as a shorthand for a single endpoint. Where no pool sizes are given the bus chooses its own,
 * sized for a burst of publishes rather than the client's defaults (6 connections, 24 waiting).
 *
 * @param json the section as validated, {@code connectionString} translated to {@code endpoints}
 */
public record RedisSettings(JsonObject json) {

  /** Where Redis is when the config does not say. */
  public static final String DEFAULT_CONNECTION_STRING = "redis://localhost:6379";
  /** Connections per client. Each verticle instance has a client of its own. */
  public static final int DEFAULT_MAX_POOL_SIZE = 100;
  /** Requests that may wait for a pooled connection before one is refused. */
  public static final int DEFAULT_MAX_POOL_WAITING = 1000;
  /** Commands in flight on one connection (pipelined publishes share a connection). */
  public static final int DEFAULT_MAX_WAITING_HANDLERS = 16384;

  private static final String CONNECTION_STRING = "connectionString";
  private static final String ENDPOINTS = "endpoints";

  public RedisSettings {
    json = json.copy();
  }

  /**
   * Validates the section and fills in the bus's defaults.
   *
   * @param section the {@code redis} object, or null for the defaults
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public static RedisSettings fromJson(JsonObject section) {
    JsonObject json = section == null ? new JsonObject() : section.copy();
    Object shorthand = json.remove(CONNECTION_STRING);
    Object endpoints = json.getValue(ENDPOINTS);
    if (shorthand != null) {
      if (!(shorthand instanceof String url) || url.isEmpty()) {
        throw invalid(CONNECTION_STRING, "expected a non-empty redis:// or rediss:// URL");
      }
      checkUrl(CONNECTION_STRING, url);
      if (endpoints != null && !new JsonArray().add(url).equals(endpoints)) {
        throw invalid(CONNECTION_STRING, "given together with 'redis.endpoints', it must be the same URL as the"
          + " single endpoint");
      }
      json.put(ENDPOINTS, new JsonArray().add(url));
    } else if (endpoints == null) {
      json.put(ENDPOINTS, new JsonArray().add(DEFAULT_CONNECTION_STRING));
    }
    if (!(json.getValue(ENDPOINTS) instanceof JsonArray list) || list.isEmpty()) {
      throw invalid(ENDPOINTS, "expected a non-empty array of redis:// or rediss:// URLs");
    }
    for (Object url : list) {
      if (!(url instanceof String text)) {
        throw invalid(ENDPOINTS, "expected URL strings, got " + url);
      }
      checkUrl(ENDPOINTS, text);
    }
    putDefault(json, "maxPoolSize", DEFAULT_MAX_POOL_SIZE);
    putDefault(json, "maxPoolWaiting", DEFAULT_MAX_POOL_WAITING);
    putDefault(json, "maxWaitingHandlers", DEFAULT_MAX_WAITING_HANDLERS);
    try {
      new RedisOptions(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid config key 'redis': " + e.getMessage(), e);
    }
    return new RedisSettings(json);
  }

  /** The client options; a new object on each call. */
  public RedisOptions toOptions() {
    return new RedisOptions(json);
  }

  /** Whether the client talks to one plain Redis server (where {@code CLIENT UNBLOCK} reaches the reader). */
  public boolean isStandalone() {
    String type = json.getString("type");
    return type == null || "STANDALONE".equalsIgnoreCase(type);
  }

  /** The endpoints and topology for logs: passwords are never shown. */
  public String describe() {
    List<String> urls = json.getJsonArray(ENDPOINTS).stream().map(String::valueOf).map(RedisSettings::mask)
      .collect(Collectors.toList());
    return json.getString("type", "STANDALONE") + " " + urls;
  }

  /** Replaces the password of a URL's user info with {@code ***}. */
  static String mask(String url) {
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return url;
    }
    String userInfo = url.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? "" : userInfo.substring(0, colon);
    return url.substring(0, scheme + 3) + user + ":***" + url.substring(at);
  }

  private static void checkUrl(String key, String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw invalid(key, "not a URL: " + mask(url));
    }
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme) && !"unix".equals(scheme)) {
      throw invalid(key, "expected a redis:// or rediss:// URL, got " + mask(url));
    }
  }

  private static void putDefault(JsonObject json, String key, int value) {
    if (!json.containsKey(key)) {
      json.put(key, value);
    }
  }

  private static IllegalArgumentException invalid(String key, String why) {
    return new IllegalArgumentException("invalid config key 'redis." + key + "': " + why);
  }
}
