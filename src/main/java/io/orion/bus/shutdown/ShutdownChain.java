package io.orion.bus.shutdown;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Cleanup steps run as one chain of futures under one timer, so that a stop always ends in bounded time
 * (a Kubernetes pod has {@code terminationGracePeriodSeconds} 30; the default timer is 25 s).
 * <ul>
 *   <li>Steps run in the order they were added; a step that fails (or throws) does not stop the next.</li>
 *   <li>When every step has run, the result fails with a {@link ShutdownException} that reports every
 *   failure together, or succeeds when none failed.</li>
 *   <li>When the timer fires first, the result fails at once with a {@link ShutdownException} whose message
 *   contains "timed out" and names the unfinished steps; the steps added with {@link #always} that have not
 *   started yet (closing connections) are started all the same.</li>
 * </ul>
 * A chain runs once: {@link #run} called again returns the same future.
 */
public final class ShutdownChain {

  private static final Logger LOG = LoggerFactory.getLogger(ShutdownChain.class);

  private record Step(String name, Supplier<Future<?>> action, boolean always) {
  }

  private final String owner;
  private final List<Step> steps = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final List<Throwable> causes = new ArrayList<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final Promise<Void> result = Promise.promise();
  private Context context;
  private int next;
  private boolean timedOut;

  private ShutdownChain(String owner) {
    this.owner = owner;
  }

  /** @param owner what is stopping, for messages (e.g. {@code consumer orion:events/workers/host-1-0}) */
  public static ShutdownChain of(String owner) {
    return new ShutdownChain(owner);
  }

  /** Adds a step that runs after the ones added before it. */
  public ShutdownChain step(String name, Supplier<Future<?>> action) {
    steps.add(new Step(name, action, false));
    return this;
  }

  /** Adds a step that also starts when the timer fires before it is reached (closing connections). */
  public ShutdownChain always(String name, Supplier<Future<?>> action) {
    steps.add(new Step(name, action, true));
    return this;
  }

  /**
   * Runs the chain on the caller's context.
   *
   * @param timeoutMs the timer. The value is in milliseconds.
   */
  public Future<Void> run(Vertx vertx, long timeoutMs) {
    if (!started.compareAndSet(false, true)) {
      return result.future();
    }
    // Steps may complete on other threads (a client's close); the chain's state is kept on this context.
    context = vertx.getOrCreateContext();
    long started = System.nanoTime();
    long timer = vertx.setTimer(timeoutMs, id -> onTimeout(timeoutMs));
    runNext().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (!timedOut) {
        finish();
        LOG.info("{}: stopped in {} ms{}", owner, (System.nanoTime() - started) / 1_000_000,
          failures.isEmpty() ? "" : " with " + failures.size() + " failed step(s)");
      }
    });
    return result.future();
  }

  private Future<Void> runNext() {
    if (next >= steps.size() || timedOut) {
      // After the timer fired, the always-steps were started by it and nothing else runs.
      return Future.succeededFuture();
    }
    Step step = steps.get(next++);
    return invoke(step).transform(ar -> runNext());
  }

  private Future<?> invoke(Step step) {
    Future<?> future;
    try {
      future = step.action().get();
    } catch (RuntimeException e) {
      future = Future.failedFuture(e);
    }
    Promise<Object> settled = Promise.promise();
    future.onComplete(ar -> context.runOnContext(v -> {
      if (ar.failed()) {
        failures.add(step.name() + ": " + ar.cause().getMessage());
        causes.add(ar.cause());
        LOG.warn("{}: shutdown step '{}' failed: {}", owner, step.name(), ar.cause().getMessage());
      }
      settled.handle(ar.map(x -> (Object) x));
    }));
    return settled.future();
  }

  private void onTimeout(long timeoutMs) {
    timedOut = true;
    List<Step> unfinished = steps.subList(Math.max(0, next - 1), steps.size());
    String names = unfinished.stream().map(Step::name).collect(Collectors.joining(", "));
    StringBuilder message = new StringBuilder(owner).append(": shutdown timed out after ").append(timeoutMs)
      .append(" ms; unfinished steps: ").append(names);
    if (!failures.isEmpty()) {
      message.append("; failed steps: ").append(String.join("; ", failures));
    }
    ShutdownException error = new ShutdownException(message.toString(), causes);
    LOG.error(error.getMessage());
    // The step that was running keeps running; the always-steps not reached yet start now.
    for (Step step : steps.subList(next, steps.size())) {
      if (step.always()) {
        invoke(step);
      }
    }
    result.tryFail(error);
  }

  private void finish() {
    if (failures.isEmpty()) {
      result.tryComplete();
    } else {
      result.tryFail(new ShutdownException(owner + ": shutdown finished with " + failures.size()
        + " failed step(s): " + String.join("; ", failures), causes));
    }
  }
}
