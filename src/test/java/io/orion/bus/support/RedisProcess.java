package io.orion.bus.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.embedded.core.ExecutableProvider;

/**
 * A {@code redis-server} process on a free loopback port with its own temporary directory, which
 * holds its data files and {@code redis.log} (its stdout and stderr, appended across restarts).
 * It can be stopped and started again with the same command line.
 */
final class RedisProcess {

  static final String LOOPBACK = "127.0.0.1";
  /**
   * The redis-server binary the tests start, when set: system property {@value #SERVER_PROPERTY}, else env
   * {@value #SERVER_ENV} (not {@code ORION_*}: the bus reads those as config).
   */
  static final String SERVER_PROPERTY = "test.redis.server";
  static final String SERVER_ENV = "TEST_REDIS_SERVER";
  private static final long START_TIMEOUT_MS = 10_000;
  private static final long STOP_TIMEOUT_MS = 10_000;
  private static final long POLL_MS = 20;
  private static final int PING_TIMEOUT_MS = 1_000;
  private static final int LOG_TAIL_LINES = 30;

  /** Guarded by RedisProcess.class. */
  private static Path embeddedBinary;

  final int port;
  final Binary binary;
  private final List<String> command;
  private final Path dir;
  private final Path log;
  /** Guarded by this. */
  private Process process;

  private RedisProcess(int port, Binary binary, List<String> command, Path dir) {
    this.port = port;
    this.binary = binary;
    this.command = List.copyOf(command);
    this.dir = dir;
    this.log = dir.resolve("redis.log");
  }

  /**
   * Prepares, without starting, {@code redis-server --bind 127.0.0.1 --port P --save ""
   * --appendonly no --dir D} followed by {@code extraArgs}, on a free port and a fresh directory.
   */
  static RedisProcess create(List<String> extraArgs) throws IOException {
    Binary binary = serverBinary();
    int port = freePort();
    Path dir = Files.createTempDirectory("orion-test-redis-");
    List<String> command = new ArrayList<>(List.of(binary.path().toString(), "--bind", LOOPBACK,
        "--port", String.valueOf(port), "--save", "", "--appendonly", "no",
        "--dir", dir.toString()));
    command.addAll(extraArgs);
    return new RedisProcess(port, binary, command, dir);
  }

  /** Starts the process and returns once it answers PING; kills it when it does not in time. */
  synchronized void start() {
    if (isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is already running");
    }
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0), e);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    while (!answersPing()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String why = process.isAlive() ? "did not answer PING within " + START_TIMEOUT_MS + " ms"
            : "exited with code " + process.exitValue();
        kill();
        throw new IllegalStateException("redis-server on port " + port + " " + why
            + "; last lines of " + log + ":\n" + tail());
      }
      sleep(POLL_MS);
    }
  }

  /** SIGTERM, then SIGKILL when the process has not exited within 10 seconds. */
  synchronized void stop() {
    if (isAlive()) {
      process.destroy();
      if (!awaitExit(process, STOP_TIMEOUT_MS)) {
        System.getLogger(RedisProcess.class.getName()).log(System.Logger.Level.WARNING,
            "redis-server on port {0,number,#} ignored SIGTERM; killing it", port);
        kill();
      }
    }
  }

  /** SIGKILL, and waits for the process to exit. */
  synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      if (!awaitExit(process, STOP_TIMEOUT_MS)) {
        throw new IllegalStateException("redis-server on port " + port + " survived SIGKILL");
      }
    }
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Stops the process and deletes its directory. */
  synchronized void destroy() throws IOException {
    stop();
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  /** The executable called {@code name} in a directory of PATH, if any. */
  static Optional<Path> onPath(String name) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String entry : path.split(File.pathSeparator)) {
      try {
        Path candidate = Path.of(entry.isEmpty() ? "." : entry).resolve(name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      } catch (InvalidPathException e) {
        // An unusable PATH entry cannot hold the binary; look at the next one.
      }
    }
    return Optional.empty();
  }

  /** Waits at most {@code timeoutMs} for the process to exit; true when it has. */
  static boolean awaitExit(Process process, long timeoutMs) {
    try {
      return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for process " + process.pid(), e);
    }
  }

  /**
   * The {@code redis-server} the tests start: the one named by {@value #SERVER_PROPERTY} or {@value #SERVER_ENV},
   * else the one on PATH, else the one bundled in embedded-redis, extracted once.
   *
   * @throws IllegalStateException when the named one is not an executable file
   */
  static synchronized Binary serverBinary() throws IOException {
    Optional<String> chosen = setting(SERVER_PROPERTY, SERVER_ENV);
    if (chosen.isPresent()) {
      Path path = Path.of(chosen.get());
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw new IllegalStateException(SERVER_ENV + " (or -D" + SERVER_PROPERTY + ") names " + path
            + ", which is not an executable file");
      }
      return new Binary(path, System.getProperty(SERVER_PROPERTY) != null ? "-D" + SERVER_PROPERTY : SERVER_ENV);
    }
    Optional<Path> onPath = onPath("redis-server");
    if (onPath.isPresent()) {
      return new Binary(onPath.get(), "PATH");
    }
    if (embeddedBinary == null) {
      // Copies the jar resource for this OS and architecture (detected with `uname`) to a fresh
      // temp directory, marks it executable and deleteOnExit.
      embeddedBinary = ExecutableProvider.newJarResourceProvider().get().toPath();
    }
    return new Binary(embeddedBinary, "embedded-redis");
  }

  /** A redis-server binary and where it was found: {@value #SERVER_ENV} (or the property), PATH or embedded-redis. */
  record Binary(Path path, String origin) {
    @Override
    public String toString() {
      return path + " (from " + origin + ")";
    }
  }

  /** Whether a binary is named by {@value #SERVER_PROPERTY} or {@value #SERVER_ENV}. */
  static boolean serverBinaryChosen() {
    return setting(SERVER_PROPERTY, SERVER_ENV).isPresent();
  }

  /** A test setting: the system property, else the environment variable; blank reads as unset. */
  static Optional<String> setting(String property, String env) {
    return Optional.ofNullable(System.getProperty(property)).or(() -> Optional.ofNullable(System.getenv(env)))
        .map(String::trim).filter(value -> !value.isEmpty());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return socket.getLocalPort();
    }
  }

  /** True when it replies to PING, including NOAUTH from one started with a password. */
  private boolean answersPing() {
    try {
      String reply = RespClient.call(LOOPBACK, port, PING_TIMEOUT_MS, List.of(List.of("PING")));
      return reply.equals("PONG") || reply.startsWith("NOAUTH");
    } catch (IOException e) {
      return false;
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES),
          lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Redis to answer PING", e);
    }
  }
}
