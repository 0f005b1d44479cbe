package io.orion.bus.bench.common;

import io.orion.bus.support.RespClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Redis's own counters for a benchmark (commands per message, Redis CPU, connections) and the state of
 * a group at the end, over a connection of its own per call, outside the path being measured. RESP2, no TLS.
 */
public final class RedisProbe {

  private static final int TIMEOUT_MS = 10_000;

  private final String host;
  private final int port;
  private final List<List<String>> handshake = new ArrayList<>();

  public RedisProbe(String url) {
    URI uri = URI.create(url);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("expected redis://[user:password@]host:port[/db], got " + describe(url));
    }
    host = uri.getHost();
    port = uri.getPort() < 0 ? 6379 : uri.getPort();
    String userInfo = uri.getUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      handshake.add(colon < 0 ? List.of("AUTH", userInfo) : colon == 0 ? List.of("AUTH", userInfo.substring(1))
        : List.of("AUTH", userInfo.substring(0, colon), userInfo.substring(colon + 1)));
    }
    String db = uri.getPath() == null ? "" : uri.getPath().replace("/", "");
    if (!db.isEmpty()) {
      handshake.add(List.of("SELECT", db));
    }
  }

  /**
   * The URL as the output may show it: scheme, host, port and database, never its user info (a password). The
   * benchmarks share this with no dependency on the bus, whose {@code config.Secrets} masks the bus's own URLs.
   */
  public static String describe(String url) {
    try {
      URI uri = URI.create(url);
      return uri.getHost() == null ? "(a URL without a host)"
        : uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getPath() == null ? "" : uri.getPath());
    } catch (IllegalArgumentException e) {
      return "(a URL that does not parse)";
    }
  }

  /** Sends one command and returns the reply as redis-cli prints it (arrays one value a line). */
  public String call(String... command) {
    List<List<String>> commands = new ArrayList<>(handshake);
    commands.add(List.of(command));
    try {
      return RespClient.call(host, port, TIMEOUT_MS, commands);
    } catch (IOException e) {
      throw new UncheckedIOException("Redis at " + host + ":" + port + " did not answer " + command[0], e);
    }
  }

  /** Redis's counters now. */
  public Stats stats() {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String section : List.of("commandstats", "cpu", "clients")) {
      for (String line : call("INFO", section).split("\r?\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && !line.startsWith("#")) {
          fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
      }
    }
    Map<String, long[]> commands = new LinkedHashMap<>();
    fields.forEach((key, value) -> {
      if (key.startsWith("cmdstat_")) {
        long[] callsUsec = new long[2];
        for (String pair : value.split(",")) {
          String[] kv = pair.split("=", 2);
          if (kv[0].equals("calls")) {
            callsUsec[0] = Long.parseLong(kv[1]);
          } else if (kv[0].equals("usec")) {
            callsUsec[1] = Long.parseLong(kv[1]);
          }
        }
        commands.put(key.substring("cmdstat_".length()), callsUsec);
      }
    });
    double cpu = Double.parseDouble(fields.getOrDefault("used_cpu_user", "0"))
      + Double.parseDouble(fields.getOrDefault("used_cpu_sys", "0"));
    return new Stats(commands, cpu, Long.parseLong(fields.getOrDefault("connected_clients", "0")));
  }

  /** The group's pending entries (the XPENDING summary's count); -1 when the group or stream is gone. */
  public long pending(String stream, String group) {
    String reply = call("XPENDING", stream, group);
    try {
      return Long.parseLong(reply.lines().findFirst().orElse("-1").trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Waits up to {@code timeoutMs} for the group to have nothing pending; returns the last count read. */
  public long awaitNoPending(String stream, String group, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    long pending;
    while ((pending = pending(stream, group)) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return pending;
  }

  /**
   * @param commands per command (lower case), calls and microseconds spent, since Redis started
   * @param cpuSeconds Redis's CPU time, user and system, since it started
   * @param clients connections now
   */
  public record Stats(Map<String, long[]> commands, double cpuSeconds, long clients) {

    public long calls(String command) {
      return commands.getOrDefault(command, new long[2])[0];
    }

    public long usec(String command) {
      return commands.getOrDefault(command, new long[2])[1];
    }
  }
}
