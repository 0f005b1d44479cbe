package io.orion.bus.bench;

import io.orion.bus.bench.common.BenchOptions;
import io.orion.bus.bench.common.Payload;
import io.orion.bus.bench.common.Phase;
import io.orion.bus.bench.common.BenchRun;
import io.orion.bus.config.ConsumerOptions;
import io.orion.bus.consume.ConsumerVerticle;
import io.orion.bus.publish.PublisherVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The orion-bus benchmark run by {@code scripts/bench}: the whole path in one JVM, on a real Redis. Producers
 * send publish requests (header {@code contract}) on the event bus to a {@link PublisherVerticle}, which
 * writes them to Redis; {@link ConsumerVerticle} instances read them with a consumer group and send each to a
 * handler verticle on the event bus, which records the latency and replies, and the consumer acknowledges.
 * <p>
 * Each producer keeps at most {@code --window} publish requests awaiting a reply; at {@code --rate} 0 it sends
 * the next as soon as one is answered, else a pacing thread releases messages at their intended send times
 * and latency is measured from that time (so a stall delays the measurement, it does not hide it). A
 * warm-up of {@code --warmup} messages runs first, on the same streams, and is not counted. Every run uses a
 * fresh stream prefix, group and addresses, and deletes its stream at the end.
 * <p>
 * Output (stdout; the bus's logs go to stderr): the options, the warm-up, publish failures, latency
 * percentiles, Redis commands per message, allocation and GC, then the CPU line, and last exactly
 * {@code orion-bus msgs=N secs=S throughput=T msg/s p50_us=… p99_us=… p999_us=… max_us=… lost=L dup=D
 * pending=P}. Exit status 0, or 3 when a message was lost, left pending, or its publish failed.
 */
public final class Bench extends BenchRun {

  private final String publishAddress = prefix + ".publish";
  private final String deliveryAddress = prefix + ".deliver";
  private final List<Producer> producers = new ArrayList<>();
  private Vertx vertx;

  private Bench(BenchOptions options) {
    super(options);
  }

  public static void main(String[] args) {
    BenchRun.main(args, Bench::new);
  }

  @Override
  protected String implementation() {
    return options.eventBusOnly() ? "event-bus-only" : "orion-bus";
  }

  @Override
  protected String describe() {
    return options.describe(implementation(), "bus-default(" + ConsumerOptions.DEFAULT_COUNT + ")",
      "bus-default(" + ConsumerOptions.DEFAULT_MAX_IN_FLIGHT + ")") + " handlers=" + options.handlers()
      + " publisher-instances=" + options.publisherInstances() + " event-loops="
      + (options.eventLoops() == 0 ? "vertx-default(" + VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE + ")"
      : options.eventLoops());
  }

  /** Deploys the handler, the publisher, the consumers and the producers. */
  @Override
  protected void start() throws Exception {
    VertxOptions vertxOptions = new VertxOptions();
    if (options.eventLoops() > 0) {
      vertxOptions.setEventLoopPoolSize(options.eventLoops());
    }
    vertx = Vertx.vertx(vertxOptions);
    JsonObject redis = new JsonObject().put("connectionString", options.redisUrl());
    await(vertx.deployVerticle(() -> new Handler(), new DeploymentOptions().setInstances(options.handlers())));
    if (options.eventBusOnly()) {
      EventBusOnly.deploy(vertx, publishAddress, deliveryAddress, options.consumers());
      deployProducers();
      return;
    }
    await(vertx.deployVerticle(PublisherVerticle.class, new DeploymentOptions()
      .setInstances(options.publisherInstances())
      .setConfig(new JsonObject()
        .put("redis", redis)
        .put("streamPrefix", prefix)
        .put("maxLen", options.maxLen())
        .put("address", publishAddress))));
    JsonObject consumer = new JsonObject()
      .put("redis", redis)
      .put("streamPrefix", prefix)
      .put("contract", CONTRACT)
      .put("group", group)
      .put("address", deliveryAddress)
      .put("consumer", prefix + "-c");
    if (options.count() > 0) {
      consumer.put("count", options.count());
    }
    if (options.maxInFlight() > 0) {
      consumer.put("maxInFlight", options.maxInFlight());
    }
    await(vertx.deployVerticle(ConsumerVerticle.class, new DeploymentOptions().setInstances(options.consumers())
      .setConfig(consumer)));
    deployProducers();
  }

  private void deployProducers() throws Exception {
    AtomicInteger index = new AtomicInteger();
    await(vertx.deployVerticle(() -> {
      Producer producer = new Producer(index.getAndIncrement());
      synchronized (producers) {
        producers.add(producer);
      }
      return producer;
    }, new DeploymentOptions().setInstances(options.producers())));
  }

  @Override
  protected Runnable publish(Phase phase) {
    List<Future<Void>> sent = new ArrayList<>();
    for (Producer producer : producers) {
      sent.add(producer.run(phase));
    }
    if (phase.paced()) {
      pace(phase);
    }
    // A stalled phase may leave sends unanswered; they do not hold the run up for long.
    return () -> Future.join(sent).timeout(5, TimeUnit.SECONDS).otherwiseEmpty().await();
  }

  @Override
  protected void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Releases paced messages at their intended send times, from this thread, until all are due. The producers
   * send on their own event loops; latency counts from the intended time, whenever they get to it.
   */
  private void pace(Phase phase) {
    int due;
    do {
      long now = System.nanoTime();
      due = phase.dueBy(now);
      for (Producer producer : producers) {
        producer.due(due);
      }
      if (due < phase.size()) {
        LockSupport.parkNanos(phase.intendedNanos(phase.from() + due) - now);
      }
    } while (due < phase.size());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(60, TimeUnit.SECONDS);
  }

  /** One publisher of the benchmark, on an event loop of its own. */
  private final class Producer extends VerticleBase {

    private final int index;
    private final AtomicBoolean dueScheduled = new AtomicBoolean();
    private volatile int dueGlobal;
    private Phase phase;
    private Promise<Void> done;
    private int quota;
    private int next;
    private int settled;
    private int inFlight;

    Producer(int index) {
      this.index = index;
    }

    /** Starts sending the phase's messages of this producer; completes when every send is answered. */
    Future<Void> run(Phase phase) {
      Promise<Void> promise = Promise.promise();
      // Set here, before the pacing thread starts, so that no release of the pacer is undone.
      dueGlobal = phase.paced() ? 0 : phase.size();
      context.runOnContext(v -> {
        this.phase = phase;
        done = promise;
        quota = Phase.share(phase.size(), index, options.producers());
        next = 0;
        settled = 0;
        inFlight = 0;
        if (quota == 0) {
          promise.complete();
        }
        sendDue();
      });
      return promise.future();
    }

    /** Paced: the first {@code due} messages of the phase are due now. Called from the pacing thread. */
    void due(int due) {
      if (due > dueGlobal) {
        dueGlobal = due;
        if (dueScheduled.compareAndSet(false, true)) {
          context.runOnContext(v -> {
            dueScheduled.set(false);
            sendDue();
          });
        }
      }
    }

    private void sendDue() {
      if (phase == null) {
        return;
      }
      int due = Math.min(quota, Phase.share(dueGlobal, index, options.producers()));
      while (next < due && inFlight < options.window()) {
        send(phase.seq(next++, index, options.producers()));
      }
    }

    private void send(int seq) {
      Phase current = phase;
      long sent = current.paced() ? current.intendedNanos(seq) : System.nanoTime();
      JsonObject body = new JsonObject().put(Payload.SEQ, seq).put(Payload.SENT, sent)
        .put(Payload.PADDING, padding);
      inFlight++;
      vertx.eventBus().request(publishAddress, body, new DeliveryOptions().addHeader("contract", CONTRACT))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            current.published(seq);
          } else {
            Throwable e = ar.cause();
            boolean unavailable = e instanceof ReplyException reply
              && reply.failureCode() == PublisherVerticle.UNAVAILABLE;
            current.failed(seq, unavailable, String.valueOf(e.getMessage()));
          }
          inFlight--;
          if (++settled == quota) {
            done.tryComplete();
          }
          sendDue();
        });
    }
  }

  /** The application's handler: records the latency and replies, which lets the bus acknowledge. */
  private final class Handler extends VerticleBase {

    @Override
    public Future<?> start() {
      return vertx.eventBus().<JsonObject>consumer(deliveryAddress, message -> {
        long now = System.nanoTime();
        JsonObject body = message.body();
        long seq = body.getLong(Payload.SEQ);
        phaseOf(seq).delivered(seq, now, body.getLong(Payload.SENT));
        message.reply(null);
      }).completion();
    }
  }
}
