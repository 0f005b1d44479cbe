package io.orion.bus.bench.common;

import java.util.UUID;
import java.util.function.Function;

/**
 * The course of one benchmark run, the same for orion-bus and for the Lettuce baseline: start, the warm-up
 * phase, the measured phase between the report's counters, the pending entries left, the report, stop, and
 * the run's stream deleted. Each run works on a fresh stream prefix and group.
 */
public abstract class BenchRun {

  /** The contract type of the messages; the stream is {@code {prefix}:benchs}. */
  public static final String CONTRACT = "bench";
  /** How long the run waits for the last acknowledgements before it reads the pending count. */
  private static final long PENDING_SETTLE_MS = 10_000;

  protected final BenchOptions options;
  protected final String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  protected final String stream = prefix + ":" + CONTRACT + "s";
  protected final String group = prefix + "-group";
  /** The padding of every message's data. */
  protected final String padding;
  private volatile Phase[] phases = new Phase[0];

  protected BenchRun(BenchOptions options) {
    this.options = options;
    this.padding = Payload.padding(options.payloadBytes(), options.warmup() + options.messages());
  }

  /**
   * Parses the options, runs, and exits: status 0, 2 for bad options, 3 when a message was lost, left
   * pending or refused by the publisher.
   */
  public static void main(String[] args, Function<BenchOptions, BenchRun> create) {
    // Before any logger exists: stdout holds the results only.
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    int status;
    try {
      status = create.apply(options).run();
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  /** The name on the result line, e.g. {@code orion-bus}. */
  protected abstract String implementation();

  /** The head line: the options, with the defaults this implementation applies. */
  protected abstract String describe();

  /** Starts what is measured: connections, verticles, consumers. */
  protected abstract void start() throws Exception;

  /**
   * Starts sending the phase's messages (at a fixed rate: paced from their intended send times) and returns
   * once the last was released; returns what waits, bounded, for every send to be answered.
   */
  protected abstract Runnable publish(Phase phase) throws Exception;

  /** Stops everything {@link #start()} started; called whether or not the run went well. */
  protected abstract void stop() throws Exception;

  /** The phase of message {@code seq}, for the handler's report. */
  protected final Phase phaseOf(long seq) {
    return Phase.of(phases, seq);
  }

  private int run() throws Exception {
    System.out.println(describe());
    RedisProbe probe = new RedisProbe(options.redisUrl());
    Report report = new Report(implementation(), options, probe);
    Phase warmup = new Phase("warmup", 0, options.warmup(), options.rate());
    Phase measured = new Phase("measured", options.warmup(), options.messages(), options.rate());
    phases = new Phase[] {warmup, measured};
    try {
      start();
      if (options.warmup() > 0) {
        runPhase(warmup);
        Report.printPhase(System.out, warmup.result(), "warmup");
      }
      report.begin();
      HeapWatch watch = HeapWatch.start(options.heapEverySeconds(), measured);
      runPhase(measured);
      watch.stop();
      report.end();
      Phase.Result result = measured.result();
      // Nothing goes through Redis without it: nothing can be pending.
      long pending = options.eventBusOnly() ? 0 : probe.awaitNoPending(stream, group, PENDING_SETTLE_MS);
      report.print(System.out, result, pending);
      return result.lost() == 0 && pending == 0 && result.failures() == 0 && !result.stalled() ? 0 : 3;
    } finally {
      try {
        stop();
      } finally {
        probe.call("DEL", stream);
      }
    }
  }

  private void runPhase(Phase phase) throws Exception {
    phase.start();
    Runnable awaitSent = publish(phase);
    phase.awaitDelivered(options.stallSeconds());
    awaitSent.run();
  }
}
