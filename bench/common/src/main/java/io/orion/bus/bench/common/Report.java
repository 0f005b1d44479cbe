package io.orion.bus.bench.common;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a benchmark measures besides latency, around the measured phase: the JVM's CPU time, allocation and
 * GC, Redis's command counts and CPU; then heap after GC and RSS; and how it is all printed. The last line on
 * stdout is exactly
 * {@code <impl> msgs=N secs=S throughput=T msg/s p50_us=… p99_us=… p999_us=… max_us=… lost=L dup=D pending=P},
 * the line before it the CPU line.
 */
public final class Report {

  /** The columns {@code --csv} appends, one row per run. */
  public static final String CSV_HEADER = "rate,throughput,p50_us,p99_us,p999_us,cpu_us_per_msg";

  private final String implementation;
  private final BenchOptions options;
  private final RedisProbe probe;
  private Jvm jvmBefore;
  private Jvm jvmAfter;
  private RedisProbe.Stats redisBefore;
  private RedisProbe.Stats redisAfter;

  public Report(String implementation, BenchOptions options, RedisProbe probe) {
    this.implementation = implementation;
    this.options = options;
    this.probe = probe;
  }

  /** Takes the counters at the start of the measured phase. */
  public void begin() {
    redisBefore = probe.stats();
    jvmBefore = Jvm.now();
  }

  /** Takes the counters once the measured messages were delivered (before the pending entries settle). */
  public void end() {
    jvmAfter = Jvm.now();
    redisAfter = probe.stats();
  }

  /** Prints the warm-up's figures, on stdout. */
  public static void printPhase(PrintStream out, Phase.Result r, String label) {
    out.printf(Locale.ROOT, "%s: msgs=%d secs=%.2f throughput=%.0f msg/s p50_us=%d p99_us=%d max_us=%d"
        + " published=%d failed=%d lost=%d%s%n", label, r.messages(), r.secs(), r.throughput(),
      r.latency().getValueAtPercentile(50), r.latency().getValueAtPercentile(99), r.latency().getMaxValue(),
      r.published(), r.failures(), r.lost(), r.stalled() ? " STALLED" : "");
  }

  /**
   * Prints everything on stdout, the result line last, and appends the CSV row when asked.
   *
   * @param pending the group's pending entries at the end
   */
  public void print(PrintStream out, Phase.Result r, long pending) throws IOException {
    long heapAfterGc = Jvm.heapAfterGc();
    long rssKb = Jvm.rssKb();
    int n = r.messages();
    Histogram h = r.latency();
    out.printf(Locale.ROOT, "publish: confirmed=%d failed=%d (503=%d other=%d)%s max_backlog=%d%s%n",
      r.published(), r.failures(), r.unavailable(), r.otherFailures(),
      r.firstFailure() == null ? "" : " first failure: " + r.firstFailure(), r.maxBacklog(),
      r.stalled() ? " STALLED: no delivery for " + options.stallSeconds() + " s" : "");
    out.printf(Locale.ROOT, "latency_us: p50=%d p90=%d p99=%d p99.9=%d p99.99=%d max=%d mean=%.0f%n",
      h.getValueAtPercentile(50), h.getValueAtPercentile(90), h.getValueAtPercentile(99),
      h.getValueAtPercentile(99.9), h.getValueAtPercentile(99.99), h.getMaxValue(), h.getMean());
    out.println(redisLine(n));
    Jvm d = jvmAfter.minus(jvmBefore);
    out.printf(Locale.ROOT, "jvm: alloc_bytes_per_msg=%.0f gc_count=%d gc_ms=%d context_switches_per_msg=%.2f"
        + " sys_cpu_share=%.2f threads=%d cores=%d%n",
      (double) d.allocatedBytes / n, d.gcCount, d.gcMillis, (double) d.contextSwitches / n,
      d.userSysTicks[0] + d.userSysTicks[1] == 0 ? 0.0
        : (double) d.userSysTicks[1] / (d.userSysTicks[0] + d.userSysTicks[1]),
      ManagementFactory.getThreadMXBean().getThreadCount(), Runtime.getRuntime().availableProcessors());
    double cpuUsPerMsg = d.cpuNanos / 1_000.0 / n;
    out.printf(Locale.ROOT, "cpu: jvm_cpu_us_per_msg=%.1f (process cpu %.2f s over %d msgs) heap_after_gc_mb=%.1f"
        + " rss_mb=%.1f%n", cpuUsPerMsg, d.cpuNanos / 1e9, n, heapAfterGc / 1048576.0, rssKb / 1024.0);
    out.printf(Locale.ROOT, "%s msgs=%d secs=%.2f throughput=%.0f msg/s p50_us=%d p99_us=%d p999_us=%d max_us=%d"
        + " lost=%d dup=%d pending=%d%n", implementation, n, r.secs(), r.throughput(),
      h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(),
      r.lost(), r.dup(), pending);
    out.flush();
    if (options.csv() != null) {
      Path csv = Path.of(options.csv());
      String row = String.format(Locale.ROOT, "%d,%.0f,%d,%d,%d,%.1f%n", options.rate(), r.throughput(),
        h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), cpuUsPerMsg);
      boolean fresh = !Files.exists(csv) || Files.size(csv) == 0;
      Files.writeString(csv, (fresh ? CSV_HEADER + "\n" : "") + row, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
  }

  /** Commands per message and their cost in Redis, over the measured phase. */
  private String redisLine(int n) {
    StringBuilder line = new StringBuilder("redis:");
    long reads = delta("xreadgroup");
    long acks = delta("xack");
    for (String command : List.of("xadd", "xreadgroup", "xack")) {
      long calls = delta(command);
      line.append(String.format(Locale.ROOT, " %s=%d (%.3f/msg, %.2f usec/call)", command, calls,
        (double) calls / n, calls == 0 ? 0.0 : (double) deltaUsec(command) / calls));
    }
    line.append(String.format(Locale.ROOT, " entries_per_xreadgroup=%.1f ids_per_xack=%.1f",
      reads == 0 ? 0.0 : (double) n / reads, acks == 0 ? 0.0 : (double) n / acks));
    List<String> others = new ArrayList<>();
    for (Map.Entry<String, long[]> e : redisAfter.commands().entrySet()) {
      String command = e.getKey();
      long calls = delta(command);
      if (calls > 0 && !List.of("xadd", "xreadgroup", "xack", "info").contains(command)) {
        others.add(command + "=" + calls);
      }
    }
    line.append(" other=[").append(String.join(" ", others)).append("]");
    line.append(String.format(Locale.ROOT, " redis_cpu_us_per_msg=%.1f clients=%d",
      (redisAfter.cpuSeconds() - redisBefore.cpuSeconds()) * 1e6 / n, redisAfter.clients()));
    return line.toString();
  }

  private long delta(String command) {
    return redisAfter.calls(command) - redisBefore.calls(command);
  }

  private long deltaUsec(String command) {
    return redisAfter.usec(command) - redisBefore.usec(command);
  }

  /**
   * The JVM's counters at one moment.
   *
   * @param contextSwitches voluntary and involuntary, summed over the live threads (Linux; 0 elsewhere)
   * @param userSysTicks    the process's user and system CPU time in clock ticks (Linux; 0 elsewhere)
   */
  /** The heap in use right after a full GC, in bytes. */
  static long heapAfterGc() {
    return Jvm.heapAfterGc();
  }

  /** The process's resident set, in KiB; -1 where unknown. */
  static long rssKb() {
    return Jvm.rssKb();
  }

  private record Jvm(long cpuNanos, long allocatedBytes, long gcCount, long gcMillis, long contextSwitches,
                     long[] userSysTicks) {

    static Jvm now() {
      long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
      com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long allocated = 0;
      for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
        allocated += Math.max(0, bytes);
      }
      long count = 0;
      long millis = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        count += Math.max(0, gc.getCollectionCount());
        millis += Math.max(0, gc.getCollectionTime());
      }
      return new Jvm(cpu, allocated, count, millis, readContextSwitches(), readUserSysTicks());
    }

    Jvm minus(Jvm before) {
      return new Jvm(cpuNanos - before.cpuNanos, allocatedBytes - before.allocatedBytes, gcCount - before.gcCount,
        gcMillis - before.gcMillis, contextSwitches - before.contextSwitches,
        new long[] {userSysTicks[0] - before.userSysTicks[0], userSysTicks[1] - before.userSysTicks[1]});
    }

    /** Context switches of the live threads, from /proc/self/task/N/status. */
    static long readContextSwitches() {
      long total = 0;
      try (var tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            for (String line : Files.readAllLines(task.resolve("status"))) {
              if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                total += Long.parseLong(line.replaceAll("[^0-9]", ""));
              }
            }
          } catch (IOException e) {
            // The thread ended meanwhile.
          }
        }
      } catch (IOException | RuntimeException e) {
        return 0;
      }
      return total;
    }

    /** utime and stime of /proc/self/stat (fields 14 and 15), in clock ticks. */
    static long[] readUserSysTicks() {
      try {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
      } catch (IOException | RuntimeException e) {
        return new long[2];
      }
    }

    /** The heap in use right after a full GC. */
    static long heapAfterGc() {
      System.gc();
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** VmRSS from /proc/self/status, in KiB; -1 where there is none. */
    static long rssKb() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | RuntimeException e) {
        return -1;
      }
      return -1;
    }
  }
}
