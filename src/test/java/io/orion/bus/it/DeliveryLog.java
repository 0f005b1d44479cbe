package io.orion.bus.it;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What child processes handled, read back from their out files (lines {@code {id} {body}}, see
 * {@link ChildMain}): how many deliveries, and how many times each key was delivered.
 */
final class DeliveryLog {

  /** Keys deliveries by entry id. */
  static final Function<String[], String> BY_ID = line -> line[0];
  /** Keys deliveries by the {@code n} field of the body, the message number of the soak. */
  static final Function<String[], String> BY_N = line -> String.valueOf(new JsonObject(line[1]).getValue("n"));

  private final Map<String, Integer> counts = new HashMap<>();
  private long lines;
  private long unreadable;

  private DeliveryLog() {
  }

  /** Reads every out file that exists; a line that cannot be read (cut by a SIGKILL) counts as unreadable. */
  static DeliveryLog read(List<Path> files, Function<String[], String> key) {
    DeliveryLog log = new DeliveryLog();
    for (Path file : files) {
      if (!Files.exists(file)) {
        continue;
      }
      try (var stream = Files.lines(file, StandardCharsets.UTF_8)) {
        stream.forEach(line -> log.add(line, key));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return log;
  }

  private void add(String line, Function<String[], String> key) {
    int space = line.indexOf(' ');
    if (space <= 0) {
      unreadable++;
      return;
    }
    try {
      counts.merge(key.apply(new String[] {line.substring(0, space), line.substring(space + 1)}), 1, Integer::sum);
      lines++;
    } catch (RuntimeException e) {
      unreadable++;
    }
  }

  /** Every delivery read. */
  long delivered() {
    return lines;
  }

  /** Distinct keys delivered. */
  long distinct() {
    return counts.size();
  }

  /** Deliveries beyond the first of their key. */
  long duplicates() {
    return lines - counts.size();
  }

  long unreadable() {
    return unreadable;
  }

  boolean contains(String key) {
    return counts.containsKey(key);
  }

  /** The keys delivered. */
  Set<String> keys() {
    return counts.keySet();
  }
}
