package io.orion.bus.ops;

import io.orion.bus.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static io.orion.bus.ops.OpsTesting.acceptAll;
import static io.orion.bus.support.BusTesting.busConfig;
import static io.orion.bus.support.BusTesting.deployBus;
import static io.orion.bus.ops.OpsTesting.deployHttp;
import static io.orion.bus.ops.OpsTesting.get;
import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.entries;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.length;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.rawEntries;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bus on a real 3-master Redis Cluster started on loopback ports: streams spread over the masters, every
 * message delivered and acknowledged, dead letters written to streams in other slots than their sources.
 */
@ExtendWith(VertxExtension.class)
class RedisClusterTest {

  private static final int MESSAGES = 20;
  private static final List<TestRedis> NODES = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    for (int i = 0; i < 3; i++) {
      NODES.add(TestRedis.startOwn("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
        "--cluster-node-timeout", "5000"));
    }
    List<String> addresses = NODES.stream().map(node -> node.host() + ":" + node.port()).toList();
    if (onPath("redis-cli")) {
      List<String> create = new ArrayList<>(List.of("--cluster", "create"));
      create.addAll(addresses);
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      NODES.get(0).cli(create.toArray(String[]::new));
    } else {
      // The same by hand where only the RESP fallback of TestRedis.cli is at hand: a third of the slots each.
      for (int i = 0; i < 3; i++) {
        TestRedis node = NODES.get(i);
        NODES.get(0).cli("CLUSTER", "MEET", node.host(), String.valueOf(node.port()));
        List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
        IntStream.range(i * 16384 / 3, (i + 1) * 16384 / 3).forEach(slot -> addSlots.add(String.valueOf(slot)));
        node.cli(addSlots.toArray(String[]::new));
      }
    }
    until("cluster_state:ok on every node", Duration.ofSeconds(20), () -> NODES.stream().allMatch(node -> {
      String info = node.cli("CLUSTER", "INFO");
      return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
    }));
  }

  @AfterAll
  static void stopCluster() {
    NODES.forEach(TestRedis::close);
  }

  private static boolean onPath(String binary) {
    return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
      .anyMatch(dir -> Files.isExecutable(Path.of(dir.isEmpty() ? "." : dir, binary)));
  }

  private static JsonObject clusterSection() {
    JsonArray endpoints = new JsonArray();
    NODES.forEach(node -> endpoints.add(node.url()));
    return new JsonObject().put("endpoints", endpoints).put("type", "CLUSTER");
  }

  /** The master that owns {@code key}, as host:port, from {@code CLUSTER KEYSLOT} and {@code CLUSTER NODES}. */
  private static String ownerOf(String key) {
    int slot = Integer.parseInt(NODES.get(0).cli("CLUSTER", "KEYSLOT", key));
    for (String line : NODES.get(0).cli("CLUSTER", "NODES").split("\n")) {
      // <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot or range>...
      String[] fields = line.trim().split(" ");
      for (int i = 8; i < fields.length; i++) {
        String[] range = fields[i].split("-");
        if (Integer.parseInt(range[0]) <= slot && slot <= Integer.parseInt(range[range.length - 1])) {
          return fields[1].substring(0, fields[1].indexOf('@'));
        }
      }
    }
    throw new AssertionError("no master owns slot " + slot + " of " + key);
  }

  /**
   * Contracts whose streams lie on every master, the first of them with its dead-letter stream on another master
   * than the stream itself.
   */
  private static List<String> contractsOverEveryMaster(String prefix) {
    List<String> candidates = IntStream.range(0, 100).mapToObj(i -> "c" + i).toList();
    String deadElsewhere = candidates.stream()
      .filter(c -> !ownerOf(prefix + ":" + c + "s").equals(ownerOf(prefix + ":" + c + "s:dead")))
      .findFirst().orElseThrow();
    List<String> contracts = new ArrayList<>(List.of(deadElsewhere));
    Set<String> owners = new HashSet<>(Set.of(ownerOf(prefix + ":" + deadElsewhere + "s")));
    for (String contract : candidates) {
      if (owners.size() < 3 && owners.add(ownerOf(prefix + ":" + contract + "s"))) {
        contracts.add(contract);
      }
    }
    return contracts;
  }

  @Test
  void publishesConsumesAndDeadLettersOverStreamsOnEveryMaster(Vertx vertx) {
    String prefix = freshPrefix();
    String group = fresh("g");
    List<String> contracts = contractsOverEveryMaster(prefix);
    String deadContract = contracts.get(0);
    String deadSource = prefix + ":" + deadContract + "s";
    assertEquals(3, contracts.stream().map(c -> ownerOf(prefix + ":" + c + "s")).distinct().count(), "spread");
    assertNotEquals(ownerOf(deadSource), ownerOf(deadSource + ":dead"));

    Map<String, Set<String>> delivered = new ConcurrentHashMap<>();
    JsonArray consumers = new JsonArray();
    for (String contract : contracts) {
      String address = fresh("deliver-" + contract);
      vertx.eventBus().<JsonObject>localConsumer(address, m -> {
        if (m.body().getBoolean("fail", false)) {
          m.fail(500, "refused on purpose");
          return;
        }
        delivered.computeIfAbsent(m.headers().get("stream"), k -> ConcurrentHashMap.newKeySet())
          .add(m.headers().get("id"));
        m.reply("ok");
      });
      consumers.add(new JsonObject().put("contract", contract).put("group", group).put("address", address)
        .put("instances", 2).put("claimIdleMs", 300).put("handlerTimeoutMs", 200).put("maxDeliveries", 2));
    }
    deployBus(vertx, busConfig(clusterSection(), prefix, consumers));
    Redis redis = Redis.createClient(vertx, new RedisOptions(clusterSection()));

    Map<String, Set<String>> published = new HashMap<>();
    for (String contract : contracts) {
      for (int i = 0; i < MESSAGES; i++) {
        String id = await(vertx.eventBus().<String>request(prefix + ".publish", new JsonObject().put("i", i),
          new DeliveryOptions().addHeader("contract", contract))).body();
        published.computeIfAbsent(prefix + ":" + contract + "s", k -> new HashSet<>()).add(id);
      }
    }
    for (int i = 0; i < 2; i++) {
      await(vertx.eventBus().request(prefix + ".publish", new JsonObject().put("fail", true),
        new DeliveryOptions().addHeader("contract", deadContract)));
    }
    cmd(redis, "XADD", deadSource, "*", "data", "not json");

    until("every message delivered, every group done, 3 dead letters", () -> published.equals(delivered)
      && contracts.stream().allMatch(c -> pending(redis, prefix + ":" + c + "s", group) == 0)
      && length(redis, deadSource + ":dead") == 3);
    List<Map<String, String>> dead = rawEntries(redis, deadSource + ":dead");
    // The unreadable entry is dead-lettered at once, the refused ones after their second delivery.
    assertEquals(List.of("0", "2", "2"), dead.stream().map(e -> e.get("deliveries")).sorted().toList());
    assertEquals(MESSAGES + 3, entries(redis, deadSource).size());
  }

  @Test
  void streamsEndpointReadsEveryMaster(Vertx vertx) {
    String prefix = freshPrefix();
    String group = fresh("g");
    List<String> contracts = contractsOverEveryMaster(prefix);
    JsonArray consumers = new JsonArray();
    List<AtomicInteger> delivered = new ArrayList<>();
    for (String contract : contracts) {
      String address = fresh("deliver");
      delivered.add(acceptAll(vertx, address));
      consumers.add(new JsonObject().put("contract", contract).put("group", group).put("address", address));
    }
    deployBus(vertx, busConfig(clusterSection(), prefix, consumers));
    int port = deployHttp(vertx, OpsTesting.httpConfig("unused", prefix + ".publish").put("redis", clusterSection()))
      .actualPort();
    for (String contract : contracts) {
      assertEquals(202, OpsTesting.post(vertx, port, "/publish/" + contract, "{}").statusCode());
    }
    Redis redis = Redis.createClient(vertx, new RedisOptions(clusterSection()));
    until("every message delivered and acknowledged", () -> delivered.stream().allMatch(d -> d.get() == 1)
      && contracts.stream().allMatch(c -> pending(redis, prefix + ":" + c + "s", group) == 0));

    HttpResponse<Buffer> response = get(vertx, port, "/streams");

    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonArray streams = response.bodyAsJsonObject().getJsonArray("streams");
    assertEquals(contracts.size(), streams.size());
    for (Object entry : streams) {
      JsonObject stream = (JsonObject) entry;
      assertEquals(1L, stream.getLong("length"), stream.encode());
      JsonObject shownGroup = stream.getJsonArray("groups").getJsonObject(0);
      assertEquals(group, shownGroup.getString("name"));
      assertEquals(0L, shownGroup.getLong("pending"));
      assertTrue(shownGroup.getJsonArray("consumers").size() >= 1, stream.encode());
    }
  }
}
