package io.orion.bus.consume;

import io.orion.bus.config.ConsumerOptions;
import io.orion.bus.redis.RedisLink;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamReplies;
import io.orion.bus.shutdown.ShutdownChain;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One consumer of a Redis Streams consumer group, feeding each entry to a local event-bus address and
 * acknowledging it when the handler replies. Deploy it with {@code instances} n for n consumers; instance i is
 * named {@code {consumer}-{i}}.
 * <p>
 * Delivery: a request to {@code address} whose body is the entry's {@code data} JSON object, with headers
 * {@code stream}, {@code id}, {@code group}, {@code consumer}, {@code deliveries} (1 on the first delivery)
 * and every {@code meta.{name}} field as header {@code {name}}; send timeout {@code handlerTimeoutMs}.
 * A successful reply (any body) acknowledges the entry. A failure reply or a timeout leaves it pending; entries
 * pending for {@code claimIdleMs} are reclaimed by any consumer of the group and delivered again; an entry given
 * to a handler {@code maxDeliveries} times and failed each time is copied to {@code {stream}:dead} with fields
 * {@code data}, {@code meta.*}, {@code id}, {@code group}, {@code deliveries}, {@code error}, then acknowledged.
 * An entry whose {@code data} is missing, over {@code maxMessageBytes}, or not one strict JSON object (RFC 8259, UTF-8)
 * is dead-lettered at once, with deliveries 0.
 * <p>
 * Each instance is in the group from its start ({@code XGROUP CREATECONSUMER}), before it is given an entry.
 * Consumers idle for {@code consumerIdleMs} with nothing pending are removed from the group (a live one keeps
 * itself in: its own sweeps make it anew); an instance that stops cleanly with nothing pending removes itself. Its
 * name is handed to a new instance only once its deliveries were answered or timed out, even after a stop that
 * timed out.
 */
public final class ConsumerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ConsumerVerticle.class);

  /**
   * How long a command (other than the blocking read) may go unanswered before its connection counts as
   * silent and is replaced. The value is in milliseconds.
   */
  static final long COMMAND_TIMEOUT_MS = 10_000;

  private ConsumerOptions options;
  private Redis client;
  private int index = -1;
  private ConsumerScope scope;
  private RedisLink reader;
  private Deliveries deliveries;
  private Intake intake;
  private long reclaimTimer = -1;
  private long sweepTimer = -1;
  private long unreadTimer = -1;

  @Override
  public Future<?> start() {
    options = ConsumerOptions.fromJson(config());
    HandOffCodec.register(vertx);
    index = ConsumerNames.acquire(options.stream(), options.group(), options.consumer());
    client = Redis.createClient(vertx, options.redis().toOptions());
    String name = options.consumer() + "-" + index;
    String label = options.stream() + "/" + options.group() + "/" + name;
    RedisLink commands = new RedisLink(vertx, client, options.redis().toOptions(), label, COMMAND_TIMEOUT_MS);
    scope = new ConsumerScope(vertx, options, name, commands, ConsumerCounters.of(options.stream(), options.group()));
    reader = new RedisLink(vertx, client, options.redis().toOptions(), label + " reader", COMMAND_TIMEOUT_MS);
    deliveries = new Deliveries(scope);
    intake = new Intake(scope, reader, deliveries);
    deliveries.onChange(intake::pump);
    // The instances of a deployment share their options: the first one speaks for all.
    if (index == 0) {
      options.warnings().forEach(warning -> LOG.warn("{}: {}", scope.label(), warning));
    }
    return intake.start()
      .onSuccess(v -> {
        reclaimTimer = vertx.setPeriodic(periodMs(options.claimIdleMs()), id -> intake.reclaimDue());
        sweepTimer = vertx.setPeriodic(periodMs(options.consumerIdleMs()), id -> sweep());
        TrimmedUnreadWatch watch = TrimmedUnreadWatch.of(options.stream(), options.group());
        watch.check(scope);
        unreadTimer = vertx.setPeriodic(TrimmedUnreadWatch.CHECK_MS, id -> watch.check(scope));
        LOG.info("{}: delivering to '{}' (Redis {}, maxInFlight {}, claimIdleMs {}, maxDeliveries {})",
          scope.label(), options.address(), options.redis().describe(), options.maxInFlight(),
          options.claimIdleMs(), options.maxDeliveries());
      })
      .onFailure(e -> {
        client.close();
        ConsumerNames.release(options.stream(), options.group(), options.consumer(), index);
      });
  }

  @Override
  public Future<?> stop() {
    return ShutdownChain.of("consumer " + scope.label())
      .step("stop intake", this::stopIntake)
      .step("finish in-flight deliveries", () -> deliveries.when(() -> !intake.busy() && deliveries.settled()))
      .step("acknowledge delivered entries", deliveries::flushAcks)
      .step("leave the group", this::leaveGroup)
      .always("close Redis connections", () -> Future.join(reader.close(), scope.commands().close())
        .eventually(client::close))
      .run(vertx, options.shutdownTimeoutMs())
      .andThen(ar -> releaseNameWhenSettled());
  }

  /**
   * Hands the consumer name back once no delivery of this instance awaits its handler: after a stop that timed out,
   * a delivery still settles within handlerTimeoutMs of its send (its timeout fires after the undeploy too), and a
   * new instance with this name would meanwhile deliver the same entries again as its own pending ones.
   */
  private void releaseNameWhenSettled() {
    deliveries.when(() -> !intake.busy() && deliveries.settled())
      .onComplete(v -> ConsumerNames.release(options.stream(), options.group(), options.consumer(), index));
  }

  /** This instance's consumer name in the group. */
  public String consumerName() {
    return scope.consumer();
  }

  /** Runs a reclaim pass now, as the timer does every claimIdleMs / 2: for tests that cannot wait for it. */
  void reclaimNow() {
    context.runOnContext(v -> intake.reclaimDue());
  }

  private Future<?> stopIntake() {
    vertx.cancelTimer(reclaimTimer);
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(unreadTimer);
    deliveries.stop();
    return intake.stop();
  }

  /** Removes this consumer from the group, atomically only if it owns nothing pending. */
  private Future<?> leaveGroup() {
    return scope.commands()
      .send(StreamCommands.removeIdleConsumers(scope.stream(), scope.group(), 0, scope.consumer(), null))
      .onSuccess(reply -> {
        if (!StreamReplies.strings(reply.get(0)).isEmpty()) {
          LOG.info("{}: left the group", scope.label());
        } else if (!StreamReplies.strings(reply.get(1)).isEmpty()) {
          LOG.info("{}: stays in the group: it owns pending entries, which other consumers will reclaim",
            scope.label());
        }
      });
  }

  /**
   * Removes the consumers of the group idle for consumerIdleMs that own nothing pending, and keeps this one in the
   * group, its idle time started again when it owns nothing pending (see {@link StreamCommands#removeIdleConsumers}).
   */
  private void sweep() {
    scope.commands()
      .send(StreamCommands.removeIdleConsumers(scope.stream(), scope.group(), options.consumerIdleMs(), null,
        scope.consumer()))
      .onSuccess(reply -> {
        List<String> removed = StreamReplies.strings(reply.get(0));
        scope.counters().consumersRemoved.add(removed.size());
        removed.forEach(name -> LOG.info("{}: removed consumer {} from the group: idle over {} ms with nothing"
          + " pending", scope.label(), name, options.consumerIdleMs()));
        if (!StreamReplies.strings(reply.get(2)).isEmpty()) {
          LOG.info("{}: was missing from the group (removed by another process?): in it again", scope.label());
        }
      })
      .onFailure(e -> LOG.debug("{}: consumer sweep failed: {}", scope.label(), e.getMessage()));
  }

  /** Half the interval, so that what is due is found within 1.5 intervals. */
  private static long periodMs(long intervalMs) {
    return Math.max(10, intervalMs / 2);
  }
}
