package io.orion.bus.redis;

import io.vertx.redis.client.impl.types.ErrorType;

/**
 * Classifies what the Redis client fails with: error replies of the server ({@link ErrorType}, which extends
 * {@code Throwable}, not {@code Exception}) against trouble with the connection itself.
 */
public final class RedisErrors {

  private RedisErrors() {
  }

  /**
   * Errors that the client reports as error replies but that say the connection or the server is in
   * trouble for now (closed, loading, failing over, overloaded): retry them like a lost connection.
   */
  private static final java.util.List<String> TRANSIENT = java.util.List.of("CONNECTION_CLOSED",
    "Connection is closed", "Redis waiting queue is full", "LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN",
    "TRYAGAIN", "READONLY");

  /**
   * A reply of the server that will not go away by retrying (WRONGTYPE, NOPERM, ...), as opposed to a
   * connection that failed or closed or a server that is not ready.
   */
  public static boolean isServerError(Throwable e) {
    return e instanceof ErrorType && TRANSIENT.stream().noneMatch(prefix -> hasPrefix(e, prefix));
  }

  /**
   * The group or the stream does not exist (any more); {@code UNBLOCKED} is what a blocked read gets when its
   * stream is deleted under it.
   */
  public static boolean isNoGroup(Throwable e) {
    return e instanceof ErrorType error && (error.is("NOGROUP") || error.is("UNBLOCKED")
      || hasPrefix(error, "ERR no such key"));
  }

  /** {@code XGROUP CREATE} on a group that exists. */
  public static boolean isBusyGroup(Throwable e) {
    return e instanceof ErrorType error && error.is("BUSYGROUP");
  }

  private static boolean hasPrefix(Throwable e, String prefix) {
    return e.getMessage() != null && e.getMessage().startsWith(prefix);
  }
}
