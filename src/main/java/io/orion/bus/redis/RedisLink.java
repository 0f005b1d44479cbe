package io.orion.bus.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.TimeoutException;

/**
 * One dedicated Redis connection that comes back by itself. Commands sent on it are pipelined. After the
 * connection fails or closes (Redis restarted, network cut), or leaves a command unanswered past its timeout
 * (a connection that went silent), it is dropped and the next command connects again. Attempts to connect
 * are spaced by a capped exponential backoff; in between, commands fail at once with
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

  /** The shortest and longest period of the deadline check. The values are in milliseconds. */
  static final long MIN_CHECK_MS = 10;
  static final long MAX_CHECK_MS = 250;

  /** A command, its deadline, the generation of the connection it went out on (0 while it waits), its reply. */
  private static final class Queued {
    final Request request;
    final Promise<Response> reply;
    final long timeoutMs;
    final long deadlineNanos;
    long sentOn;

    Queued(Request request, long timeoutMs) {
      this.request = request;
      this.reply = Promise.promise();
      this.timeoutMs = timeoutMs;
      this.deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000;
    }
  }

  private final Vertx vertx;
  private final Redis client;
  private final String name;
  private final long timeoutMs;
  private final ArrayDeque<Queued> overflow = new ArrayDeque<>();
  /** Commands that went out, oldest first: a connection answers in order. */
  private final ArrayDeque<Queued> sent = new ArrayDeque<>();
  private long checkTimer = -1;
  private final Backoff backoff = new Backoff(MIN_BACKOFF_MS, MAX_BACKOFF_MS);
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private long retryAtNanos;
  private Throwable lastFailure;
  private long generation;
  private boolean closed;

  /**
   * @param name      what the connection is for, in log lines and errors (never a password)
   * @param timeoutMs how long a command may go unanswered before it fails and the connection is dropped,
   *                  unless a send gives its own. The value is in milliseconds.
   */
  public RedisLink(Vertx vertx, Redis client, String name, long timeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.name = name;
    this.timeoutMs = timeoutMs;
  }

  /** Sends one command with the link's timeout, connecting first when there is no connection. */
  public Future<Response> send(Request request) {
    return send(request, timeoutMs);
  }

  /**
   * Sends one command. When the connection's pipeline is full (maxWaitingHandlers commands awaiting replies)
   * the command waits here, in order, and goes out as replies come back. When {@code timeoutMs} passes
   * first, the command fails with a {@link TimeoutException}: one that had not gone out yet is taken back
   * (never sent); one that had is left to an unknown outcome, and its connection, silent that long, is
   * dropped so that the next command connects again.
   *
   * @param timeoutMs the time the command has. The value is in milliseconds.
   */
  public Future<Response> send(Request request, long timeoutMs) {
    Queued queued = new Queued(request, timeoutMs);
    // One periodic check per link instead of a timer per command (timers cost more than the command itself at
    // tens of thousands of publishes a second); a timeout is noticed up to one period late.
    if (checkTimer == -1) {
      long periodMs = Math.max(MIN_CHECK_MS, Math.min(MAX_CHECK_MS, timeoutMs / 10));
      checkTimer = vertx.setPeriodic(periodMs, id -> checkDeadlines());
    }
    if (connection != null && overflow.isEmpty() && !connection.pendingQueueFull()) {
      dispatch(connection, queued);
    } else if (overflow.size() >= MAX_OVERFLOW) {
      queued.reply.tryFail(new RedisUnavailableException(name + ": " + MAX_OVERFLOW
        + " commands already wait for the connection"));
    } else {
      // No connection yet, or a full pipeline: wait in order.
      overflow.add(queued);
      drain();
    }
    return queued.reply.future();
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
        drain();
      } else {
        failedToConnect(ar.cause());
        failWaiting(ar.cause());
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

  /** Drops the current connection, so that the next command connects again. */
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
    if (checkTimer != -1) {
      vertx.cancelTimer(checkTimer);
      checkTimer = -1;
    }
    RedisConnection current = connection;
    connection = null;
    failWaiting(new RedisUnavailableException(name + ": connection closed"));
    return current == null ? Future.succeededFuture() : current.close()
      .onFailure(e -> LOG.debug("{}: close failed: {}", name, e.getMessage()));
  }

  private void dispatch(RedisConnection c, Queued queued) {
    queued.sentOn = generation;
    sent.addLast(queued);
    c.send(queued.request).onComplete(ar -> {
      if (sent.peekFirst() == queued) {
        sent.pollFirst();
      } else {
        sent.remove(queued);
      }
      if (ar.succeeded()) {
        queued.reply.tryComplete(ar.result());
      } else {
        queued.reply.tryFail(ar.cause());
      }
      drain();
    });
  }

  /** Sends what waits, while the pipeline has room. */
  private void drain() {
    while (!overflow.isEmpty()) {
      if (connection == null) {
        if (connecting == null) {
          // An attempt drains when it completes; one refused at once (backoff) fails what waits.
          connection().onFailure(this::failWaiting);
        }
        return;
      }
      if (connection.pendingQueueFull()) {
        return;
      }
      Queued queued = overflow.poll();
      if (!queued.reply.future().isComplete()) {
        dispatch(connection, queued);
      }
    }
  }

  private void failWaiting(Throwable cause) {
    Queued queued;
    while ((queued = overflow.poll()) != null) {
      queued.reply.tryFail(cause);
    }
  }

  /** Fails the commands past their deadline: the oldest first, those sent and those still waiting. */
  private void checkDeadlines() {
    long now = System.nanoTime();
    expire(sent, now);
    expire(overflow, now);
    if (sent.isEmpty() && overflow.isEmpty() && checkTimer != -1) {
      vertx.cancelTimer(checkTimer);
      checkTimer = -1;
    }
  }

  private void expire(ArrayDeque<Queued> queue, long now) {
    Queued head;
    while ((head = queue.peekFirst()) != null && (head.reply.future().isComplete() || head.deadlineNanos <= now)) {
      queue.pollFirst();
      timedOut(head);
    }
  }

  private void timedOut(Queued queued) {
    if (!queued.reply.tryFail(new TimeoutException(name + ": timed out after " + queued.timeoutMs
      + " ms without an answer from Redis"))) {
      return;
    }
    if (queued.sentOn != 0 && queued.sentOn == generation && connection != null) {
      LOG.warn("{}: no answer from Redis within {} ms: dropping the connection", name, queued.timeoutMs);
      reset();
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
