package io.orion.bus.redis;

import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the replies of {@link StreamCommands}, in RESP2 and RESP3 shapes alike. This is the only place
 * that knows how Redis lays out a reply.
 */
public final class StreamReplies {

  private StreamReplies() {
  }

  /**
   * The entries of an {@code XREADGROUP} of one stream: a map {@code {stream: [[id, [f, v, ...]], ...]}} in
   * RESP3, an array {@code [[stream, [[id, [f, v, ...]], ...]]]} in RESP2, null when a BLOCK ran out.
   * A pending entry that is gone reads {@code [id, null]}.
   */
  public static List<StreamEntry> readGroup(Response reply) {
    if (reply == null || reply.size() == 0) {
      return List.of();
    }
    if (reply.isMap()) {
      for (String stream : reply.getKeys()) {
        return entries(reply.get(stream));
      }
      return List.of();
    }
    return entries(reply.get(0).get(1));
  }

  /** A list of {@code [id, [f, v, ...]]} ({@code XCLAIM}, {@code XRANGE}); an entry with null fields is gone. */
  public static List<StreamEntry> entries(Response list) {
    if (list == null) {
      return List.of();
    }
    List<StreamEntry> result = new ArrayList<>(list.size());
    for (Response item : list) {
      if (item != null) {
        result.add(entry(item));
      }
    }
    return result;
  }

  private static StreamEntry entry(Response item) {
    String id = item.get(0).toString();
    Response fields = item.size() > 1 ? item.get(1) : null;
    if (fields == null) {
      return StreamEntry.gone(id);
    }
    Buffer data = null;
    Map<String, String> meta = new LinkedHashMap<>();
    boolean map = fields.isMap();
    List<String> names = map ? new ArrayList<>(fields.getKeys()) : null;
    int size = map ? names.size() : fields.size() / 2;
    for (int i = 0; i < size; i++) {
      String name = map ? names.get(i) : fields.get(2 * i).toString();
      Response value = map ? fields.get(name) : fields.get(2 * i + 1);
      if (value == null) {
        continue;
      }
      if (StreamEntry.DATA.equals(name)) {
        data = value.toBuffer();
      } else if (name.startsWith(StreamEntry.META_PREFIX)) {
        meta.putIfAbsent(name.substring(StreamEntry.META_PREFIX.length()), value.toString());
      }
    }
    return new StreamEntry(id, data, meta, false);
  }

  /** {@code XAUTOCLAIM ... JUSTID}: {@code [next, [id...], [deleted...]]} (no third element on Redis 6.2). */
  public static AutoClaim autoClaim(Response reply) {
    List<String> deleted = reply.size() > 2 ? strings(reply.get(2)) : List.of();
    return new AutoClaim(reply.get(0).toString(), strings(reply.get(1)), deleted);
  }

  /** {@link StreamCommands#joinGroup}: {@code [created, lastDeliveredId]}. */
  public static GroupJoin joinedGroup(Response reply) {
    return new GroupJoin(reply.get(0).toLong() == 1, reply.get(1).toString());
  }

  /** The extended {@code XPENDING} form: {@code [[id, consumer, idleMs, deliveries], ...]}. */
  public static List<PendingEntry> pending(Response reply) {
    if (reply == null) {
      return List.of();
    }
    List<PendingEntry> result = new ArrayList<>(reply.size());
    for (Response row : reply) {
      result.add(new PendingEntry(row.get(0).toString(), row.get(1).toString(), row.get(2).toLong(),
        row.get(3).toLong()));
    }
    return result;
  }

  /**
   * A field of an {@code XINFO} row ({@code XINFO GROUPS}, {@code XINFO CONSUMERS}, {@code XINFO STREAM}): a map
   * in RESP3, a flat {@code [name, value, ...]} array in RESP2; null when absent.
   */
  public static Response infoField(Response row, String name) {
    if (row.isMap()) {
      return row.get(name);
    }
    for (int i = 0; i + 1 < row.size(); i += 2) {
      if (name.equals(row.get(i).toString())) {
        return row.get(i + 1);
      }
    }
    return null;
  }

  /** A list of bulk strings, e.g. ids; null reads as empty. */
  public static List<String> strings(Response list) {
    if (list == null) {
      return List.of();
    }
    List<String> result = new ArrayList<>(list.size());
    for (Response item : list) {
      result.add(item == null ? null : item.toString());
    }
    return result;
  }

  /** The rows of an {@code XINFO GROUPS} reply (maps in RESP3, flat key/value arrays in RESP2). */
  public static List<GroupInfo> groups(Response reply) {
    List<GroupInfo> groups = new ArrayList<>();
    for (Response group : reply) {
      groups.add(new GroupInfo(text(infoField(group, "name")), number(infoField(group, "lag")),
        orZero(number(infoField(group, "pending"))), orZero(number(infoField(group, "consumers"))),
        text(infoField(group, "last-delivered-id"))));
    }
    return groups;
  }

  /** The rows of an {@code XINFO CONSUMERS} reply (maps in RESP3, flat key/value arrays in RESP2). */
  public static List<ConsumerInfo> consumers(Response reply) {
    List<ConsumerInfo> consumers = new ArrayList<>();
    for (Response consumer : reply) {
      consumers.add(new ConsumerInfo(text(infoField(consumer, "name")), number(infoField(consumer, "pending")),
        number(infoField(consumer, "idle"))));
    }
    return consumers;
  }

  private static String text(Response value) {
    return value == null ? null : value.toString();
  }

  private static Long number(Response value) {
    return value == null ? null : value.toLong();
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
