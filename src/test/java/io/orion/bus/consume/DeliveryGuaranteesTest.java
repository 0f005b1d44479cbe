package io.orion.bus.consume;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.consumerConfig;
import static io.orion.bus.support.BusTesting.consumers;
import static io.orion.bus.support.BusTesting.groups;
import static io.orion.bus.support.BusTesting.length;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.rawEntries;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.orion.bus.redis.PendingEntry;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.redis.StreamEntry;
import io.orion.bus.redis.StreamReplies;
import io.orion.bus.support.BusFixture;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The delivery guarantees of "Contract: consuming": redelivery after a failure or a timeout, dead letters,
 * poison entries, entries gone while pending, reclaim from crashed consumers, the group or stream deleted at
 * run time, and the removal of consumers that have left. Each test runs a {@link ConsumerVerticle} against
 * the shared test Redis on fresh names, and checks Redis itself with a raw client.
 */
@ExtendWith(VertxExtension.class)
class DeliveryGuaranteesTest {

  private static final String CONTRACT = "event";
  /** Short enough that a reclaim comes within a second, long enough to tell a reclaim from a first read. */
  private static final long CLAIM_IDLE_MS = 300;

  /** What one delivery carried. */
  private record Got(String id, int deliveries, JsonObject body) {
  }

  private Vertx vertx;
  @RegisterExtension
  final BusFixture bus = new BusFixture();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void tearDown() {
    // Undeploy first, so that no consumer creates the stream again after the fixture deletes it.
    await(Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).collect(Collectors.toList())));
  }

  @Test
  void redeliversAfterFailureReply() {
    List<Got> got = handle((msg, g) -> {
      if (g.deliveries() == 1) {
        msg.fail(500, "first delivery refused");
      } else {
        msg.reply("ok");
      }
    });
    deploy(config().put("claimIdleMs", CLAIM_IDLE_MS));

    String id = xadd("data", "{\"n\":1}");

    until("two deliveries", () -> got.size() >= 2);
    until("the entry acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertEquals(List.of(1, 2), deliveriesOf(got));
    assertEquals(List.of(id, id), idsOf(got));
    assertEquals(new JsonObject().put("n", 1), got.get(1).body());
    assertEquals(0, length(bus.redis(), bus.deadStream()));
  }

  @Test
  void redeliversAfterTimeout() {
    List<Got> got = handle((msg, g) -> {
      if (g.deliveries() > 1) {
        msg.reply("ok");
      }
    });
    deploy(config().put("handlerTimeoutMs", 300).put("claimIdleMs", 500));

    String id = xadd("data", "{\"n\":1}");

    until("two deliveries", () -> got.size() >= 2);
    until("the entry acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertEquals(List.of(1, 2), deliveriesOf(got));
    assertEquals(List.of(id, id), idsOf(got));
    assertTrue(counters().timedOut.sum() >= 1, "timeouts counted");
    assertEquals(0, length(bus.redis(), bus.deadStream()));
  }

  @Test
  void deadLettersAfterMaxDeliveries() {
    List<Got> got = handle((msg, g) -> msg.fail(500, "cannot handle order " + msg.body().getInteger("order")));
    deploy(config().put("claimIdleMs", CLAIM_IDLE_MS).put("maxDeliveries", 3));

    String data = "{\"order\":42,\"items\":[\"a\",\"b\"]}";
    String id = xadd("data", data, "meta.trace", "trace-1", "meta.source", "shop");

    until("one dead letter", () -> length(bus.redis(), bus.deadStream()) == 1);
    until("the original acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    Map<String, String> dead = rawEntries(bus.redis(), bus.deadStream()).get(0);
    assertEquals(data, dead.get("data"));
    assertEquals("trace-1", dead.get("meta.trace"));
    assertEquals("shop", dead.get("meta.source"));
    assertEquals(id, dead.get("id"));
    assertEquals(bus.group(), dead.get("group"));
    assertEquals("3", dead.get("deliveries"));
    assertEquals("cannot handle order 42", dead.get("error"));
    assertEquals(List.of(1, 2, 3), deliveriesOf(got));
    assertEquals(List.of(id, id, id), idsOf(got));
  }

  @Test
  void deadLetterOfTimeoutSaysTimedOut() {
    List<Got> got = handle((msg, g) -> {
      // Never replies: every delivery times out.
    });
    deploy(config().put("handlerTimeoutMs", 200).put("claimIdleMs", CLAIM_IDLE_MS).put("maxDeliveries", 2));

    String id = xadd("data", "{\"n\":1}");

    until("one dead letter", () -> length(bus.redis(), bus.deadStream()) == 1);
    until("the original acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    Map<String, String> dead = rawEntries(bus.redis(), bus.deadStream()).get(0);
    assertEquals(id, dead.get("id"));
    assertEquals("2", dead.get("deliveries"));
    assertTrue(dead.get("error").toLowerCase().contains("timed out"), "error: " + dead.get("error"));
    assertEquals(List.of(1, 2), deliveriesOf(got));
  }

  @Test
  void poisonEntriesAreDeadLetteredAtOnceBetweenGoodOnes() {
    List<Got> got = handle((msg, g) -> msg.reply("ok"));
    deploy(config());

    String first = xadd("data", "{\"good\":1}");
    String noData = xadd("payload", "{\"good\":0}", "meta.trace", "t-no-data");
    String notJson = xadd("data", "not json");
    String array = xadd("data", "[1,2]");
    String last = xadd("data", "{\"good\":2}");

    until("two good deliveries", () -> got.size() >= 2);
    until("three dead letters", () -> length(bus.redis(), bus.deadStream()) >= 3);
    until("nothing pending", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertEquals(List.of(first, last), idsOf(got));
    assertEquals(List.of(1, 1), deliveriesOf(got));
    Map<String, Map<String, String>> dead = deadLettersById();
    assertEquals(Set.of(noData, notJson, array), dead.keySet());
    dead.values().forEach(letter -> {
      assertEquals("0", letter.get("deliveries"), "deliveries of " + letter);
      assertEquals(bus.group(), letter.get("group"));
    });
    assertFalse(dead.get(noData).containsKey("data"), "no data field where there was none");
    assertEquals("t-no-data", dead.get(noData).get("meta.trace"));
    assertTrue(dead.get(noData).get("error").contains("data"), "error: " + dead.get(noData).get("error"));
    assertEquals("not json", dead.get(notJson).get("data"));
    assertTrue(dead.get(notJson).get("error").toLowerCase().contains("json"),
      "error: " + dead.get(notJson).get("error"));
    assertEquals("[1,2]", dead.get(array).get("data"));
    assertTrue(dead.get(array).get("error").toLowerCase().contains("json"), "error: " + dead.get(array).get("error"));
  }

  @Test
  void entryFromAnotherProducerIsConsumed() {
    List<Got> got = handle((msg, g) -> msg.reply("ok"));
    deploy(config());

    String id = cmd(bus.redis(), "XADD", bus.stream(), "*", "data", "{\"a\":1}").toString();

    until("one delivery", () -> got.size() >= 1);
    until("the entry acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertEquals(id, got.get(0).id());
    assertEquals(new JsonObject().put("a", 1), got.get(0).body());
    assertEquals(1, got.get(0).deliveries());
  }

  @Test
  void noHandlerIsNotAFailure() {
    List<String> ids = List.of(xadd("data", "{\"n\":1}"), xadd("data", "{\"n\":2}"), xadd("data", "{\"n\":3}"));
    deploy(config().put("maxDeliveries", 1));

    until("an attempt found no handler", () -> counters().noHandler.sum() > 0);
    List<Got> got = handle((msg, g) -> msg.reply("ok"));

    until("three deliveries", () -> got.size() >= 3);
    until("nothing pending", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertEquals(ids, idsOf(got).stream().sorted().toList());
    assertEquals(List.of(1, 1, 1), deliveriesOf(got));
    assertEquals(0, length(bus.redis(), bus.deadStream()));
    assertEquals(0, counters().deadLettered.sum());
  }

  @Test
  void noHandlerAttemptsDoNotCountAfterARestart() {
    String id = xadd("data", "{\"n\":1}");
    // maxDeliveries 1: were the attempt without a handler counted, the entry would be dead-lettered.
    JsonObject config = config().put("maxDeliveries", 1);
    String first = await(vertx.deployVerticle(new ConsumerVerticle(), new DeploymentOptions().setConfig(config)));
    until("an attempt found no handler", () -> counters().noHandler.sum() > 0);
    await(vertx.undeploy(first));
    List<Got> got = handle((msg, g) -> msg.reply("ok"));

    // The same consumer name: it starts by re-delivering its own pending entry.
    deploy(config);

    until("delivered or dead-lettered", () -> got.size() >= 1 || length(bus.redis(), bus.deadStream()) > 0);
    assertEquals(0, length(bus.redis(), bus.deadStream()), "dead letters: " + rawEntries(bus.redis(),
      bus.deadStream()));
    assertEquals(List.of(id), idsOf(got));
    assertEquals(List.of(1), deliveriesOf(got));
    until("the entry acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
  }

  @Test
  void deletedPendingEntryIsAcknowledgedAndSkipped() {
    assertGoneWhilePendingIsSkipped(1, got -> Request.cmd(Command.XDEL).arg(bus.stream()).arg(got.id()));
  }

  @Test
  void trimmedPendingEntriesAreAcknowledged() {
    assertGoneWhilePendingIsSkipped(3, got -> Request.cmd(Command.XTRIM).arg(bus.stream()).arg("MAXLEN").arg(0));
  }

  @Test
  void crashedConsumersPendingEntriesAreFinishedByAnother() {
    createGroup();
    List<String> ids = List.of(xadd("data", "{\"n\":1}"), xadd("data", "{\"n\":2}"), xadd("data", "{\"n\":3}"));
    List<StreamEntry> taken = StreamReplies.readGroup(
      cmd(bus.redis(), "XREADGROUP", "GROUP", bus.group(), "dead-one", "COUNT", 10, "STREAMS", bus.stream(), ">"));
    assertEquals(ids, taken.stream().map(StreamEntry::id).toList());
    List<Got> got = handle((msg, g) -> msg.reply("ok"));

    deploy(config().put("claimIdleMs", CLAIM_IDLE_MS));

    until("three deliveries", () -> got.size() >= 3);
    until("nothing pending", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertEquals(ids, idsOf(got).stream().sorted().toList());
    assertEquals(List.of(2, 2, 2), deliveriesOf(got));
    assertTrue(counters().reclaimed.sum() >= 3, "reclaims counted");
  }

  @Test
  void entryFoundPastTheCapIsDeadLetteredWithoutDelivery() {
    createGroup();
    String id = xadd("data", "{\"n\":1}", "meta.trace", "t-cap");
    cmd(bus.redis(), "XREADGROUP", "GROUP", bus.group(), "other", "COUNT", 1, "STREAMS", bus.stream(), ">");
    for (int i = 0; i < 3; i++) {
      cmd(bus.redis(), "XCLAIM", bus.stream(), bus.group(), "other", 0, id);
    }
    assertEquals(4, pendingRows().get(0).deliveries(), "delivery counter raised by the raw reads");
    List<Got> got = handle((msg, g) -> msg.reply("ok"));

    deploy(config().put("claimIdleMs", CLAIM_IDLE_MS).put("maxDeliveries", 3));

    until("one dead letter", () -> length(bus.redis(), bus.deadStream()) == 1);
    until("the original acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    Map<String, String> dead = rawEntries(bus.redis(), bus.deadStream()).get(0);
    assertEquals(id, dead.get("id"));
    assertEquals("4", dead.get("deliveries"));
    assertEquals("{\"n\":1}", dead.get("data"));
    assertEquals("t-cap", dead.get("meta.trace"));
    assertEquals(bus.group(), dead.get("group"));
    assertTrue(got.isEmpty(), "given to the handler: " + got);
  }

  @Test
  void groupDestroyedAtRunTimeIsCreatedAgain() {
    assertConsumesAgainAfter("XGROUP", "DESTROY", bus.stream(), bus.group());
  }

  @Test
  void streamDeletedAtRunTimeIsCreatedAgain() {
    assertConsumesAgainAfter("DEL", bus.stream());
  }

  /** What the trimmed-unread count reads; a skipped test names it with the version found. */
  private static final String TRIMMED_UNREAD_COUNTERS =
    "the trimmed-unread count (XINFO STREAM entries-added, XINFO GROUPS entries-read)";

  @Test
  void entriesTrimmedBeforeTheGroupReadThemAreReported() {
    bus.server().assumeAtLeast(7, 0, TRIMMED_UNREAD_COUNTERS);
    trimFiveEntriesUnread();
    List<Got> got = handle((msg, g) -> msg.reply("ok"));

    deploy(config());

    until("the 5 entries trimmed unread reported", () -> counters().trimmedUnread() == 5);
    String next = xadd("data", "{\"n\":6}");
    until("later entries still delivered", () -> idsOf(got).contains(next));
    assertEquals(1, got.size(), "only the entry added after the trim: the trimmed ones are gone");
  }

  @Test
  void onlyEntriesTrimmedBeforeTheGroupReadThemCountAsTrimmedUnread() {
    bus.server().assumeAtLeast(7, 0, TRIMMED_UNREAD_COUNTERS);
    createGroup();
    assertEquals(-1, trimmedUnread(), "a group that has read nothing: Redis has no count to tell from");
    xadd("data", "{\"n\":1}");
    xadd("data", "{\"n\":2}");
    cmd(bus.redis(), "XREADGROUP", "GROUP", bus.group(), "reader", "COUNT", 10, "STREAMS", bus.stream(), ">");
    xadd("data", "{\"n\":3}");
    assertEquals(-1, trimmedUnread(), "entries the group has read are still there: nothing to tell yet");

    cmd(bus.redis(), "XTRIM", bus.stream(), "MAXLEN", 1);
    assertEquals(0, trimmedUnread(), "the two entries trimmed had been read");

    cmd(bus.redis(), "XTRIM", bus.stream(), "MAXLEN", 0);
    assertEquals(1, trimmedUnread(), "the third was trimmed unread");

    xadd("data", "{\"n\":4}");
    assertEquals(1, trimmedUnread(), "a new entry changes nothing");
  }

  @Test
  void beforeRedis70TheTrimmedUnreadCountCannotTellAndConsumingGoesOn() {
    assumeFalse(bus.server().atLeast(7, 0),
      "Redis " + bus.server().version() + " has the counters: the tests above cover it");
    trimFiveEntriesUnread();

    assertEquals(-1, trimmedUnread(), "no entries-added nor entries-read before 7.0: cannot tell, not an error");
    List<Got> got = handle((msg, g) -> msg.reply("ok"));
    deploy(config());
    String next = xadd("data", "{\"n\":6}");
    until("later entries delivered", () -> idsOf(got).contains(next));
    assertTrue(Double.isNaN(counters().trimmedUnread()), "the gauge says it cannot tell");
  }

  /** The group reads one entry, then 5 more are added and the stream is cut to nothing before it reads them. */
  private void trimFiveEntriesUnread() {
    createGroup();
    xadd("data", "{\"n\":0}");
    // Another consumer reads the first entry, so that Redis counts what the group has read.
    cmd(bus.redis(), "XREADGROUP", "GROUP", bus.group(), "other", "COUNT", 1, "STREAMS", bus.stream(), ">");
    for (int i = 1; i <= 5; i++) {
      xadd("data", "{\"n\":" + i + "}");
    }
    // A maxLen below the backlog does this.
    cmd(bus.redis(), "XTRIM", bus.stream(), "MAXLEN", 0);
  }

  private long trimmedUnread() {
    return await(bus.redis().send(StreamCommands.trimmedUnread(bus.stream(), bus.group()))).toLong();
  }

  @Test
  void idleConsumerWithNothingPendingIsRemoved() {
    createGroup();
    xadd("data", "{\"n\":1}");
    // "holder" takes the entry and never acknowledges it; claimIdleMs stays high, so nobody reclaims it.
    cmd(bus.redis(), "XREADGROUP", "GROUP", bus.group(), "holder", "COUNT", 1, "STREAMS", bus.stream(), ">");
    cmd(bus.redis(), "XGROUP", "CREATECONSUMER", bus.stream(), bus.group(), "ghost");
    assertTrue(consumers(bus.redis(), bus.stream(), bus.group()).containsAll(List.of("holder", "ghost")));

    deploy(config().put("consumerIdleMs", 300));

    until("ghost removed", () -> !consumers(bus.redis(), bus.stream(), bus.group()).contains("ghost"));
    // A ghost made after the first was removed, and removed in turn, proves sweeps ran while holder was idle
    // past consumerIdleMs.
    cmd(bus.redis(), "XGROUP", "CREATECONSUMER", bus.stream(), bus.group(), "ghost-2");
    until("ghost-2 removed", () -> !consumers(bus.redis(), bus.stream(), bus.group()).contains("ghost-2"));
    assertTrue(consumers(bus.redis(), bus.stream(), bus.group()).contains("holder"),
      "holder owns a pending entry and stays");
    assertEquals(1, pending(bus.redis(), bus.stream(), bus.group()));
    // Counted when the sweep's reply is back, which may be just after Redis shows the removal.
    until("removals counted", () -> counters().consumersRemoved.sum() >= 2);
  }

  @Test
  void cleanStopWithNothingPendingLeavesTheGroup() {
    List<Got> got = handle((msg, g) -> msg.reply("ok"));
    ConsumerVerticle verticle = new ConsumerVerticle();
    String deployment = await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config())));
    xadd("data", "{\"n\":1}");
    until("one delivery", () -> got.size() >= 1);
    until("the entry acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertTrue(consumers(bus.redis(), bus.stream(), bus.group()).contains(verticle.consumerName()),
      "in the group while it runs");

    await(vertx.undeploy(deployment));

    assertFalse(consumers(bus.redis(), bus.stream(), bus.group()).contains(verticle.consumerName()),
      "gone from the group");
  }

  /**
   * {@code count} entries, each removed from the stream by {@code removal} while pending (the handler sends it,
   * then fails the delivery, so no reclaim can come in between): each was delivered once, and is then
   * acknowledged and skipped rather than claimed again.
   */
  private void assertGoneWhilePendingIsSkipped(int count, Function<Got, Request> removal) {
    List<Got> got = handle((msg, delivery) -> bus.redis().send(removal.apply(delivery))
      .onComplete(ar -> msg.fail(500, "failed after removing the entry: " + ar)));
    // Written before the consumer starts, so one read takes them all before any handler removes anything.
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(xadd("data", "{\"n\":" + i + "}"));
    }

    deploy(config().put("claimIdleMs", CLAIM_IDLE_MS));

    until("the gone entries counted", () -> counters().trimmed.sum() >= count);
    until("nothing pending", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
    assertEquals(ids, idsOf(got).stream().sorted().toList());
    assertEquals(Collections.nCopies(count, 1), deliveriesOf(got));
    assertEquals(count, counters().trimmed.sum());
    assertEquals(0, length(bus.redis(), bus.stream()));
    assertEquals(0, length(bus.redis(), bus.deadStream()));
  }

  /** After one entry was consumed, {@code command} deletes the group or stream; the next entry is consumed. */
  private void assertConsumesAgainAfter(Object... command) {
    List<Got> got = handle((msg, delivery) -> msg.reply("ok"));
    deploy(config());
    xadd("data", "{\"n\":1}");
    until("the first entry delivered", () -> got.size() >= 1);
    until("the first entry acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);

    cmd(bus.redis(), (String) command[0], Arrays.copyOfRange(command, 1, command.length));
    String second = xadd("data", "{\"n\":2}");

    until("the entry written afterwards delivered", () -> idsOf(got).contains(second));
    assertTrue(counters().groupsRecreated.sum() > 0, "groupsRecreated counted");
    assertTrue(groups(bus.redis(), bus.stream()).contains(bus.group()), "the group exists again");
    until("everything acknowledged", () -> pending(bus.redis(), bus.stream(), bus.group()) == 0);
  }

  private JsonObject config() {
    return bus.consumerConfig();
  }

  private ConsumerVerticle deploy(JsonObject config) {
    ConsumerVerticle verticle = new ConsumerVerticle();
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    return verticle;
  }

  private ConsumerCounters counters() {
    return ConsumerCounters.of(bus.stream(), bus.group());
  }

  /**
   * Registers the handler at the address: it records each delivery, then {@code answer} replies to it (or
   * not). Returns the record, in arrival order.
   */
  private List<Got> handle(BiConsumer<Message<JsonObject>, Got> answer) {
    List<Got> got = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(bus.address(), msg -> {
      Got delivery = new Got(msg.headers().get("id"), Integer.parseInt(msg.headers().get("deliveries")),
        msg.body());
      got.add(delivery);
      answer.accept(msg, delivery);
    });
    await(consumer.completion());
    return got;
  }

  private static List<Integer> deliveriesOf(List<Got> got) {
    return got.stream().map(Got::deliveries).toList();
  }

  private static List<String> idsOf(List<Got> got) {
    return got.stream().map(Got::id).toList();
  }

  /** {@code XADD stream * field value ...}; returns the id. */
  private String xadd(String... fieldsAndValues) {
    List<Object> args = new ArrayList<>(List.of(bus.stream(), "*"));
    args.addAll(List.of(fieldsAndValues));
    return cmd(bus.redis(), "XADD", args.toArray()).toString();
  }

  private void createGroup() {
    cmd(bus.redis(), "XGROUP", "CREATE", bus.stream(), bus.group(), "0", "MKSTREAM");
  }

  private List<PendingEntry> pendingRows() {
    return StreamReplies.pending(cmd(bus.redis(), "XPENDING", bus.stream(), bus.group(), "-", "+", 100));
  }

  /** The dead letters by the id of the entry they copy, in dead-letter stream order. */
  private Map<String, Map<String, String>> deadLettersById() {
    Map<String, Map<String, String>> byId = new LinkedHashMap<>();
    rawEntries(bus.redis(), bus.deadStream()).forEach(letter -> byId.put(letter.get("id"), letter));
    return byId;
  }
}
