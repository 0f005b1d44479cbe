package io.orion.bus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisOptions;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code redis} config section: the Vert.x Redis client's {@link RedisOptions} in its JSON form
 * ({@code endpoints}, {@code type}, {@code password}, pool sizes, ...), plus {@code connectionString}
 * as a shorthand for a single endpoint. Where no pool sizes are given the bus chooses its own,
 * sized for a burst of publishes rather than the client's defaults (6 connections, 24 waiting). TLS
 * connections ({@code rediss://}) check the server's host name against its certificate, as HTTPS does, unless
 * {@code netClientOptions.hostnameVerificationAlgorithm} says otherwise ({@code ""}: no check).
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

  /**
   * The host name check of TLS connections where {@code netClientOptions} chooses none: the server's certificate
   * must name the host of the URL, as for HTTPS. (The client's own default is no check at all.)
   */
  public static final String DEFAULT_HOSTNAME_VERIFICATION_ALGORITHM = "HTTPS";

  /** The keys of the section: those of {@link RedisOptions}' JSON form (Vert.x 5.0.7), and the shorthand. */
  public static final Set<String> KEYS = Set.of("connectionString", "endpoints", "type", "netClientOptions",
    "masterName", "role", "useReplicas", "user", "password", "maxPoolSize", "maxPoolWaiting", "maxWaitingHandlers",
    "maxNestedArrays", "poolCleanerInterval", "poolRecycleTimeout", "poolName", "metricsName",
    "protocolNegotiation", "preferredProtocolVersion", "hashSlotCacheTTL", "topologyCacheTTL", "topology",
    "tracingPolicy", "autoFailover", "clusterTransactions");

  private static final String CONNECTION_STRING = "connectionString";
  private static final String ENDPOINTS = "endpoints";
  private static final String NET_CLIENT_OPTIONS = "netClientOptions";
  private static final String HOSTNAME_VERIFICATION = "hostnameVerificationAlgorithm";

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
        throw invalid(ENDPOINTS, "expected URL strings, got " + Secrets.describe(url));
      }
      checkUrl(ENDPOINTS, text);
    }
    json.put(NET_CLIENT_OPTIONS, withHostnameVerification(json.getValue(NET_CLIENT_OPTIONS)));
    putDefault(json, "maxPoolSize", DEFAULT_MAX_POOL_SIZE);
    putDefault(json, "maxPoolWaiting", DEFAULT_MAX_POOL_WAITING);
    putDefault(json, "maxWaitingHandlers", DEFAULT_MAX_WAITING_HANDLERS);
    try {
      new RedisOptions(json);
    } catch (RuntimeException e) {
      // Not chained: the client's message (an enum constant, say) may show the value, so only its masked form.
      throw new IllegalArgumentException("invalid config key 'redis': " + Secrets.maskText(e.getMessage()));
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
    List<String> urls = json.getJsonArray(ENDPOINTS).stream().map(String::valueOf).map(Secrets::mask)
      .collect(Collectors.toList());
    return json.getString("type", "STANDALONE") + " " + urls;
  }

  /** Never shows a password: the section may hold one, in a URL or in {@code password}. */
  @Override
  public String toString() {
    return "RedisSettings[" + describe() + "]";
  }

  /**
   * The {@code netClientOptions} given, with the host name check of HTTPS where they choose none. A JSON null
   * chooses none: the client would take it as no check, the weakest choice, which must be asked for with "".
   */
  private static JsonObject withHostnameVerification(Object given) {
    if (given != null && !(given instanceof JsonObject)) {
      throw invalid(NET_CLIENT_OPTIONS, "expected a JSON object, got " + Secrets.kind(given));
    }
    JsonObject options = given == null ? new JsonObject() : (JsonObject) given;
    Object algorithm = options.getValue(HOSTNAME_VERIFICATION);
    if (algorithm == null) {
      options.put(HOSTNAME_VERIFICATION, DEFAULT_HOSTNAME_VERIFICATION_ALGORITHM);
    } else if (!(algorithm instanceof String)) {
      throw invalid(NET_CLIENT_OPTIONS + "." + HOSTNAME_VERIFICATION, "expected \"HTTPS\", \"LDAPS\" or \"\" (no"
        + " check), got " + Secrets.describe(algorithm));
    }
    return options;
  }

  private static void checkUrl(String key, String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw invalid(key, "not a URL: " + Secrets.describe(url));
    }
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme) && !"unix".equals(scheme)) {
      throw invalid(key, "expected a redis:// or rediss:// URL, got " + Secrets.describe(url));
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
