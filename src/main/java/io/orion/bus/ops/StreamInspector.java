package io.orion.bus.ops;

import io.orion.bus.redis.ConsumerInfo;
import io.orion.bus.redis.GroupInfo;
import io.orion.bus.redis.RedisErrors;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamReplies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads what an operator sees of a stream: {@code XLEN} of the stream and of its dead letters, {@code XINFO GROUPS}
 * and {@code XINFO CONSUMERS}. XINFO replies are maps in RESP3 and flat key/value arrays in RESP2; both are read.
 * A stream that does not exist yet has length 0 and no groups. Names only: nothing of the Redis config.
 */
final class StreamInspector {

  private final Redis redis;
  private final long timeoutMs;

  /** @param timeoutMs the time each command has. The value is in milliseconds. */
  StreamInspector(Redis redis, long timeoutMs) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  /** {@code PING}. */
  Future<Void> ping() {
    return send(StreamCommands.ping()).mapEmpty();
  }

  /** {@code XLEN}: 0 for a stream that does not exist. */
  Future<Long> length(String stream) {
    return send(StreamCommands.length(stream)).map(Response::toLong);
  }

  /** {@code XINFO GROUPS}: empty for a stream that does not exist. */
  Future<List<GroupInfo>> groups(String stream) {
    return send(StreamCommands.groups(stream)).map(StreamReplies::groups)
      .recover(e -> RedisErrors.isNoGroup(e) ? Future.succeededFuture(List.of()) : Future.failedFuture(e));
  }

  /** {@code XINFO CONSUMERS} as {@code [{"name", "pending", "idleMs"}]}; empty when the group is gone. */
  Future<JsonArray> consumers(String stream, String group) {
    return send(StreamCommands.consumers(stream, group))
      .map(reply -> {
        JsonArray consumers = new JsonArray();
        for (ConsumerInfo consumer : StreamReplies.consumers(reply)) {
          consumers.add(new JsonObject().put("name", consumer.name()).put("pending", consumer.pending())
            .put("idleMs", consumer.idleMs()));
        }
        return consumers;
      })
      .recover(e -> RedisErrors.isNoGroup(e) ? Future.succeededFuture(new JsonArray()) : Future.failedFuture(e));
  }

  /**
   * A stream as {@code GET /streams} shows it: {@code {"name", "exists", "length", "deadLetters": {"name",
   * "length"}, "groups": [{"name", "lag", "pending", "lastDeliveredId", "consumers": [...]}]}}.
   */
  Future<JsonObject> describe(String stream, String deadStream) {
    Future<Long> exists = send(StreamCommands.exists(stream)).map(Response::toLong);
    Future<Long> length = length(stream);
    Future<Long> deadLength = length(deadStream);
    Future<JsonArray> groups = groups(stream).compose(list -> {
      List<Future<JsonObject>> described = new ArrayList<>();
      for (GroupInfo group : list) {
        described.add(consumers(stream, group.name()).map(consumers -> new JsonObject()
          .put("name", group.name())
          .put("lag", group.lag())
          .put("pending", group.pending())
          .put("lastDeliveredId", group.lastDeliveredId())
          .put("consumers", consumers)));
      }
      return Future.all(described).map(all -> new JsonArray(all.<JsonObject>list()));
    });
    return Future.all(exists, length, deadLength, groups).map(all -> new JsonObject()
      .put("name", stream)
      .put("exists", exists.result() > 0)
      .put("length", length.result())
      .put("deadLetters", new JsonObject().put("name", deadStream).put("length", deadLength.result()))
      .put("groups", groups.result()));
  }

  private Future<Response> send(Request request) {
    return redis.send(request).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
