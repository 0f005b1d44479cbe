package io.orion.bus.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real Redis for tests: {@link #shared()} for one per JVM, {@link #startOwn(String...)} for a
 * private {@code redis-server} process a test may stop, kill and restart.
 *
 * <p>Every instance still open when the JVM exits is closed by one shutdown hook.
 */
public final class TestRedis implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(TestRedis.class.getName());
  private static final String IMAGE = "redis:7-alpine";
  private static final int REDIS_PORT = 6379;
  private static final int CLI_TIMEOUT_MS = 10_000;
  /**
   * The version every test Redis must report when set, e.g. {@code 6.2} (system property {@value #VERSION_PROPERTY},
   * else env {@value #VERSION_ENV}): a run meant for one version fails rather than pass on another.
   */
  private static final String VERSION_PROPERTY = "test.redis.version";
  private static final String VERSION_ENV = "TEST_REDIS_VERSION";

  private static final Set<TestRedis> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(
        new Thread(() -> List.copyOf(OPEN).forEach(TestRedis::close), "test-redis-close"));
  }

  /** Guarded by TestRedis.class. */
  private static TestRedis shared;

  /** Where a Redis comes from; only a {@code PROCESS} may be stopped and started. */
  private enum Source { REDIS_URL, CONTAINER, PROCESS }

  private final Source source;
  private final String url;
  private final String host;
  private final int port;
  /** How redis-cli reaches it, and what the socket fallback sends first to do the same. */
  private final List<String> cliTarget;
  private final List<List<String>> handshake;
  /** Null unless started through Testcontainers. */
  private final AutoCloseable container;
  /** Null unless {@code source} is PROCESS. */
  private final RedisProcess process;
  /** What {@code INFO server} reported when it was first asked, right after it was started or found. */
  private volatile RedisVersion version;
  private volatile boolean closed;

  private TestRedis(Source source, URI uri, AutoCloseable container) {
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(source + " must look like redis://[user:password@]host:port");
    }
    this.source = source;
    this.url = uri.toString();
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? REDIS_PORT : uri.getPort();
    this.cliTarget = List.of("-u", url, "--no-auth-warning");
    this.handshake = handshakeOf(uri);
    this.container = container;
    this.process = null;
  }

  private TestRedis(RedisProcess process) {
    this.source = Source.PROCESS;
    this.host = RedisProcess.LOOPBACK;
    this.port = process.port;
    this.url = "redis://" + host + ":" + port;
    this.cliTarget = List.of("-h", host, "-p", String.valueOf(port));
    this.handshake = List.of();
    this.container = null;
    this.process = process;
  }

  /**
   * The Redis shared by every test of this JVM, created on first use: the one at env
   * {@code REDIS_URL} when set; else a {@code redis-server} process when env
   * {@code TEST_REDIS_SERVER} names the binary; else a Testcontainers {@code redis:7-alpine} when
   * Docker is available; else a {@code redis-server} process (from PATH, else the binary bundled in
   * embedded-redis) on a free loopback port. Tests must use fresh keys: it may be a Redis that
   * others use too. Closed by a JVM shutdown hook.
   *
   * @throws IllegalStateException when env {@code TEST_REDIS_VERSION} is set and the Redis reports
   *     another version
   */
  public static synchronized TestRedis shared() {
    if (shared == null || shared.closed) {
      String env = System.getenv("REDIS_URL");
      TestRedis redis;
      if (env != null && !env.isBlank()) {
        redis = register(new TestRedis(Source.REDIS_URL, URI.create(env.trim()), null));
      } else if (RedisProcess.serverBinaryChosen()) {
        redis = startOwn();
      } else {
        redis = Optional.ofNullable(inContainer()).orElseGet(() -> startOwn());
      }
      if (redis.source != Source.PROCESS) {
        try {
          redis.learnVersion();
        } catch (RuntimeException e) {
          redis.close();
          throw e;
        }
      }
      shared = redis;
      LOG.log(Level.INFO, "Shared test Redis: {0} {1} at {2}:{3,number,#}",
          shared.source, shared.version, shared.host, shared.port);
    }
    return shared;
  }

  /**
   * Starts a private {@code redis-server} process (from PATH, else the one bundled in
   * embedded-redis) on a free loopback port, with {@code --save "" --appendonly no} and a fresh
   * temporary {@code --dir}, followed by {@code extraArgs}, which override those (e.g.
   * {@code "--appendonly", "yes"}). Its stdout and stderr go to {@code redis.log} in that
   * directory. Returns once it answers PING. The binary is the one env {@code TEST_REDIS_SERVER}
   * (or system property {@code test.redis.server}) names, when set; it logs which binary and which
   * version ({@code INFO server}) it started.
   *
   * @throws IllegalStateException when it exits or does not answer PING within 10 seconds (the
   *     message holds the tail of its log), or when env {@code TEST_REDIS_VERSION} is set and it
   *     reports another version
   */
  public static TestRedis startOwn(String... extraArgs) {
    TestRedis redis;
    try {
      redis = register(new TestRedis(RedisProcess.create(Arrays.asList(extraArgs))));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare a redis-server process", e);
    }
    try {
      redis.process.start();
      redis.learnVersion();
      LOG.log(Level.INFO, "Started redis-server {0}, {1}, on {2}:{3,number,#}", redis.version,
          redis.process.binary, redis.host, redis.port);
      return redis;
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  /** The URL clients connect with, e.g. {@code redis://127.0.0.1:PORT}. */
  public String url() {
    return url;
  }

  /** The port Redis listens on. */
  public int port() {
    return port;
  }

  /** The host Redis listens on. */
  public String host() {
    return host;
  }

  /**
   * The version this Redis reports ({@code INFO server} → {@code redis_version}), read when it was
   * started or first found.
   */
  public RedisVersion version() {
    return version;
  }

  /** Whether this Redis is version {@code major.minor} or later. */
  public boolean atLeast(int major, int minor) {
    return version.atLeast(major, minor);
  }

  /**
   * Skips the calling test (a JUnit assumption) unless this Redis is {@code major.minor} or later,
   * with a message that names {@code feature} and the version found.
   */
  public void assumeAtLeast(int major, int minor, String feature) {
    Assumptions.assumeTrue(atLeast(major, minor), () -> feature + " needs Redis " + major + "."
        + minor + " or later; the test Redis is " + version);
  }

  /**
   * The {@code redis-server} binary that {@link #startOwn} starts: env {@code TEST_REDIS_SERVER}
   * (or system property {@code test.redis.server}) when set, else the one on PATH, else the one
   * bundled in embedded-redis. For tests that probe what the binary can do before they start it.
   */
  public static Path serverBinary() {
    try {
      return RedisProcess.serverBinary().path();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a redis-server binary", e);
    }
  }

  /**
   * Stops the process with SIGTERM and waits for it to exit, with SIGKILL after 10 seconds. Does
   * nothing when it is not running.
   *
   * @throws IllegalStateException when this Redis is not one from {@link #startOwn}, or is closed
   */
  public void stop() {
    ownProcess("stop").stop();
  }

  /**
   * Kills the process with SIGKILL and waits for it to exit.
   *
   * @throws IllegalStateException when this Redis is not one from {@link #startOwn}, is closed, or
   *     the process does not exit within 10 seconds
   */
  public void kill() {
    ownProcess("kill").kill();
  }

  /**
   * Starts the process again on the same port, with the same arguments and directory (so an AOF
   * written before survives), and waits until it answers PING.
   *
   * @throws IllegalStateException when this Redis is not one from {@link #startOwn}, is closed,
   *     is already running, or does not answer PING within 10 seconds
   */
  public void start() {
    ownProcess("start").start();
  }

  /**
   * Whether the process is alive; for a Redis from {@code REDIS_URL} or a container, whether this
   * instance is not closed.
   */
  public boolean isRunning() {
    return process != null ? process.isAlive() : !closed;
  }

  /**
   * Runs {@code redis-cli -h host -p port args} ({@code -u url} for a Redis from
   * {@code REDIS_URL}, so its credentials and database apply) and returns its trimmed stdout.
   * Without {@code redis-cli} on PATH, a tiny RESP client sends the command and renders the reply
   * the same way. An error reply comes back as its text, as {@code redis-cli} prints it.
   *
   * @throws IllegalStateException when {@code redis-cli} exits non-zero or Redis is unreachable
   */
  public String cli(String... args) {
    Optional<Path> redisCli = RedisProcess.onPath("redis-cli");
    try {
      if (redisCli.isPresent()) {
        return runCli(redisCli.get(), null, args);
      }
      List<List<String>> commands = new ArrayList<>(handshake);
      commands.add(List.of(args));
      return RespClient.call(host, port, CLI_TIMEOUT_MS, commands);
    } catch (IOException e) {
      throw new IllegalStateException("Redis at " + host + ":" + port + " did not answer "
          + String.join(" ", args), e);
    }
  }

  /**
   * Runs {@code redis-cli} as {@link #cli(String...)} does, with {@code input} on its stdin: one command a line,
   * in which a double-quoted argument takes escapes such as {@code \xc3\xa9}. So a test writes exact bytes
   * whatever encoding the JVM passes process arguments in. Needs {@code redis-cli} on PATH.
   *
   * @throws IllegalStateException when {@code redis-cli} is missing or exits non-zero, or Redis is unreachable
   */
  public String cliInput(String input, String... args) {
    Path redisCli = RedisProcess.onPath("redis-cli")
        .orElseThrow(() -> new IllegalStateException("redis-cli is not on PATH"));
    try {
      return runCli(redisCli, input, args);
    } catch (IOException e) {
      throw new IllegalStateException("Redis at " + host + ":" + port + " did not answer " + input.trim(), e);
    }
  }

  /** Stops what this instance started, the process (deleting its directory) or the container. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    OPEN.remove(this);
    try {
      if (process != null) {
        process.destroy();
      }
      if (container != null) {
        container.close();
      }
    } catch (Exception e) {
      LOG.log(Level.WARNING, "Closing the test Redis on port " + port + " failed", e);
    }
  }

  /** Asks the version, and checks it against {@code TEST_REDIS_VERSION} when that is set. */
  private void learnVersion() {
    RedisVersion reported = RedisVersion.fromInfo(cli("INFO", "server"));
    Optional<String> expected = RedisProcess.setting(VERSION_PROPERTY, VERSION_ENV);
    if (expected.isPresent() && !reported.matches(expected.get())) {
      throw new IllegalStateException("The test Redis at " + host + ":" + port + " (" + source + ") is "
          + reported + ", but " + VERSION_ENV + " (or -D" + VERSION_PROPERTY + ") asks for "
          + expected.get());
    }
    version = reported;
  }

  private RedisProcess ownProcess(String action) {
    if (process == null) {
      throw new IllegalStateException(action + "() is unsupported for a Redis from " + source
          + ": it is not the test's to " + action + "; use TestRedis.startOwn() for that");
    }
    if (closed) {
      throw new IllegalStateException("The test Redis on port " + port + " is closed");
    }
    return process;
  }

  /** {@code input}: null, or what redis-cli reads on stdin. */
  private String runCli(Path redisCli, String input, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(redisCli.toString()));
    command.addAll(cliTarget);
    command.addAll(Arrays.asList(args));
    Path in = Files.writeString(Files.createTempFile("test-redis-cli-", ".in"), input == null ? "" : input);
    Path out = Files.createTempFile("test-redis-cli-", ".out");
    Path err = Files.createTempFile("test-redis-cli-", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      if (input != null) {
        builder.redirectInput(in.toFile());
      }
      Process cli = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!RedisProcess.awaitExit(cli, CLI_TIMEOUT_MS)) {
        cli.destroyForcibly();
        throw new IOException("redis-cli " + String.join(" ", args) + " timed out");
      }
      if (cli.exitValue() != 0) {
        throw new IOException("redis-cli exited with " + cli.exitValue() + ": "
            + (Files.readString(err).trim() + " " + Files.readString(out).trim()).trim());
      }
      return Files.readString(out).trim();
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** Null when Docker is unavailable or the container fails to start. */
  private static TestRedis inContainer() {
    try {
      if (!DockerClientFactory.instance().isDockerAvailable()) {
        return null;
      }
      GenericContainer<?> redis =
          new GenericContainer<>(DockerImageName.parse(IMAGE)).withExposedPorts(REDIS_PORT);
      redis.start();
      URI uri = URI.create("redis://" + redis.getHost() + ":" + redis.getMappedPort(REDIS_PORT));
      return register(new TestRedis(Source.CONTAINER, uri, redis));
    } catch (Throwable e) {
      LOG.log(Level.INFO, "No Redis container ({0}); using a redis-server process", e.toString());
      return null;
    }
  }

  /** AUTH and SELECT for the user, password and database in a URL, as {@code redis-cli -u}. */
  private static List<List<String>> handshakeOf(URI uri) {
    List<List<String>> commands = new ArrayList<>();
    String userInfo = uri.getUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      commands.add(colon < 0 ? List.of("AUTH", userInfo)
          : colon == 0 ? List.of("AUTH", userInfo.substring(1))
          : List.of("AUTH", userInfo.substring(0, colon), userInfo.substring(colon + 1)));
    }
    String db = Optional.ofNullable(uri.getPath()).orElse("").replace("/", "");
    if (!db.isEmpty()) {
      commands.add(List.of("SELECT", db));
    }
    return List.copyOf(commands);
  }

  private static TestRedis register(TestRedis redis) {
    OPEN.add(redis);
    return redis;
  }
}
