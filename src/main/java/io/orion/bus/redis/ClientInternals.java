package io.orion.bus.redis;

import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;
import io.vertx.redis.client.impl.types.ErrorType;

/**
 * The only place that uses the Redis client's {@code impl} classes: Vert.x Redis 5.0.7 has no public type for an
 * error reply and no public way to close a pooled connection's socket. When a new client moves or renames them,
 * this file stops compiling or {@code ClientInternalsTest} fails, and nothing else has to change.
 */
final class ClientInternals {

  private ClientInternals() {
  }

  /** Whether {@code e} is an error reply of the server ({@code ErrorType} extends {@code Throwable}). */
  static boolean isErrorReply(Throwable e) {
    return e instanceof ErrorType;
  }

  /** Whether {@code e} is an error reply with this code, the first word of the reply, such as NOGROUP. */
  static boolean hasCode(Throwable e, String code) {
    return e instanceof ErrorType error && error.is(code);
  }

  /** An error reply as the client makes one from what the server sent: {@code CODE message}. */
  static Throwable errorReply(String text) {
    return ErrorType.create(text);
  }

  /**
   * Closes a connection. On a standalone Redis the socket is closed, not given back to the client's pool (which
   * {@code close()} of a pooled connection does), so that no later connect leases it again; the client's other
   * topologies wrap their connections beyond reach and get {@code close()}.
   *
   * @return whether the socket was closed for real
   */
  static boolean forceClose(RedisConnection c) {
    RedisConnection actual = c instanceof PooledRedisConnection pooled ? pooled.actual() : c;
    if (actual instanceof RedisStandaloneConnection standalone) {
      standalone.forceClose();
      return true;
    }
    c.close();
    return false;
  }
}
