package io.orion.bus.bench.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints the heap after a full GC and the RSS every few seconds of a phase, and a summary at the end: whether
 * a long run's memory stays flat after warm-up. The full GC it forces costs the run a little; off by default.
 */
final class HeapWatch {

  private final ScheduledExecutorService timer;
  private final List<Double> heapMb = new ArrayList<>();
  private final long startNanos = System.nanoTime();

  private HeapWatch(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** Starts sampling every {@code everySeconds} (0: a watch that does nothing). */
  static HeapWatch start(int everySeconds, Phase phase) {
    if (everySeconds == 0) {
      return new HeapWatch(null);
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "bench-heap-watch");
      thread.setDaemon(true);
      return thread;
    });
    HeapWatch watch = new HeapWatch(timer);
    timer.scheduleAtFixedRate(() -> watch.sample(phase), everySeconds, everySeconds, TimeUnit.SECONDS);
    return watch;
  }

  private void sample(Phase phase) {
    double heap = Report.heapAfterGc() / 1048576.0;
    synchronized (heapMb) {
      heapMb.add(heap);
    }
    System.out.printf(Locale.ROOT, "heap: t=%ds delivered=%d heap_after_gc_mb=%.1f rss_mb=%.1f%n",
      TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos), phase.deliveredSoFar(), heap,
      Report.rssKb() / 1024.0);
  }

  /** Stops sampling and prints the first, lowest, highest and last sample. */
  void stop() throws InterruptedException {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    timer.awaitTermination(10, TimeUnit.SECONDS);
    synchronized (heapMb) {
      if (!heapMb.isEmpty()) {
        System.out.printf(Locale.ROOT, "heap_series: samples=%d first_mb=%.1f min_mb=%.1f max_mb=%.1f last_mb=%.1f%n",
          heapMb.size(), heapMb.get(0), heapMb.stream().mapToDouble(Double::doubleValue).min().orElse(0),
          heapMb.stream().mapToDouble(Double::doubleValue).max().orElse(0), heapMb.get(heapMb.size() - 1));
      }
    }
  }
}
