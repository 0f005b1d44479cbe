package io.orion.bus.redis;

import io.orion.bus.consume.ConsumerVerticle;
import io.orion.bus.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.consumerConfig;
import static io.orion.bus.support.BusTesting.consumers;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.entries;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reply shapes of every stream command the bus sends, read over RESP2 and RESP3 alike. */
@ExtendWith(VertxExtension.class)
class StreamRepliesTest {

  private static final TestRedis REDIS = TestRedis.shared();

  private static Redis client(Vertx vertx, ProtocolVersion protocol) {
    return Redis.createClient(vertx, new RedisOptions().setConnectionString(REDIS.url())
      .setPreferredProtocolVersion(protocol));
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
  void readGroupAutoClaimPendingAndClaimReplies(ProtocolVersion protocol, Vertx vertx) {
    Redis redis = client(vertx, protocol);
    String stream = freshPrefix() + ":events";
    try {
      String first = await(redis.send(StreamCommands.xadd(stream, 0, Buffer.buffer("{\"a\":1}"),
        Map.of("trace", "t1")))).toString();
      String second = cmd(redis, "XADD", stream, "*", "data", "{\"b\":2}").toString();
      await(redis.send(StreamCommands.createGroup(stream, "g", "0")));

      List<StreamEntry> read = StreamReplies.readGroup(await(redis.send(
        StreamCommands.readGroup(stream, "g", "c1", 10, -1, StreamCommands.NEW_ENTRIES))));
      assertEquals(List.of(first, second), read.stream().map(StreamEntry::id).toList());
      assertEquals("{\"a\":1}", read.get(0).data().toString());
      assertEquals(Map.of("trace", "t1"), read.get(0).meta());
      assertFalse(read.get(0).deleted());

      assertEquals(List.of(), StreamReplies.readGroup(await(redis.send(
        StreamCommands.readGroup(stream, "g", "c1", 10, 10, StreamCommands.NEW_ENTRIES)))), "BLOCK ran out");

      cmd(redis, "XDEL", stream, first);
      List<StreamEntry> own = StreamReplies.readGroup(await(redis.send(
        StreamCommands.readGroup(stream, "g", "c1", 10, -1, "0"))));
      assertEquals(List.of(first, second), own.stream().map(StreamEntry::id).toList());
      assertTrue(own.get(0).deleted(), "a deleted pending entry reads [id, null]");
      assertNull(own.get(0).data());

      List<PendingEntry> rows = StreamReplies.pending(await(redis.send(
        StreamCommands.pending(stream, "g", "-", "+", 10, "c1"))));
      assertEquals(List.of(first, second), rows.stream().map(PendingEntry::id).toList());
      assertEquals("c1", rows.get(1).consumer());
      assertEquals(2, rows.get(1).deliveries());

      AutoClaim claim = StreamReplies.autoClaim(await(redis.send(
        StreamCommands.autoClaimIds(stream, "g", "c2", 0, "0-0", 10))));
      assertTrue(claim.done());
      if (REDIS.atLeast(7, 0)) {
        assertEquals(List.of(second), claim.ids());
        assertEquals(List.of(first), claim.deleted());
      } else {
        // Redis 6.2 replies without the list of deleted ids: the deleted entry is claimed like any other and stays
        // pending until it is acknowledged (the consumer finds it gone when it claims it with its fields).
        assertEquals(List.of(first, second), claim.ids());
        assertEquals(List.of(), claim.deleted());
        cmd(redis, "XACK", stream, "g", first);
      }

      List<StreamEntry> claimed = StreamReplies.entries(await(redis.send(
        StreamCommands.claim(stream, "g", "c3", List.of(second)))));
      assertEquals(1, claimed.size());
      assertEquals("{\"b\":2}", claimed.get(0).data().toString());
      assertEquals(3, StreamReplies.pending(await(redis.send(
        StreamCommands.pending(stream, "g", "-", "+", 10, null)))).get(0).deliveries());

      List<String> kept = StreamReplies.strings(await(redis.send(
        StreamCommands.keep(stream, "g", "c1", second, 1))));
      assertEquals(List.of(second), kept);
      PendingEntry row = StreamReplies.pending(await(redis.send(
        StreamCommands.pending(stream, "g", "-", "+", 10, null)))).get(0);
      assertEquals(1, row.deliveries(), "RETRYCOUNT sets the count, JUSTID does not raise it");
      assertEquals("c1", row.consumer());
    } finally {
      cmd(redis, "DEL", stream);
    }
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
  void removeIdleConsumersSparesConsumersWithPendingEntries(ProtocolVersion protocol, Vertx vertx) {
    Redis redis = client(vertx, protocol);
    String stream = freshPrefix() + ":events";
    try {
      cmd(redis, "XGROUP", "CREATE", stream, "g", "0", "MKSTREAM");
      cmd(redis, "XADD", stream, "*", "data", "{}");
      cmd(redis, "XGROUP", "CREATECONSUMER", stream, "g", "empty");
      cmd(redis, "XREADGROUP", "GROUP", "g", "owner", "COUNT", "1", "STREAMS", stream, ">");

      cmd(redis, "XGROUP", "CREATECONSUMER", stream, "g", "spared");

      Response removed = await(redis.send(StreamCommands.removeIdleConsumers(stream, "g", 0, null, "spared")));

      assertEquals(List.of("empty"), StreamReplies.strings(removed.get(0)));
      assertEquals(List.of("owner"), StreamReplies.strings(removed.get(1)));
      Response owner = await(redis.send(StreamCommands.removeIdleConsumers(stream, "g", 0, "owner", null)));
      assertEquals(List.of(), StreamReplies.strings(owner.get(0)));
      assertEquals(List.of("owner"), StreamReplies.strings(owner.get(1)));
      Response idle = await(redis.send(StreamCommands.removeIdleConsumers(stream, "g", 3_600_000, null, null)));
      assertEquals(List.of(), StreamReplies.strings(idle.get(0)), "nobody was idle an hour");
      Response missing = await(redis.send(StreamCommands.removeIdleConsumers(stream + ":none", "g", 0, null,
        null)));
      assertEquals(List.of(), StreamReplies.strings(missing.get(0)), "a missing stream removes nothing");
      assertEquals(java.util.Set.of("spared", "owner"), new java.util.HashSet<>(consumers(redis, stream, "g")));
    } finally {
      cmd(redis, "DEL", stream);
    }
  }

  @ParameterizedTest
  @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
  void consumerDeliversReclaimsAndDeadLettersOverEitherProtocol(ProtocolVersion protocol, Vertx vertx) {
    Redis redis = Redis.createClient(vertx, REDIS.url());
    String prefix = freshPrefix();
    String stream = prefix + ":events";
    String group = fresh("g");
    String address = fresh("deliver");
    List<String> deliveries = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>localConsumer(address, message -> {
      deliveries.add(message.body().getString("k") + "#" + message.headers().get("deliveries"));
      if ("bad".equals(message.body().getString("k"))) {
        message.fail(500, "always fails");
      } else {
        message.reply("ok");
      }
    });
    JsonObject config = consumerConfig(REDIS, prefix, "event", group, address)
      .put("redis", new JsonObject().put("connectionString", REDIS.url())
        .put("preferredProtocolVersion", protocol.name()))
      .put("claimIdleMs", 100).put("maxDeliveries", 2);
    try {
      deploy(vertx, ConsumerVerticle.class, config, 1);
      cmd(redis, "XADD", stream, "*", "data", "{\"k\":\"good\"}");
      cmd(redis, "XADD", stream, "*", "data", "{\"k\":\"bad\"}");

      until("dead-lettered", () -> cmd(redis, "XLEN", stream + ":dead").toLong() == 1);
      until("nothing pending", () -> pending(redis, stream, group) == 0);
      assertEquals(List.of("good#1", "bad#1", "bad#2"), deliveries);
      assertEquals("{\"k\":\"bad\"}", entries(redis, stream + ":dead").get(0).data().toString());
    } finally {
      cmd(redis, "DEL", stream, stream + ":dead");
    }
  }
}
