package io.orion.bus.redis;

import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

import java.util.Collection;
import java.util.Map;

/** The Redis stream commands of the bus, built in one place. Replies are read by {@link StreamReplies}. */
public final class StreamCommands {

  /** Entries that a new read asks for; {@code 0} re-reads the caller's own pending entries. */
  public static final String NEW_ENTRIES = ">";

  /**
   * Removes consumers of group ARGV[1] that own nothing pending and have been idle at least ARGV[2] ms,
   * atomically, so that a consumer that reads between the check and the removal cannot lose its pending
   * entries. ARGV[3], when not empty, limits it to that consumer; ARGV[4], when not empty, spares that one (the
   * caller) and keeps it in the group: created again when it is missing, and made anew when it owns nothing pending,
   * which sets its idle time back to 0 (a read that finds nothing does not, before Redis 7.2, so a live consumer on a
   * quiet stream would look idle to the sweeps of others). Returns three lists: the names removed, the names that
   * matched but own pending entries, and the spared name when it had to be created again.
   */
  private static final String REMOVE_IDLE_CONSUMERS = String.join("\n",
    "local removed, kept, recreated = {}, {}, {}",
    "local ok, consumers = pcall(redis.call, 'XINFO', 'CONSUMERS', KEYS[1], ARGV[1])",
    "if not ok then return {removed, kept, recreated} end",
    "local spareFound = false",
    "for _, c in ipairs(consumers) do",
    "  local info = {}",
    "  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end",
    "  local name = info['name']",
    "  if name == ARGV[4] then",
    "    spareFound = true",
    "    if info['pending'] == 0 then",
    "      redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)",
    "      redis.call('XGROUP', 'CREATECONSUMER', KEYS[1], ARGV[1], name)",
    "    end",
    "  elseif (ARGV[3] == '' or name == ARGV[3]) and info['idle'] >= tonumber(ARGV[2]) then",
    "    if info['pending'] == 0 then",
    "      redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)",
    "      table.insert(removed, name)",
    "    else",
    "      table.insert(kept, name)",
    "    end",
    "  end",
    "end",
    "if ARGV[4] ~= '' and not spareFound then",
    "  redis.call('XGROUP', 'CREATECONSUMER', KEYS[1], ARGV[1], ARGV[4])",
    "  table.insert(recreated, ARGV[4])",
    "end",
    "return {removed, kept, recreated}");

  /**
   * Makes sure group ARGV[1] of stream KEYS[1] exists and has consumer ARGV[3]: creates the group at id ARGV[2]
   * (MKSTREAM) unless it exists, at 0 when the stream does not exist (every entry it will hold is new, whatever its
   * id), then creates the consumer (Redis before 7.2 creates a consumer only when a read gives it an entry, so a
   * consumer of a quiet stream would be missing from XINFO CONSUMERS). Replies {created (1 or 0), the group's
   * last-delivered-id}; a failure other than BUSYGROUP (WRONGTYPE: the key holds something else) is the reply.
   */
  private static final String JOIN_GROUP = String.join("\n",
    "local from = ARGV[2]",
    "if redis.call('EXISTS', KEYS[1]) == 0 then from = '0' end",
    "local created = 1",
    "local reply = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], from, 'MKSTREAM')",
    "if type(reply) == 'table' and reply.err then",
    "  if string.sub(reply.err, 1, 9) ~= 'BUSYGROUP' then return reply end",
    "  created = 0",
    "end",
    "redis.call('XGROUP', 'CREATECONSUMER', KEYS[1], ARGV[1], ARGV[3])",
    "for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do",
    "  local info = {}",
    "  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end",
    "  if info['name'] == ARGV[1] then return {created, info['last-delivered-id']} end",
    "end",
    "return {created, '0-0'}");

  /**
   * For group ARGV[1] of stream KEYS[1] (Redis 7.0 and later): how many entries were trimmed before the group read
   * them. Trimming removes entries from the head: when no entry up to the group's last delivered id is left, every
   * entry still in the stream is unread, and the entries added but neither read by the group nor still there were
   * trimmed unread: entries-added - entries-read - length. Replies -1 when that cannot be told: the group's read
   * counter is unknown to Redis (a group that has not read yet, or after XDEL or SETID), an entry the group has read
   * is still there, or the stream, the group or the counters (Redis before 7.0) are missing.
   */
  private static final String TRIMMED_UNREAD = String.join("\n",
    "local ok, stream = pcall(redis.call, 'XINFO', 'STREAM', KEYS[1])",
    "if not ok then return -1 end",
    "local s = {}",
    "for i = 1, #stream, 2 do s[stream[i]] = stream[i + 1] end",
    "if not s['entries-added'] then return -1 end",
    "for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do",
    "  local info = {}",
    "  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end",
    "  if info['name'] == ARGV[1] then",
    "    local read = info['entries-read']",
    "    if not read or #redis.call('XRANGE', KEYS[1], '-', info['last-delivered-id'], 'COUNT', 1) > 0 then",
    "      return -1",
    "    end",
    "    return math.max(0, s['entries-added'] - read - s['length'])",
    "  end",
    "end",
    "return -1");

  private StreamCommands() {
  }

  /** {@code XADD key [MAXLEN ~ maxLen] * data <json> meta.<name> <value> ...}; maxLen 0 means no trimming. */
  public static Request xadd(String stream, long maxLen, Buffer data, Map<String, String> meta) {
    Request request = Request.cmd(Command.XADD).arg(stream);
    if (maxLen > 0) {
      request.arg("MAXLEN").arg("~").arg(maxLen);
    }
    request.arg("*").arg(StreamEntry.DATA).arg(data);
    meta.forEach((name, value) -> request.arg(StreamEntry.META_PREFIX + name).arg(value));
    return request;
  }

  /**
   * {@code XADD {stream}:dead * data .. meta.* .. id .. group .. deliveries .. error ..}: the dead letter of an
   * entry, untrimmed (dead letters are for people to look at, not to lose).
   */
  public static Request deadLetter(String deadStream, StreamEntry entry, String group, long deliveries, String error) {
    Request request = Request.cmd(Command.XADD).arg(deadStream).arg("*");
    if (entry.data() != null) {
      request.arg(StreamEntry.DATA).arg(entry.data());
    }
    entry.meta().forEach((name, value) -> request.arg(StreamEntry.META_PREFIX + name).arg(value));
    return request.arg("id").arg(entry.id()).arg("group").arg(group).arg("deliveries").arg(deliveries)
      .arg("error").arg(error);
  }

  /** {@code XGROUP CREATE key group startFrom MKSTREAM}. */
  public static Request createGroup(String stream, String group, String startFrom) {
    return Request.cmd(Command.XGROUP).arg("CREATE").arg(stream).arg(group).arg(startFrom).arg("MKSTREAM");
  }

  /**
   * Creates the group at {@code from} ({@code 0}, {@code $} or an id) unless it exists, and the consumer in it, in
   * one step; read the reply with {@link StreamReplies#joinedGroup}. Fails as {@code XGROUP CREATE} does when the key
   * holds something else than a stream.
   */
  public static Request joinGroup(String stream, String group, String from, String consumer) {
    return Request.cmd(Command.EVAL).arg(JOIN_GROUP).arg(1).arg(stream).arg(group).arg(from).arg(consumer);
  }

  /** {@code XREADGROUP GROUP group consumer COUNT count [BLOCK blockMs] STREAMS key id}; blockMs &lt; 0: no BLOCK. */
  public static Request readGroup(String stream, String group, String consumer, int count, long blockMs, String id) {
    Request request = Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(count);
    if (blockMs >= 0) {
      request.arg("BLOCK").arg(blockMs);
    }
    return request.arg("STREAMS").arg(stream).arg(id);
  }

  /** {@code XACK key group id...}. */
  public static Request ack(String stream, String group, Collection<String> ids) {
    Request request = Request.cmd(Command.XACK).arg(stream).arg(group);
    ids.forEach(request::arg);
    return request;
  }

  /** {@code XAUTOCLAIM key group consumer minIdleMs start COUNT count JUSTID}: takes ownership, counters unchanged. */
  public static Request autoClaimIds(String stream, String group, String consumer, long minIdleMs, String start,
                                     int count) {
    return Request.cmd(Command.XAUTOCLAIM).arg(stream).arg(group).arg(consumer).arg(minIdleMs).arg(start)
      .arg("COUNT").arg(count).arg("JUSTID");
  }

  /** {@code XPENDING key group start end count [consumer]}: the extended form, with delivery counters. */
  public static Request pending(String stream, String group, String start, String end, int count, String consumer) {
    Request request = Request.cmd(Command.XPENDING).arg(stream).arg(group).arg(start).arg(end).arg(count);
    return consumer == null ? request : request.arg(consumer);
  }

  /** {@code XCLAIM key group consumer 0 id...}: the entries, each delivery counter raised by one. */
  public static Request claim(String stream, String group, String consumer, Collection<String> ids) {
    Request request = Request.cmd(Command.XCLAIM).arg(stream).arg(group).arg(consumer).arg(0);
    ids.forEach(request::arg);
    return request;
  }

  /**
   * {@code XCLAIM key group consumer 0 id RETRYCOUNT count JUSTID}: keeps the entry, resets its idle time and
   * sets its delivery counter to {@code count}, e.g. back to the deliveries that really reached a handler.
   */
  public static Request keep(String stream, String group, String consumer, String id, long count) {
    return claim(stream, group, consumer, java.util.List.of(id)).arg("RETRYCOUNT").arg(count).arg("JUSTID");
  }

  /**
   * Removes the consumers of the group that own nothing pending and have been idle {@code minIdleMs}: only
   * {@code only} when it is not null, and never {@code spare} when it is not null, which is kept in the group instead
   * (created again when missing, made anew when it owns nothing pending: its idle time starts again). Replies with
   * three lists: the names removed, those that matched but own pending entries, and {@code spare} when it had to be
   * created again.
   */
  public static Request removeIdleConsumers(String stream, String group, long minIdleMs, String only,
                                            String spare) {
    return Request.cmd(Command.EVAL).arg(REMOVE_IDLE_CONSUMERS).arg(1).arg(stream).arg(group).arg(minIdleMs)
      .arg(only == null ? "" : only).arg(spare == null ? "" : spare);
  }

  /**
   * How many entries of the stream were trimmed before the group read them, as far as Redis's counters tell now;
   * -1 when they cannot tell (see the script).
   */
  public static Request trimmedUnread(String stream, String group) {
    return Request.cmd(Command.EVAL).arg(TRIMMED_UNREAD).arg(1).arg(stream).arg(group);
  }

  /** {@code CLIENT ID}. */
  public static Request clientId() {
    return Request.cmd(Command.CLIENT).arg("ID");
  }

  /** {@code CLIENT UNBLOCK id}: a blocked read on that connection returns at once with no entries. */
  public static Request clientUnblock(long clientId) {
    return Request.cmd(Command.CLIENT).arg("UNBLOCK").arg(clientId);
  }

  /** {@code PING}. */
  public static Request ping() {
    return Request.cmd(Command.PING);
  }

  /** {@code EXISTS key}. */
  public static Request exists(String key) {
    return Request.cmd(Command.EXISTS).arg(key);
  }

  /** {@code XLEN key}: 0 for a stream that does not exist. */
  public static Request length(String stream) {
    return Request.cmd(Command.XLEN).arg(stream);
  }

  /** {@code XINFO GROUPS key}, read with {@link StreamReplies#groups}. */
  public static Request groups(String stream) {
    return Request.cmd(Command.XINFO).arg("GROUPS").arg(stream);
  }

  /** {@code XINFO CONSUMERS key group}, read with {@link StreamReplies#consumers}. */
  public static Request consumers(String stream, String group) {
    return Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream).arg(group);
  }
}
