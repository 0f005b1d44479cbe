package io.orion.bus.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Java child process of a test: the bus jar or {@link ChildMain}, with its stdout and stderr in a log
 * file. Every wait is bounded; {@link #close()} kills what is still alive.
 */
final class ChildProcess implements AutoCloseable {

  /** Heap of a child: the bus needs little, and the machine runs several JVMs at once. */
  private static final String HEAP = "-Xmx256m";
  private static final int TAIL_LINES = 40;

  private final String name;
  private final Process process;
  private final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in {@code dir} with the environment of this process less every {@code ORION_*}
   * variable, plus {@code env}; output goes to {@code dir/{name}.log}.
   */
  static ChildProcess start(String name, List<String> command, Path dir, Map<String, String> env) {
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(key -> key.startsWith("ORION_"));
    builder.environment().putAll(env);
    try {
      return new ChildProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /** {@code java -jar jar args...}. */
  static List<String> javaJar(Path jar, String... args) {
    List<String> command = new ArrayList<>(List.of(javaBinary(), HEAP, "-jar", jar.toString()));
    command.addAll(List.of(args));
    return command;
  }

  /** {@code java -cp classpath mainClass args...}. */
  static List<String> javaMain(String classpath, Class<?> mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(javaBinary(), HEAP, "-cp", classpath, mainClass.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** The built jar, from system property {@code orion.jar} (set by failsafe). */
  static Path orionJar() {
    String jar = System.getProperty("orion.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("system property orion.jar must name the built jar (run with mvn verify),"
        + " got " + jar);
    }
    return Path.of(jar);
  }

  /** The directory (or jar) this test code was loaded from: holds {@link ChildMain}. */
  static Path testClasses() {
    try {
      return Path.of(ChildMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The whole output so far. */
  String output() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** The last lines of the output, for failure messages. */
  String tail() {
    List<String> lines = output().lines().toList();
    return name + " (pid " + process.pid() + ") output, last lines:\n"
      + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
  }

  /** Waits until the output holds {@code text}; fails when the process exits first or time runs out. */
  void awaitOutput(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '" + text
          + "'\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " did not print '" + text + "' within " + timeout + "\n" + tail());
      }
      pause(20);
    }
  }

  /** Waits for the process to exit; true when it has within the timeout. */
  boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + name + " to exit", e);
    }
  }

  int exitValue() {
    return process.exitValue();
  }

  /** SIGTERM. */
  void terminate() {
    process.destroy();
  }

  /** SIGKILL, and waits for the process to be gone. */
  void kill() {
    process.destroyForcibly();
    if (!awaitExit(Duration.ofSeconds(10))) {
      throw new IllegalStateException(name + " (pid " + process.pid() + ") survived SIGKILL");
    }
  }

  /** Kills the process when it is still alive. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
