package io.orion.bus.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The connection of a {@link RedisLink} and how it comes back: connected on demand, dropped when it fails,
 * closes, or its server cannot serve it now, and connected again no sooner than a capped exponential backoff
 * allows (a successful reply resets it). Accessed on the event loop of the link's verticle.
 */
final class LinkConnection {

  /** The same logger as the link's: these are the link's log lines. */
  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  private final Redis client;
  private final String name;
  private final Runnable onConnected;
  private final Consumer<Throwable> onConnectFailed;
  /** Connections dropped because their server cannot serve them, closed once what went out on them is answered. */
  private final List<RedisConnection> retiring = new ArrayList<>();
  private final Backoff backoff = new Backoff(RedisLink.MIN_BACKOFF_MS, RedisLink.MAX_BACKOFF_MS);
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private long retryAtNanos;
  private Throwable lastFailure;
  private long generation;
  private boolean closed;

  /**
   * @param onConnected     runs when an attempt connects, after the state is settled
   * @param onConnectFailed runs with the cause when an attempt fails, after the state is settled
   */
  LinkConnection(Redis client, String name, Runnable onConnected, Consumer<Throwable> onConnectFailed) {
    this.client = client;
    this.name = name;
    this.onConnected = onConnected;
    this.onConnectFailed = onConnectFailed;
  }

  /** The connection now, or null. */
  RedisConnection current() {
    return connection;
  }

  boolean isConnecting() {
    return connecting != null;
  }

  boolean isClosed() {
    return closed;
  }

  /** Counts the connections made; a new value means the previous connection was lost. */
  long generation() {
    return generation;
  }

  /** The connection, connected now if there is none and the backoff allows. */
  Future<RedisConnection> connect() {
    if (closed) {
      return Future.failedFuture(new RedisUnavailableException(name + ": connection closed"));
    }
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    if (connecting != null) {
      return connecting;
    }
    long waitNanos = retryAtNanos - System.nanoTime();
    if (waitNanos > 0) {
      return Future.failedFuture(new RedisUnavailableException(name + ": no usable connection to Redis (next attempt"
        + " in " + (waitNanos / 1_000_000 + 1) + " ms): " + (lastFailure == null ? "" : lastFailure.getMessage())));
    }
    Future<RedisConnection> attempt = client.connect();
    connecting = attempt;
    // Registered before any caller's handler, so the state is settled when callers go on.
    attempt.onComplete(ar -> {
      if (connecting == attempt) {
        connecting = null;
      }
      if (ar.succeeded()) {
        connected(ar.result());
        onConnected.run();
      } else {
        failedToConnect(ar.cause());
        onConnectFailed.accept(ar.cause());
      }
    });
    return attempt;
  }

  /** Drops the current connection, closed for real, so that the next connect cannot lease the same socket. */
  void reset() {
    RedisConnection current = connection;
    if (current != null) {
      connection = null;
      ClientInternals.forceClose(current);
    }
  }

  /**
   * Marks the link closed and drops every connection: those retiring are closed for real.
   *
   * @return the current connection, for the caller to close (null: none)
   */
  RedisConnection shutDown() {
    closed = true;
    RedisConnection current = connection;
    connection = null;
    retiring.forEach(ClientInternals::forceClose);
    retiring.clear();
    return current;
  }

  /**
   * Drops the connection when its server answered that it cannot serve it now (see
   * {@link RedisErrors#isNotServing}): the next command connects again, after the backoff, so that a name that
   * still points at the old node is not asked in a hot loop. The commands already out on it get their own
   * replies (a write refused there was not written) before it is closed, for real: given back to the client's
   * pool, it would be leased again.
   *
   * @param sent the commands out, oldest first: those of this generation went out on {@code c}
   */
  void retireIfNotServing(RedisConnection c, Throwable cause, Collection<Queued> sent) {
    if (connection != c || !RedisErrors.isNotServing(cause)) {
      return;
    }
    connection = null;
    LOG.warn("{}: Redis answered \"{}\": dropping the connection to connect again (a failover?)", name,
      cause.getMessage());
    lastFailure = cause;
    retryAtNanos = System.nanoTime() + backoff.next() * 1_000_000;
    List<Future<Response>> unanswered = new ArrayList<>();
    for (Queued queued : sent) {
      if (queued.sentOn == generation) {
        unanswered.add(queued.reply.future());
      }
    }
    retiring.add(c);
    Future.join(unanswered).onComplete(ar -> {
      if (retiring.remove(c)) {
        ClientInternals.forceClose(c);
      }
    });
  }

  /** A reply came: the server serves this connection, and the next failure starts the backoff from the shortest. */
  void answered() {
    if (backoff.failures() > 0) {
      backoff.reset();
    }
  }

  private void connected(RedisConnection c) {
    if (closed) {
      c.close();
      return;
    }
    if (lastFailure != null) {
      LOG.info("{}: connected again to Redis", name);
    }
    connection = c;
    generation++;
    lastFailure = null;
    c.exceptionHandler(e -> lost(c, e));
    c.endHandler(v -> lost(c, null));
  }

  private void failedToConnect(Throwable e) {
    if (lastFailure == null) {
      LOG.warn("{}: cannot connect to Redis: {}", name, e.getMessage());
    }
    lastFailure = e;
    retryAtNanos = System.nanoTime() + backoff.next() * 1_000_000;
  }

  private void lost(RedisConnection c, Throwable e) {
    if (connection == c) {
      connection = null;
      if (!closed) {
        LOG.warn("{}: connection to Redis lost{}", name, e == null ? "" : ": " + e.getMessage());
      }
    }
  }
}
