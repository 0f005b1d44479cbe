package io.orion.bus.ops;

import io.orion.bus.BusVerticle;
import io.orion.bus.config.BusConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.orion.bus.support.BusTesting.await;

/**
 * What the operations tests share: an {@link HttpVerticle} on a free loopback port, HTTP calls that wait for
 * their answer, bus configs, and reading values out of Prometheus text.
 */
final class OpsTesting {

  static final String HOST = "127.0.0.1";
  static final String STATUS_ADDRESS = BusConfig.DEFAULT_ADMIN_ADDRESS + BusVerticle.STATUS;
  static final String SCALE_ADDRESS = BusConfig.DEFAULT_ADMIN_ADDRESS + BusVerticle.SCALE;

  private OpsTesting() {
  }

  /** A loopback port free now (for a server that cannot take port 0 and tell which it got). */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An {@link HttpVerticle} config on {@code redisUrl}, any free port on loopback, short timings. */
  static JsonObject httpConfig(String redisUrl, String publisherAddress) {
    return new JsonObject()
      .put("host", HOST)
      .put("port", 0)
      .put("metricsRefreshMs", 100)
      .put("redis", new JsonObject().put("connectionString", redisUrl))
      .put("publisherAddress", publisherAddress)
      .put("streamPrefix", "unused")
      .put("shutdownTimeoutMs", 5_000);
  }

  /** Deploys an {@link HttpVerticle} with {@code config} and returns it, listening. */
  static HttpVerticle deployHttp(Vertx vertx, JsonObject config) {
    HttpVerticle verticle = new HttpVerticle();
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    return verticle;
  }

  /** A {@code consumers} entry of contract {@code event}. */
  static JsonObject eventConsumer(String group, String address) {
    return new JsonObject().put("contract", "event").put("group", group).put("address", address);
  }

  /** Registers a handler at {@code address} that replies ok to every delivery; returns how many it got. */
  static AtomicInteger acceptAll(Vertx vertx, String address) {
    AtomicInteger delivered = new AtomicInteger();
    vertx.eventBus().localConsumer(address, m -> {
      delivered.incrementAndGet();
      m.reply("ok");
    });
    return delivered;
  }

  /** The bus status, as {@code orion.admin.status} answers it. */
  static JsonObject status(Vertx vertx) {
    return await(vertx.eventBus().<JsonObject>request(STATUS_ADDRESS, new JsonObject())).body();
  }

  static HttpResponse<Buffer> get(Vertx vertx, int port, String path) {
    return await(WebClient.create(vertx).get(port, HOST, path).send());
  }

  /** A POST to {@link #HOST}, as {@code Content-Type: application/json} unless {@code headers} give another. */
  static HttpResponse<Buffer> post(Vertx vertx, int port, String path, String body, Map<String, String> headers) {
    return post(WebClient.create(vertx), HOST, port, path, body, headers);
  }

  /** A POST with {@code client} to {@code host}, as {@code application/json} unless {@code headers} say else. */
  static HttpResponse<Buffer> post(WebClient client, String host, int port, String path, String body,
                                   Map<String, String> headers) {
    MultiMap all = MultiMap.caseInsensitiveMultiMap().add(HttpHeaders.CONTENT_TYPE, "application/json");
    headers.forEach(all::set);
    return await(client.post(port, host, path).putHeaders(all).sendBuffer(Buffer.buffer(body)));
  }

  /**
   * A non-loopback address of this machine (its own, e.g. eth0's), to reach a server bound on {@code 0.0.0.0}
   * as a client that is not loopback; empty when the machine has none.
   */
  static Optional<String> nonLoopbackAddress() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
            return Optional.of(address.getHostAddress());
          }
        }
      }
      return Optional.empty();
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  static HttpResponse<Buffer> post(Vertx vertx, int port, String path, String body) {
    return post(vertx, port, path, body, Map.of());
  }

  /** The {@code error} of a JSON error answer. */
  static String error(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getString("error");
  }

  /** The check {@code id} of a {@code /health/ready} answer. */
  static JsonObject check(HttpResponse<Buffer> response, String id) {
    for (Object check : response.bodyAsJsonObject().getJsonArray("checks")) {
      if (id.equals(((JsonObject) check).getString("id"))) {
        return (JsonObject) check;
      }
    }
    throw new AssertionError("no check " + id + " in " + response.bodyAsString());
  }

  /**
   * The value of the sample of {@code name} whose labels include every pair of {@code labels} (name, value,
   * name, value, ...), or null when there is none.
   */
  static Double sample(String prometheusText, String name, String... labels) {
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher matcher = line.matcher(prometheusText);
    while (matcher.find()) {
      boolean all = true;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        all &= matcher.group(1).contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        return Double.valueOf(matcher.group(2));
      }
    }
    return null;
  }
}
