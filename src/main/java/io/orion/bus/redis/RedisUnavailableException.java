package io.orion.bus.redis;

/** Redis cannot be reached now: no connection, and the next attempt is not due yet. */
public final class RedisUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RedisUnavailableException(String message) {
    super(message, null, false, false);
  }
}
