package io.orion.bus.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * One dedicated Redis connection that comes back by itself: commands sent on it are pipelined, and after
 * the connection fails or closes (Redis restarted, network cut) the next command connects again. Attempts
 * to connect are spaced by a capped exponential backoff; in between, commands fail at once with
 * {@link RedisUnavailableException}, so that a dead Redis costs neither a hot loop nor a hang.
 * <p>
 * Accessed on the event loop of the verticle that created it.
 */
public final class RedisLink {

  /** The first wait after a failed attempt to connect. The value is in milliseconds. */
  public static final long MIN_BACKOFF_MS = 50;
  /** The longest wait between attempts to connect. The value is in milliseconds. */
  public static final long MAX_BACKOFF_MS = 2_000;

  /** The most commands that may wait for room in the pipeline before more are refused. */
  public static final int MAX_OVERFLOW = 1_000_000;

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  private record Queued(Request request, Promise<Response> reply) {
  }

  private final ArrayDeque<Queued> overflow = new ArrayDeque<>();

  private final Redis client;
  private final String name;
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private final Backoff backoff = new Backoff(MIN_BACKOFF_MS, MAX_BACKOFF_MS);
  private long retryAtNanos;
  private Throwable lastFailure;
  private long generation;
  private boolean closed;

  /** @param name what the connection is for, in log lines and errors (never a password) */
  public RedisLink(Redis client, String name) {
    this.client = client;
    this.name = name;
  }

  /** Sends one command on the connection, connecting first when there is none. */
  public Future<Response> send(Request request) {
    Promise<Response> reply = Promise.promise();
    send(request, reply);
    return reply.future();
  }

  /**
   * Sends one command and completes {@code reply} with its answer. When the connection's pipeline is full
   * (maxWaitingHandlers commands awaiting replies) the command waits here, in order, and goes out as replies
   * come back. A caller that gives up on it (completes {@code reply} itself, e.g. on its own timeout) before
   * it went out takes it back: it is never sent.
   */
  public void send(Request request, Promise<Response> reply) {
    if (!overflow.isEmpty() || (connection != null && connection.pendingQueueFull())) {
      if (overflow.size() >= MAX_OVERFLOW) {
        reply.tryFail(new RedisUnavailableException(name + ": " + MAX_OVERFLOW + " commands already wait for the"
          + " connection"));
        return;
      }
      overflow.add(new Queued(request, reply));
      drain();
      return;
    }
    connection().onComplete(ar -> {
      if (ar.failed()) {
        reply.tryFail(ar.cause());
      } else {
        dispatch(ar.result(), new Queued(request, reply));
      }
    });
  }

  private void dispatch(RedisConnection c, Queued queued) {
    c.send(queued.request()).onComplete(ar -> {
      if (ar.succeeded()) {
        queued.reply().tryComplete(ar.result());
      } else {
        queued.reply().tryFail(ar.cause());
      }
      drain();
    });
  }

  /** Sends what waits, while the pipeline has room. */
  private void drain() {
    while (!overflow.isEmpty()) {
      if (connection == null) {
        connection().onComplete(ar -> {
          if (ar.failed()) {
            Queued queued;
            while ((queued = overflow.poll()) != null) {
              queued.reply().tryFail(ar.cause());
            }
          } else {
            drain();
          }
        });
        return;
      }
      if (connection.pendingQueueFull()) {
        return;
      }
      Queued queued = overflow.poll();
      if (!queued.reply().future().isComplete()) {
        dispatch(connection, queued);
      }
    }
  }

  /** The connection, connected now if there is none and the backoff allows. */
  public Future<RedisConnection> connection() {
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
      return Future.failedFuture(new RedisUnavailableException(name + ": Redis unreachable (next attempt in "
        + (waitNanos / 1_000_000 + 1) + " ms): " + (lastFailure == null ? "" : lastFailure.getMessage())));
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
      } else {
        failedToConnect(ar.cause());
      }
    });
    return attempt;
  }

  /** Counts the connections made; a new value means the previous connection was lost. */
  public long generation() {
    return generation;
  }

  /** Whether a connection is up now. */
  public boolean isConnected() {
    return connection != null;
  }

  /**
   * Drops the current connection after a failure seen by the caller (a reply that never came), so that the
   * next command connects again.
   */
  public void reset() {
    RedisConnection current = connection;
    if (current != null) {
      connection = null;
      current.close();
    }
  }

  /** Closes the connection; later commands fail. Safe to call twice. */
  public Future<Void> close() {
    closed = true;
    RedisConnection current = connection;
    connection = null;
    return current == null ? Future.succeededFuture() : current.close()
      .onFailure(e -> LOG.debug("{}: close failed: {}", name, e.getMessage()));
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
    backoff.reset();
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
