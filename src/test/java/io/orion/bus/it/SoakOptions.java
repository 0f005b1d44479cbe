package io.orion.bus.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@link Soak}: {@code [--messages N] [--poison-every K] [--redis-restarts R]
 * [--max-seconds S] [--dir D]}.
 *
 * @param messages      good messages to publish. By default 100000.
 * @param poisonEvery   a poison entry (no data field) after every this many messages; 0 for none. By default 10000.
 * @param redisRestarts how many times Redis is restarted during the publishing. By default 2.
 * @param maxSeconds    the longest the soak runs before it gives up, cleanup aside. By default 1200.
 * @param dir           where logs and out files go. By default a fresh temporary directory.
 */
record SoakOptions(int messages, int poisonEvery, int redisRestarts, int maxSeconds, Path dir) {

  private static final Set<String> NAMES = Set.of("messages", "poison-every", "redis-restarts", "max-seconds", "dir");

  SoakOptions {
    if (messages < 2 || poisonEvery < 0 || redisRestarts < 0 || maxSeconds < 1) {
      throw new IllegalArgumentException("options out of range: messages " + messages + " (>= 2), poison-every "
        + poisonEvery + " (>= 0), redis-restarts " + redisRestarts + " (>= 0), max-seconds " + maxSeconds
        + " (>= 1)");
    }
  }

  static SoakOptions parse(String[] args) throws IOException {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || !NAMES.contains(arg.substring(2)) || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected one of --" + String.join(", --", NAMES.stream().sorted()
          .toList()) + " with a value, got " + arg);
      }
      options.put(arg.substring(2), args[++i]);
    }
    return new SoakOptions(
      intOption(options, "messages", 100_000),
      intOption(options, "poison-every", 10_000),
      intOption(options, "redis-restarts", 2),
      intOption(options, "max-seconds", 1_200),
      options.containsKey("dir") ? Path.of(options.get("dir")) : Files.createTempDirectory("orion-soak-"));
  }

  private static int intOption(Map<String, String> options, String name, int defaultValue) {
    String value = options.get(name);
    return value == null ? defaultValue : Integer.parseInt(value);
  }
}
