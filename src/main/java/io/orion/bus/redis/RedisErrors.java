package io.orion.bus.redis;

import java.util.List;

/**
 * Classifies what the Redis client fails with: error replies of the server (see
 * {@link ClientInternals#isErrorReply}: a {@code Throwable}, not an {@code Exception}) against trouble with the
 * connection itself.
 */
public final class RedisErrors {

  private RedisErrors() {
  }

  /**
   * Errors that the client reports as error replies but that say the connection or the server is in
   * trouble for now (closed, overloaded, a cluster failing over), besides those of {@link #isNotServing}: retry
   * them like a lost connection.
   */
  private static final List<String> TRANSIENT = List.of("CONNECTION_CLOSED",
    "Connection is closed", "Redis waiting queue is full", "BUSY", "CLUSTERDOWN", "TRYAGAIN");

  /** The codes by which a server says it cannot take this connection's commands now, whatever they are. */
  private static final List<String> NOT_SERVING = List.of("READONLY", "LOADING", "MASTERDOWN");

  /** What a blocked command gets when its server turns into a replica (Redis closes the connection after it). */
  private static final String ROLE_CHANGED = "UNBLOCKED force unblock from blocking operation, instance state changed";

  /**
   * A reply of the server that will not go away by retrying (WRONGTYPE, NOPERM, ...), as opposed to a
   * connection that failed or closed or a server that is not ready.
   */
  public static boolean isServerError(Throwable e) {
    return ClientInternals.isErrorReply(e) && !isNotServing(e)
      && TRANSIENT.stream().noneMatch(prefix -> hasPrefix(e, prefix));
  }

  /**
   * The server this connection reached is no master that can serve it now, while another may be at the same
   * address: READONLY (a replica, such as a master demoted by a failover behind a DNS name that now points at
   * the new one), LOADING (loading its data set after a restart or a full sync), MASTERDOWN (a replica cut
   * off from its master that does not serve stale data), or a blocked read released because its server turned
   * into a replica. Retrying on the same connection cannot help; a new connection may reach the new master.
   */
  public static boolean isNotServing(Throwable e) {
    return ClientInternals.isErrorReply(e) && (NOT_SERVING.stream().anyMatch(code -> ClientInternals.hasCode(e, code)
      // Redis 6.2 reports an error inside a script as "@user_script: 4: -READONLY ..." (7.x: "READONLY ...").
      || e.getMessage() != null && e.getMessage().contains(": -" + code + " "))
      || hasPrefix(e, ROLE_CHANGED));
  }

  /**
   * The group or the stream does not exist (any more); {@code UNBLOCKED} is what a blocked read gets when its
   * stream is deleted under it (but not when its server turned into a replica: {@link #isNotServing}).
   */
  public static boolean isNoGroup(Throwable e) {
    return ClientInternals.isErrorReply(e) && (ClientInternals.hasCode(e, "NOGROUP")
      || (ClientInternals.hasCode(e, "UNBLOCKED") && !isNotServing(e)) || hasPrefix(e, "ERR no such key"));
  }

  /** {@code XGROUP CREATE} on a group that exists. */
  public static boolean isBusyGroup(Throwable e) {
    return ClientInternals.hasCode(e, "BUSYGROUP");
  }

  private static boolean hasPrefix(Throwable e, String prefix) {
    return e.getMessage() != null && e.getMessage().startsWith(prefix);
  }
}
