package io.orion.bus.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The redis-server bundled in the jar (embedded-redis's binary), for the demo config only: it runs on a free
 * loopback port, keeps nothing on disk, and stops after the bus (or with the JVM). The bus never falls back to
 * it silently: only a config with {@code demo.embeddedRedis} true starts it.
 */
public final class EmbeddedRedis {

  /** How long the server may take to answer PING after it was started. The value is in milliseconds. */
  static final long START_TIMEOUT_MS = 10_000;
  /** How long the JVM shutdown hook waits for Vert.x to close before it stops the server anyway. */
  static final long HOOK_WAIT_MS = 30_000;

  private static final String SETSID = "/usr/bin/setsid";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);

  private final Process process;
  private final int port;
  private final Thread hook;

  private EmbeddedRedis(Vertx vertx, Process process, int port) {
    this.process = process;
    this.port = port;
    // JVM shutdown hooks run side by side: the bus needs Redis while it stops (to leave its group), so this
    // one waits for Vert.x to close first. vertx.close() called again returns the close under way.
    this.hook = new Thread(() -> {
      try {
        vertx.close().await(HOOK_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.debug("demo: Vert.x did not close in time: {}", e.getMessage());
      }
      stopProcess();
    }, "embedded-redis-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts the bundled redis-server on a free loopback port, off the event loop. */
  public static Future<EmbeddedRedis> start(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      File binary = ExecutableProvider.newJarResourceProvider().get();
      int port = freePort();
      List<String> command = new ArrayList<>();
      if (new File(SETSID).canExecute()) {
        // A session of its own: Ctrl-C in a terminal signals the whole foreground group, and the bus needs
        // Redis until it has stopped.
        command.add(SETSID);
      }
      command.addAll(List.of(binary.getAbsolutePath(), "--bind", "127.0.0.1", "--port", Integer.toString(port),
        "--save", "", "--appendonly", "no"));
      Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
      awaitPong(process, port);
      LOG.info("demo: started the bundled redis-server on 127.0.0.1:{}", port);
      return new EmbeddedRedis(vertx, process, port);
    });
  }

  /** e.g. {@code redis://127.0.0.1:50123}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the server, off the event loop. */
  public Future<Void> stop(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      stopProcess();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down: the hook runs or ran already.
      }
      return null;
    });
  }

  private synchronized void stopProcess() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    LOG.info("demo: stopped the bundled redis-server");
  }

  private static void awaitPong(Process process, int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the bundled redis-server exited with code " + process.exitValue());
      }
      try (Socket socket = new Socket("127.0.0.1", port)) {
        OutputStream out = socket.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] reply = in.readNBytes(7);
        if (new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(20);
    }
    process.destroyForcibly();
    throw new IOException("the bundled redis-server did not answer PING within " + START_TIMEOUT_MS + " ms");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }
}
