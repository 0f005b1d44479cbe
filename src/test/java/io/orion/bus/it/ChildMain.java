package io.orion.bus.it;

import io.orion.bus.config.Names;
import io.orion.bus.config.PublisherOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A consumer process for the integration tests and the soak: what an application embedding the bus does.
 * It registers a local handler at the delivery address of every {@code consumers} entry of the config, which
 * appends one line {@code {id} {body}} per delivery to the out file (one write, so each line is on disk, in
 * the page cache, before the reply) and replies, optionally after a delay; then it deploys
 * {@code io.orion.bus.BusVerticle} with the config, and prints {@link #READY} once it runs. On SIGTERM a
 * shutdown hook closes Vert.x, which undeploys the bus (a hand-made main gets no such hook from Vert.x).
 * <p>
 * Usage: {@code java -cp <orion jar or classpath>:<test classes> io.orion.bus.it.ChildMain <config json>
 * <out file> [replyDelayMs]}.
 */
public final class ChildMain {

  /** Printed on stdout once the bus is deployed. */
  public static final String READY = "orion-child ready";
  /** Printed on stdout when the bus fails to deploy; the process then exits with 1. */
  public static final String FAILED = "orion-child failed";

  private static final long CLOSE_TIMEOUT_MS = 30_000;

  private ChildMain() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: ChildMain <config json> <out file> [replyDelayMs]");
      System.exit(2);
    }
    JsonObject config = new JsonObject(args[0]);
    OutputStream out = new FileOutputStream(Path.of(args[1]).toFile(), true);
    long replyDelayMs = args.length > 2 ? Long.parseLong(args[2]) : 0;

    Vertx vertx = Vertx.vertx();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        System.out.println("orion-child closed");
      } catch (Exception e) {
        System.out.println("orion-child close failed: " + e);
      }
    }, "orion-child-close"));

    for (String address : addresses(config)) {
      vertx.eventBus().<JsonObject>localConsumer(address, message -> handle(vertx, out, message, replyDelayMs));
    }
    vertx.deployVerticle("io.orion.bus.BusVerticle", new DeploymentOptions().setConfig(config))
      .onSuccess(id -> System.out.println(READY))
      .onFailure(e -> {
        System.out.println(FAILED + ": " + e);
        e.printStackTrace(System.out);
        System.exit(1);
      });
  }

  private static void handle(Vertx vertx, OutputStream out, Message<JsonObject> message, long replyDelayMs) {
    byte[] line = (message.headers().get("id") + " " + message.body().encode() + "\n")
      .getBytes(StandardCharsets.UTF_8);
    try {
      synchronized (out) {
        out.write(line);
      }
    } catch (IOException e) {
      message.fail(500, "cannot write the out file: " + e.getMessage());
      return;
    }
    if (replyDelayMs > 0) {
      vertx.setTimer(replyDelayMs, t -> message.reply("ok"));
    } else {
      message.reply("ok");
    }
  }

  /** The delivery address of every consumers entry: its own, else {@code {streamPrefix}.{contract}s}. */
  private static Set<String> addresses(JsonObject config) {
    Set<String> result = new LinkedHashSet<>();
    String prefix = config.getString("streamPrefix", PublisherOptions.DEFAULT_STREAM_PREFIX);
    JsonArray consumers = config.getJsonArray("consumers", new JsonArray());
    for (int i = 0; i < consumers.size(); i++) {
      JsonObject entry = consumers.getJsonObject(i);
      result.add(entry.getString("address", Names.address(prefix, entry.getString("contract"))));
    }
    return result;
  }
}
