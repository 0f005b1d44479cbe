package io.orion.bus.bench.lettuce;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.orion.bus.bench.common.BenchOptions;
import io.orion.bus.bench.common.BenchRun;
import io.orion.bus.bench.common.Payload;
import io.orion.bus.bench.common.Phase;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The baseline of the orion-bus benchmark: what an expert writes by hand with Lettuce, with the same options,
 * messages, phases and report (last line {@code lettuce msgs=N secs=S throughput=T msg/s p50_us=… …}).
 * <ul>
 *   <li>Producers: a thread and a connection each, commands flushed by hand: XADD ({@code MAXLEN ~}) pipelined
 *   in batches, at most {@code --window} awaiting a reply; at a fixed rate, released at their intended send
 *   times (latency counts from there).</li>
 *   <li>Consumers: a connection each, a loop of {@code XREADGROUP COUNT 100 BLOCK 1000 >} on Lettuce's event
 *   loop; each entry goes to the "handler" (latency recorded), then one XACK for the batch, pipelined with the
 *   next read in the same flush.</li>
 * </ul>
 * The handler reads the sequence number and send time out of the JSON text without a JSON parser (the
 * bus gives its handler a parsed JsonObject): the baseline is as cheap as it can be.
 * <p>
 * With env {@code BENCH_LETTUCE_AUTOFLUSH=1} every command is written and flushed as it is issued (Lettuce's
 * default; still pipelined, many in flight): the plainer "async Lettuce" variant.
 */
public final class LettuceBench extends BenchRun {

  /** Entries per XREADGROUP unless {@code --count} says otherwise. */
  static final int DEFAULT_COUNT = 100;
  /** How long a read waits for new entries. The value is in milliseconds. */
  static final long BLOCK_MS = 1_000;
  /** The most XADDs written per flush at full speed. */
  static final int MAX_BATCH = 64;
  /** Whether every command is flushed as it is issued, rather than in batches. */
  static final boolean AUTOFLUSH = "1".equals(System.getenv("BENCH_LETTUCE_AUTOFLUSH"));

  private RedisClient client;
  private final List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
  private final List<StatefulRedisConnection<String, String>> producerConnections = new ArrayList<>();
  private final List<ConsumerLoop> consumers = new ArrayList<>();
  private final AtomicLong ackFailures = new AtomicLong();

  private LettuceBench(BenchOptions options) {
    super(options);
  }

  public static void main(String[] args) {
    BenchRun.main(args, LettuceBench::new);
  }

  @Override
  protected String implementation() {
    return "lettuce";
  }

  @Override
  protected String describe() {
    return options.describe(implementation(), String.valueOf(DEFAULT_COUNT), null)
      + (AUTOFLUSH ? " flush=every-command" : " flush=batched");
  }

  @Override
  protected void start() throws Exception {
    client = RedisClient.create(options.redisUrl());
    StatefulRedisConnection<String, String> admin = connect();
    admin.sync().xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), group, XGroupCreateArgs.Builder.mkstream());
    for (int p = 0; p < options.producers(); p++) {
      producerConnections.add(connect());
    }
    int count = options.count() == 0 ? DEFAULT_COUNT : options.count();
    for (int i = 0; i < options.consumers(); i++) {
      ConsumerLoop consumer = new ConsumerLoop(connect(), prefix + "-c-" + i, count);
      consumers.add(consumer);
      consumer.read();
    }
  }

  @Override
  protected Runnable publish(Phase phase) throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<CompletableFuture<Void>> settled = new ArrayList<>();
    for (int p = 0; p < options.producers(); p++) {
      Producer producer = new Producer(producerConnections.get(p), phase, p);
      settled.add(producer.settled);
      Thread thread = new Thread(producer::run, "producer-" + p);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    // A stalled phase may leave sends unanswered; they do not hold the run up for long.
    return () -> {
      try {
        CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("lettuce: publishes still unanswered: " + e);
      }
    };
  }

  @Override
  protected void stop() throws Exception {
    List<CompletableFuture<Void>> stopped = new ArrayList<>();
    for (ConsumerLoop consumer : consumers) {
      stopped.add(consumer.stop());
    }
    try {
      CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).get(BLOCK_MS + 5_000, TimeUnit.MILLISECONDS);
    } finally {
      if (ackFailures.get() > 0) {
        System.err.println("lettuce: " + ackFailures.get() + " XACK commands failed");
      }
      connections.forEach(StatefulRedisConnection::close);
      if (client != null) {
        client.shutdown(0, 5, TimeUnit.SECONDS);
      }
    }
  }

  private synchronized StatefulRedisConnection<String, String> connect() {
    StatefulRedisConnection<String, String> connection = client.connect();
    connections.add(connection);
    return connection;
  }

  /** One publisher: a thread of its own and a connection whose commands it flushes itself. */
  private final class Producer {

    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final Phase phase;
    private final int index;
    private final XAddArgs trim;
    /** Completes once every XADD of this producer in the phase was answered. */
    final CompletableFuture<Void> settled = new CompletableFuture<>();

    Producer(StatefulRedisConnection<String, String> connection, Phase phase, int index) {
      this.connection = connection;
      this.commands = connection.async();
      this.phase = phase;
      this.index = index;
      this.trim = options.maxLen() > 0 ? XAddArgs.Builder.maxlen(options.maxLen()).approximateTrimming()
        : new XAddArgs();
      connection.setAutoFlushCommands(AUTOFLUSH);
    }

    void run() {
      int quota = Phase.share(phase.size(), index, options.producers());
      Semaphore window = new Semaphore(options.window());
      // Permits are taken in batches, so that a full window refills a batch at a time, not one by one.
      int batch = phase.paced() ? 1 : Math.max(1, Math.min(MAX_BATCH, options.window() / 4));
      int credits = 0;
      int unflushed = 0;
      AtomicInteger unanswered = new AtomicInteger(quota);
      if (quota == 0) {
        settled.complete(null);
      }
      for (int k = 0; k < quota; k++) {
        int seq = phase.seq(k, index, options.producers());
        long sent;
        if (phase.paced()) {
          long intended = phase.intendedNanos(seq);
          if (System.nanoTime() < intended && unflushed > 0) {
            connection.flushCommands();
            unflushed = 0;
          }
          for (long wait; (wait = intended - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(wait);
          }
          sent = intended;
        } else {
          sent = 0;
        }
        if (credits == 0) {
          if (unflushed > 0) {
            connection.flushCommands();
            unflushed = 0;
          }
          window.acquireUninterruptibly(batch);
          credits = batch;
        }
        credits--;
        if (sent == 0) {
          sent = System.nanoTime();
        }
        RedisFuture<String> reply = commands.xadd(stream, trim, Map.of("data", Payload.json(seq, sent, padding)));
        unflushed++;
        if (unflushed >= MAX_BATCH) {
          connection.flushCommands();
          unflushed = 0;
        }
        reply.whenComplete((id, e) -> {
          if (e == null) {
            phase.published(seq);
          } else {
            phase.failed(seq, false, String.valueOf(e.getMessage()));
          }
          window.release();
          if (unanswered.decrementAndGet() == 0) {
            settled.complete(null);
          }
        });
      }
      connection.flushCommands();
    }
  }

  /** One consumer: reads, hands each entry to the handler, acknowledges the batch, reads again. */
  private final class ConsumerLoop {

    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final Consumer<String> name;
    private final XReadArgs args;
    private final XReadArgs.StreamOffset<String> offset = XReadArgs.StreamOffset.lastConsumed(stream);
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean stopping;

    ConsumerLoop(StatefulRedisConnection<String, String> connection, String name, int count) {
      this.connection = connection;
      this.commands = connection.async();
      this.name = Consumer.from(group, name);
      this.args = XReadArgs.Builder.count(count).block(BLOCK_MS);
      connection.setAutoFlushCommands(AUTOFLUSH);
    }

    void read() {
      commands.xreadgroup(name, args, offset).whenComplete(this::handle);
      connection.flushCommands();
    }

    CompletableFuture<Void> stop() {
      stopping = true;
      return stopped;
    }

    private void handle(List<StreamMessage<String, String>> messages, Throwable failure) {
      if (failure != null) {
        System.err.println("lettuce: XREADGROUP failed: " + failure);
        if (stopping) {
          stopped.complete(null);
        } else {
          CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(this::read);
        }
        return;
      }
      if (!messages.isEmpty()) {
        String[] ids = new String[messages.size()];
        for (int i = 0; i < ids.length; i++) {
          StreamMessage<String, String> message = messages.get(i);
          ids[i] = message.getId();
          deliver(message.getBody().get("data"));
        }
        commands.xack(stream, group, ids).whenComplete((n, e) -> {
          if (e != null) {
            ackFailures.incrementAndGet();
          }
        });
      }
      if (stopping) {
        connection.flushCommands();
        stopped.complete(null);
      } else {
        read();
      }
    }

    /** The handler. */
    private void deliver(String data) {
      long now = System.nanoTime();
      long seq = Payload.field(data, Payload.SEQ);
      phaseOf(seq).delivered(seq, now, Payload.field(data, Payload.SENT));
    }
  }
}
