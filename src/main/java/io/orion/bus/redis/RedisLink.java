package io.orion.bus.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * One dedicated Redis connection that comes back by itself. Commands sent on it are pipelined. After the
 * connection fails or closes (Redis restarted, network cut), or leaves a command unanswered past its timeout
 * (a connection that went silent), or its server answers that it cannot serve it now (READONLY, LOADING,
 * MASTERDOWN: a master demoted by a failover behind a name that now points at the new one), it is dropped and
 * the next command connects again. Attempts to connect are spaced by a capped exponential backoff, which a
 * successful reply resets; in between, commands fail at once with {@link RedisUnavailableException}, so that a
 * dead Redis, or a name that still points at a replica, costs neither a hot loop nor a hang.
 * <p>
 * Commands sent with {@link #sendBatched} during one pass of the event loop go out together, each key's in one
 * write ({@link RedisConnection#batch}): at tens of thousands of commands a second, a write and a flush per
 * command cost more than the commands. Same-key batches fail alike (a key of the wrong type, an out-of-memory
 * server), so one bad key never fails the commands of another.
 * <p>
 * This class admits commands to the pipeline and times them out; {@link LinkConnection} connects and drops,
 * {@link PassBatch} gathers a pass's batched commands, {@link BatchFailures} splits a failed write,
 * {@link DeadlineCheck} runs the timeouts. Accessed on the event loop of the verticle that created it.
 */
public final class RedisLink {

  /** The first wait after a failed attempt to connect. The value is in milliseconds. */
  public static final long MIN_BACKOFF_MS = 50;
  /** The longest wait between attempts to connect. The value is in milliseconds. */
  public static final long MAX_BACKOFF_MS = 2_000;
  /** The most commands that may wait for room in the pipeline before more are refused. */
  public static final int MAX_OVERFLOW = 1_000_000;

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  /** The most commands one write carries. */
  public static final int MAX_BATCH = 512;

  private final String name;
  private final long timeoutMs;
  private final int maxBatch;
  private final int maxWaiting;
  private final LinkConnection link;
  private final PassBatch pass;
  private final DeadlineCheck deadlines;
  private final ArrayDeque<Queued> overflow = new ArrayDeque<>();
  /** Commands that went out, oldest first: a connection answers in order. */
  private final ArrayDeque<Queued> sent = new ArrayDeque<>();

  /**
   * @param client    a client made from {@code settings}
   * @param name      what the connection is for, in log lines and errors (never a password)
   * @param timeoutMs how long a command may go unanswered before it fails and the connection is dropped,
   *                  unless a send gives its own. The value is in milliseconds.
   */
  public RedisLink(Vertx vertx, Redis client, RedisOptions options, String name, long timeoutMs) {
    this.name = name;
    this.timeoutMs = timeoutMs;
    this.maxWaiting = options.getMaxWaitingHandlers();
    // A cluster connection neither follows MOVED for a batch nor mixes slots in one; one server only.
    this.maxBatch = options.getType() == RedisClientType.STANDALONE ? Math.max(1, Math.min(MAX_BATCH, maxWaiting)) : 1;
    this.link = new LinkConnection(client, name, this::drain, this::failWaiting);
    this.pass = new PassBatch(vertx.getOrCreateContext(), grouped -> {
      overflow.addAll(grouped);
      drain();
    });
    this.deadlines = new DeadlineCheck(vertx, this::checkDeadlines);
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
    Queued queued = new Queued(request, null, timeoutMs);
    watchDeadlines(timeoutMs);
    RedisConnection connection = link.current();
    if (connection != null && overflow.isEmpty() && !connection.pendingQueueFull()
      && (maxWaiting - sent.size()) > 0) {
      dispatch(connection, queued);
    } else if (!refusedForOverflow(queued)) {
      // No connection yet, or a full pipeline: wait in order.
      overflow.add(queued);
      drain();
    }
    return queued.reply.future();
  }

  /**
   * Sends one command on {@code key} with the link's timeout, as {@link #send(Request)} does, but at the end of
   * this pass of the event loop, in one write with the other commands on that key sent until then (so a
   * command given to {@code send} in the same pass may go out first).
   * <p>
   * When one command of a write fails, the others on its key still get their own replies, except where the
   * client lost them: a command that Redis took but whose reply was lost that way fails with an
   * {@link IllegalStateException} saying so (its outcome is known, its reply is not).
   */
  public Future<Response> sendBatched(String key, Request request) {
    if (maxBatch == 1) {
      return send(request);
    }
    Queued queued = new Queued(request, key, timeoutMs);
    watchDeadlines(timeoutMs);
    if (link.isClosed()) {
      queued.reply.fail(new RedisUnavailableException(name + ": connection closed"));
    } else if (!refusedForOverflow(queued)) {
      pass.add(queued);
    }
    return queued.reply.future();
  }

  /** The connection, connected now if there is none and the backoff allows. */
  public Future<RedisConnection> connection() {
    return link.connect();
  }

  /** Counts the connections made; a new value means the previous connection was lost. */
  public long generation() {
    return link.generation();
  }

  /** Whether a connection is up now. */
  public boolean isConnected() {
    return link.current() != null;
  }

  /**
   * Drops the current connection, so that the next command connects again. It is closed for real (see
   * {@link ClientInternals#forceClose}), so that the next connect cannot lease the same silent socket again.
   */
  public void reset() {
    link.reset();
  }

  /** Closes the connection; later commands fail. Safe to call twice. */
  public Future<Void> close() {
    RedisConnection current = link.shutDown();
    deadlines.stop();
    RedisUnavailableException cause = new RedisUnavailableException(name + ": connection closed");
    pass.failAll(cause);
    failWaiting(cause);
    return current == null ? Future.succeededFuture() : current.close()
      .onFailure(e -> LOG.debug("{}: close failed: {}", name, e.getMessage()));
  }

  private void dispatch(RedisConnection c, Queued queued) {
    queued.sentOn = link.generation();
    sent.addLast(queued);
    c.send(queued.request).onComplete(ar -> {
      removeSent(queued);
      if (ar.succeeded()) {
        link.answered();
        queued.reply.tryComplete(ar.result());
      } else {
        retireIfNotServing(c, ar.cause());
        queued.reply.tryFail(ar.cause());
      }
      drain();
    });
  }

  /** Sends one batch: a write for its commands, and a reply for each (see {@link BatchFailures}). */
  private void dispatchBatch(RedisConnection c, List<Queued> batch) {
    List<Request> requests = new ArrayList<>(batch.size());
    for (Queued queued : batch) {
      queued.sentOn = link.generation();
      sent.addLast(queued);
      requests.add(queued.request);
    }
    c.batch(requests).onComplete(ar -> {
      batch.forEach(this::removeSent);
      if (ar.succeeded()) {
        link.answered();
        List<Response> replies = ar.result();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).reply.tryComplete(replies.get(i));
        }
      } else {
        Throwable[] causes = BatchFailures.split(name, ar.cause(), batch.size());
        for (Throwable cause : causes) {
          retireIfNotServing(c, cause);
        }
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).reply.tryFail(causes[i]);
        }
      }
      drain();
    });
  }

  private void removeSent(Queued queued) {
    if (sent.peekFirst() == queued) {
      sent.pollFirst();
    } else {
      sent.remove(queued);
    }
  }

  /** Sends what waits, while the pipeline has room: runs of batched commands on one key in one write. */
  private void drain() {
    while (!overflow.isEmpty()) {
      RedisConnection connection = link.current();
      if (connection == null) {
        if (!link.isConnecting()) {
          // An attempt drains when it completes; one refused at once (backoff) fails what waits.
          link.connect().onFailure(this::failWaiting);
        }
        return;
      }
      int room = maxWaiting - sent.size();
      if (connection.pendingQueueFull() || room <= 0) {
        return;
      }
      Queued head = overflow.poll();
      if (head.key == null || maxBatch == 1) {
        if (!head.isAnswered()) {
          dispatch(connection, head);
        }
        continue;
      }
      List<Queued> batch = PassBatch.takeRun(head, overflow, Math.min(maxBatch, room));
      if (batch.size() == 1) {
        dispatch(connection, batch.get(0));
      } else if (!batch.isEmpty()) {
        dispatchBatch(connection, batch);
      }
    }
  }

  /** Fails a command at once when too many already wait; whether it did. */
  private boolean refusedForOverflow(Queued queued) {
    if (overflow.size() + pass.size() < MAX_OVERFLOW) {
      return false;
    }
    queued.reply.tryFail(new RedisUnavailableException(name + ": " + MAX_OVERFLOW
      + " commands already wait for the connection"));
    return true;
  }

  private void watchDeadlines(long timeoutMs) {
    if (!link.isClosed()) {
      deadlines.watch(timeoutMs);
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
    Queued.expire(sent, now, this::timedOut);
    Queued.expire(overflow, now, this::timedOut);
    // Expired commands made room in the pipeline, or the connection was dropped: what waits goes on.
    drain();
    if (sent.isEmpty() && overflow.isEmpty() && pass.isEmpty()) {
      deadlines.stop();
    }
  }

  private void timedOut(Queued queued) {
    if (!queued.reply.tryFail(new TimeoutException(name + ": timed out after " + queued.timeoutMs
      + " ms without an answer from Redis"))) {
      return;
    }
    if (queued.sentOn != 0 && queued.sentOn == link.generation() && link.current() != null) {
      LOG.warn("{}: no answer from Redis within {} ms: dropping the connection", name, queued.timeoutMs);
      reset();
    }
  }

  /** Drops {@code c} if {@code cause} says its server cannot serve it now (see {@link LinkConnection}). */
  private void retireIfNotServing(RedisConnection c, Throwable cause) {
    link.retireIfNotServing(c, cause, sent);
  }
}
