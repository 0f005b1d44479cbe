package io.orion.bus.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;
import io.vertx.redis.client.impl.types.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /** The most commands one write carries. */
  public static final int MAX_BATCH = 512;

  /** The shortest and longest period of the deadline check. The values are in milliseconds. */
  static final long MIN_CHECK_MS = 10;
  static final long MAX_CHECK_MS = 250;

  /** How the client reports the failed commands of a batch: one line each, {@code ERR [index] cause}. */
  private static final Pattern BATCH_FAILURE = Pattern.compile("ERR \\[(\\d+)] (.*)");
  /** An error reply's code: its first word in capitals, such as WRONGTYPE or NOGROUP. */
  private static final Pattern ERROR_CODE = Pattern.compile("[A-Z][A-Z_]*( .*)?");
  /** How a Java exception reads as text: a qualified class name, then maybe its message. */
  private static final Pattern JAVA_EXCEPTION = Pattern.compile("[a-zA-Z_$][\\w$]*(\\.[\\w$]+)+(: .*)?");

  /**
   * A command, the key it may share a write on (null: none), its deadline, the generation of the connection
   * it went out on (0 while it waits), its reply.
   */
  private static final class Queued {
    final Request request;
    final String key;
    final Promise<Response> reply;
    final long timeoutMs;
    final long deadlineNanos;
    long sentOn;

    Queued(Request request, String key, long timeoutMs) {
      this.request = request;
      this.key = key;
      this.reply = Promise.promise();
      this.timeoutMs = timeoutMs;
      this.deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final Redis client;
  private final String name;
  private final long timeoutMs;
  private final int maxBatch;
  private final int maxWaiting;
  /** Batched commands sent during this pass of the event loop. */
  private final List<Queued> pass = new ArrayList<>();
  private boolean passScheduled;
  private final ArrayDeque<Queued> overflow = new ArrayDeque<>();
  /** Commands that went out, oldest first: a connection answers in order. */
  private final ArrayDeque<Queued> sent = new ArrayDeque<>();
  /** Connections dropped because their server cannot serve them, closed once what went out on them is answered. */
  private final List<RedisConnection> retiring = new ArrayList<>();
  private long checkTimer = -1;
  private final Backoff backoff = new Backoff(MIN_BACKOFF_MS, MAX_BACKOFF_MS);
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private long retryAtNanos;
  private Throwable lastFailure;
  private long generation;
  private boolean closed;

  /**
   * @param client    a client made from {@code settings}
   * @param name      what the connection is for, in log lines and errors (never a password)
   * @param timeoutMs how long a command may go unanswered before it fails and the connection is dropped,
   *                  unless a send gives its own. The value is in milliseconds.
   */
  public RedisLink(Vertx vertx, Redis client, RedisSettings settings, String name, long timeoutMs) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.name = name;
    this.timeoutMs = timeoutMs;
    this.maxWaiting = settings.toOptions().getMaxWaitingHandlers();
    // A cluster connection neither follows MOVED for a batch nor mixes slots in one; one server only.
    this.maxBatch = settings.isStandalone() ? Math.max(1, Math.min(MAX_BATCH, maxWaiting)) : 1;
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
    if (closed) {
      queued.reply.fail(new RedisUnavailableException(name + ": connection closed"));
    } else if (!refusedForOverflow(queued)) {
      pass.add(queued);
      if (!passScheduled) {
        passScheduled = true;
        context.runOnContext(v -> endOfPass());
      }
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

  /**
   * Drops the current connection, so that the next command connects again. It is closed for real (see
   * {@link #closeForReal}), so that the next connect cannot lease the same silent socket again.
   */
  public void reset() {
    RedisConnection current = connection;
    if (current != null) {
      connection = null;
      closeForReal(current);
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
    retiring.forEach(RedisLink::closeForReal);
    retiring.clear();
    RedisUnavailableException cause = new RedisUnavailableException(name + ": connection closed");
    pass.forEach(queued -> queued.reply.tryFail(cause));
    pass.clear();
    failWaiting(cause);
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
        answered();
        queued.reply.tryComplete(ar.result());
      } else {
        retireIfNotServing(c, ar.cause());
        queued.reply.tryFail(ar.cause());
      }
      drain();
    });
  }

  /**
   * Sends one batch: a write for its commands, and a reply for each. The client fails a batch as a whole when
   * one of its commands fails, naming each failed command as a line {@code ERR [index] cause}; the commands it
   * does not name were taken by Redis, but their replies are lost.
   */
  private void dispatchBatch(RedisConnection c, List<Queued> batch) {
    List<Request> requests = new ArrayList<>(batch.size());
    for (Queued queued : batch) {
      queued.sentOn = generation;
      sent.addLast(queued);
      requests.add(queued.request);
    }
    c.batch(requests).onComplete(ar -> {
      for (Queued queued : batch) {
        if (sent.peekFirst() == queued) {
          sent.pollFirst();
        } else {
          sent.remove(queued);
        }
      }
      if (ar.succeeded()) {
        answered();
        List<Response> replies = ar.result();
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).reply.tryComplete(replies.get(i));
        }
      } else {
        Throwable[] causes = batchFailures(ar.cause(), batch.size());
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

  /** The failure of each command of a failed batch of {@code size} commands. */
  private Throwable[] batchFailures(Throwable failure, int size) {
    Throwable[] causes = new Throwable[size];
    boolean named = false;
    if (failure instanceof ErrorType && failure.getMessage() != null) {
      for (String line : failure.getMessage().split("\\R")) {
        Matcher matcher = BATCH_FAILURE.matcher(line);
        int index = matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
        if (index >= 0 && index < size) {
          causes[index] = commandFailure(matcher.group(2));
          named = true;
        }
      }
    }
    for (int i = 0; i < size; i++) {
      if (!named) {
        // Failed as a whole: not sent, or the connection failed.
        causes[i] = failure;
      } else if (causes[i] == null) {
        causes[i] = new IllegalStateException(name + ": Redis took the command, but its reply was lost with "
          + "the failure of another in the same write: " + failure.getMessage().lines().findFirst().orElse(""));
      }
    }
    return causes;
  }

  /**
   * The failure of one command of a batch, from the text the client gives it: a Java exception (the connection
   * failed: the outcome is unknown), else an error reply as Redis sent it (the client strips the {@code ERR}
   * code of the errors it lists).
   */
  private Throwable commandFailure(String cause) {
    if (JAVA_EXCEPTION.matcher(cause).matches()) {
      return new RedisUnavailableException(name + ": the connection failed with the command unanswered: " + cause);
    }
    return ErrorType.create(ERROR_CODE.matcher(cause).matches() ? cause : "ERR " + cause);
  }

  /** Queues this pass's batched commands, each key's together, in the order their keys came, and sends. */
  private void endOfPass() {
    passScheduled = false;
    if (pass.isEmpty()) {
      return;
    }
    String first = pass.get(0).key;
    if (pass.stream().allMatch(queued -> queued.key.equals(first))) {
      overflow.addAll(pass);
    } else {
      Map<String, List<Queued>> byKey = new LinkedHashMap<>();
      pass.forEach(queued -> byKey.computeIfAbsent(queued.key, k -> new ArrayList<>()).add(queued));
      byKey.values().forEach(overflow::addAll);
    }
    pass.clear();
    drain();
  }

  /** Sends what waits, while the pipeline has room: runs of batched commands on one key in one write. */
  private void drain() {
    while (!overflow.isEmpty()) {
      if (connection == null) {
        if (connecting == null) {
          // An attempt drains when it completes; one refused at once (backoff) fails what waits.
          connection().onFailure(this::failWaiting);
        }
        return;
      }
      int room = maxWaiting - sent.size();
      if (connection.pendingQueueFull() || room <= 0) {
        return;
      }
      Queued head = overflow.poll();
      if (head.key == null || maxBatch == 1) {
        if (!head.reply.future().isComplete()) {
          dispatch(connection, head);
        }
        continue;
      }
      List<Queued> batch = new ArrayList<>();
      batch.add(head);
      int limit = Math.min(maxBatch, room);
      Queued next;
      while (batch.size() < limit && (next = overflow.peek()) != null && head.key.equals(next.key)) {
        batch.add(overflow.poll());
      }
      batch.removeIf(queued -> queued.reply.future().isComplete());
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

  /**
   * One periodic check per link instead of a timer per command (timers cost more than the command itself at
   * tens of thousands of publishes a second); a timeout is noticed up to one period late.
   */
  private void watchDeadlines(long timeoutMs) {
    if (checkTimer == -1 && !closed) {
      long periodMs = Math.max(MIN_CHECK_MS, Math.min(MAX_CHECK_MS, timeoutMs / 10));
      checkTimer = vertx.setPeriodic(periodMs, id -> checkDeadlines());
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
    // Expired commands made room in the pipeline, or the connection was dropped: what waits goes on.
    drain();
    if (sent.isEmpty() && overflow.isEmpty() && pass.isEmpty() && checkTimer != -1) {
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

  /**
   * Drops the connection when its server answered that it cannot serve it now (see
   * {@link RedisErrors#isNotServing}): the next command connects again, after the backoff, so that a name that
   * still points at the old node is not asked in a hot loop. The commands already out on it get their own replies
   * (a write refused there was not written) before it is closed, for real: given back to the client's pool, it
   * would be leased again.
   */
  private void retireIfNotServing(RedisConnection c, Throwable cause) {
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
        closeForReal(c);
      }
    });
  }

  /**
   * Closes a connection. On a standalone Redis the socket is closed, not given back to the client's pool (which
   * {@code close()} of a pooled connection does), so that no later connect leases it again; the client's other
   * topologies wrap their connections beyond reach and get {@code close()}.
   */
  private static void closeForReal(RedisConnection c) {
    RedisConnection actual = c instanceof PooledRedisConnection pooled ? pooled.actual() : c;
    if (actual instanceof RedisStandaloneConnection standalone) {
      standalone.forceClose();
    } else {
      c.close();
    }
  }

  /** A reply came: the server serves this connection, and the next failure starts the backoff from the shortest. */
  private void answered() {
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
