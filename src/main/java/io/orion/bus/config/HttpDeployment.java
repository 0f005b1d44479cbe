package io.orion.bus.config;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The config of the operations verticle ({@code ops.HttpVerticle}): the {@code http} section plus what it takes of
 * the bus. {@code BusVerticle} makes it with {@link BusConfig#httpDeployment()}; the verticle reads it back with
 * {@link #fromJson}, so both ends name the keys and defaults here only.
 *
 * @param http              the {@code http} section
 * @param redis             the publisher's Redis, which the endpoints read
 * @param publisherAddress  where {@code POST /publish} sends
 * @param adminAddress      the prefix of the admin addresses (scaling, status)
 * @param maxMessageBytes   the publisher's message limit, from which the body limit follows
 * @param shutdownTimeoutMs the publisher's stop time, which a stopping endpoint waits for
 */
public record HttpDeployment(HttpOptions http, RedisSettings redis, String publisherAddress, String adminAddress,
                             int maxMessageBytes, long shutdownTimeoutMs) {

  /** The keys of the verticle's config that are not {@link HttpOptions} keys. */
  public static final Set<String> BUS_KEYS = Set.of("redis", "publisherAddress", "adminAddress", "maxMessageBytes",
    "shutdownTimeoutMs");

  /** What the operations endpoints take of a bus config: its {@code http} section and its publisher's. */
  static HttpDeployment of(BusConfig config) {
    PublisherOptions publisher = config.publisher();
    return new HttpDeployment(config.http(), publisher.redis(), publisher.address(), config.adminAddress(),
      publisher.maxMessageBytes(), publisher.shutdownTimeoutMs());
  }

  /**
   * Reads the verticle's config: the {@link HttpOptions} keys (validated as such), {@code redis}, and optionally
   * {@code publisherAddress}, {@code adminAddress}, {@code maxMessageBytes} and {@code shutdownTimeoutMs}, which
   * default as the bus's own keys do.
   */
  public static HttpDeployment fromJson(JsonObject config) {
    JsonObject own = config.copy();
    BUS_KEYS.forEach(own::remove);
    // The bus passed streamPrefix before; a config written for that still deploys.
    own.remove("streamPrefix");
    return new HttpDeployment(HttpOptions.fromJson(own), RedisSettings.fromJson(config.getJsonObject("redis")),
      config.getString("publisherAddress", PublisherOptions.DEFAULT_ADDRESS),
      config.getString("adminAddress", BusConfig.DEFAULT_ADMIN_ADDRESS),
      config.getInteger("maxMessageBytes", PublisherOptions.DEFAULT_MAX_MESSAGE_BYTES),
      config.getLong("shutdownTimeoutMs", PublisherOptions.DEFAULT_SHUTDOWN_TIMEOUT_MS));
  }

  /** The verticle's config, as {@link #fromJson} reads it. */
  public JsonObject toJson() {
    return http.toJson()
      .put("redis", redis.json())
      .put("publisherAddress", publisherAddress)
      .put("adminAddress", adminAddress)
      .put("maxMessageBytes", maxMessageBytes)
      .put("shutdownTimeoutMs", shutdownTimeoutMs);
  }
}
