package io.orion.bus.publish;

import io.orion.bus.consume.HandOffCodec;
import io.orion.bus.redis.StreamEntry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.entries;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static io.orion.bus.support.BusTesting.rawEntries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class PublisherVerticleTest {

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  private void deployPublisher(Vertx vertx, JsonObject extra) {
    deploy(vertx, PublisherVerticle.class, bus.publisherConfig().mergeIn(extra), 1);
  }

  private Future<String> publish(Vertx vertx, Object body, DeliveryOptions options) {
    return vertx.eventBus().<String>request(bus.address(), body, options).map(reply -> reply.body());
  }

  private static DeliveryOptions contract(String contract) {
    return new DeliveryOptions().addHeader("contract", contract);
  }

  /** The streams under this test's prefix that have publisher counters in this process. */
  private Set<String> countedStreams() {
    return PublisherCounters.all().keySet().stream().filter(name -> name.startsWith(bus.prefix() + ":"))
      .collect(Collectors.toSet());
  }

  private static long rejectedWithoutStream() {
    return PublisherCounters.of(PublisherCounters.NO_STREAM).rejected.sum();
  }

  private void assertRejected(Throwable failure, String containing) {
    ReplyException reply = assertInstanceOf(ReplyException.class, failure);
    assertEquals(400, reply.failureCode(), reply.getMessage());
    assertTrue(reply.getMessage().contains(containing), reply.getMessage());
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong(), "a rejected publish wrote to " + bus.stream());
  }

  @Test
  void publishRepliesTheIdOfTheEntryInTheStream(Vertx vertx) {
    deployPublisher(vertx, new JsonObject());
    JsonObject message = new JsonObject().put("order", 42).put("text", "héllo");

    String id = await(publish(vertx, message, contract("event")));

    List<Map<String, String>> stored = rawEntries(bus.redis(), bus.stream());
    assertEquals(1, stored.size());
    assertEquals(id, stored.get(0).get("_id"));
    assertEquals(message, new JsonObject(stored.get(0).get("data")));
    assertEquals(List.of("_id", "data"), new ArrayList<>(stored.get(0).keySet()), "contract must not be stored");
  }

  @Test
  void metadataHeadersBecomeMetaFieldsAndTheFirstValueWins(Vertx vertx) {
    deployPublisher(vertx, new JsonObject());
    DeliveryOptions options = contract("event").addHeader("trace-id", "abc").addHeader("tenant", "t1")
      .addHeader("tenant", "t2").addHeader("TENANT", "t3");

    await(publish(vertx, new JsonObject(), options));

    StreamEntry entry = entries(bus.redis(), bus.stream()).get(0);
    assertEquals(Map.of("trace-id", "abc", "tenant", "t1"), entry.meta());
  }

  @Test
  void bodyThatIsNotAJsonObjectIsRejected(Vertx vertx) {
    deployPublisher(vertx, new JsonObject());

    assertRejected(awaitFailure(publish(vertx, "{\"a\":1}", contract("event"))), "JSON object");
    assertRejected(awaitFailure(publish(vertx, new JsonArray().add(1), contract("event"))), "JSON object");
  }

  @Test
  void missingOrInvalidContractIsRejected(Vertx vertx) {
    deployPublisher(vertx, new JsonObject());

    assertRejected(awaitFailure(publish(vertx, new JsonObject(), new DeliveryOptions())), "contract");
    assertRejected(awaitFailure(publish(vertx, new JsonObject(), contract("Bad Contract"))), "invalid contract");
    assertRejected(awaitFailure(publish(vertx, new JsonObject(), contract("a".repeat(65)))), "invalid contract");
  }

  @Test
  void reservedMetadataNamesAreRejectedInAnyCase(Vertx vertx) {
    deployPublisher(vertx, new JsonObject());

    for (String name : List.of("stream", "id", "Group", "CONSUMER", "Deliveries")) {
      assertRejected(awaitFailure(publish(vertx, new JsonObject(), contract("event").addHeader(name, "x"))),
        "reserved");
    }
  }

  @Test
  void messageOverMaxMessageBytesIsRejected(Vertx vertx) {
    deployPublisher(vertx, new JsonObject().put("maxMessageBytes", 100));
    JsonObject fits = new JsonObject().put("s", "x".repeat(100 - "{\"s\":\"\"}".length()));
    JsonObject tooBig = new JsonObject().put("s", "x".repeat(101 - "{\"s\":\"\"}".length()));

    assertRejected(awaitFailure(publish(vertx, tooBig, contract("event"))), "maxMessageBytes");
    await(publish(vertx, fits, contract("event")));
    assertEquals(1, entries(bus.redis(), bus.stream()).size());
  }

  @Test
  void streamIsTrimmedApproximatelyToMaxLen(Vertx vertx) {
    deployPublisher(vertx, new JsonObject().put("maxLen", 10));
    List<Future<String>> replies = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      replies.add(publish(vertx, new JsonObject().put("i", i), contract("event")));
    }
    await(Future.all(replies));

    long length = cmd(bus.redis(), "XLEN", bus.stream()).toLong();
    // MAXLEN ~ trims whole nodes of (by default) 100 entries: the stream keeps at least maxLen.
    assertTrue(length >= 10 && length < 1_000, "length " + length);
  }

  @Test
  void maxLenZeroMeansNoTrimming(Vertx vertx) {
    deployPublisher(vertx, new JsonObject().put("maxLen", 0));
    List<Future<String>> replies = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      replies.add(publish(vertx, new JsonObject().put("i", i), contract("event")));
    }
    await(Future.all(replies));

    assertEquals(300, cmd(bus.redis(), "XLEN", bus.stream()).toLong());
  }

  @Test
  void aBurstOfPublishesIsNeverRefusedWithTheDefaultConfig(Vertx vertx) {
    deployPublisher(vertx, new JsonObject());
    int burst = 20_000;
    List<Future<String>> replies = new ArrayList<>(burst);
    for (int i = 0; i < burst; i++) {
      replies.add(publish(vertx, new JsonObject().put("i", i), contract("event")));
    }

    await(Future.join(replies).otherwiseEmpty());

    List<String> failures = replies.stream().filter(Future::failed).map(f -> f.cause().getMessage()).distinct()
      .toList();
    assertEquals(List.of(), failures);
    assertEquals(burst, new HashSet<>(replies.stream().map(Future::result).toList()).size());
    // Every one was written; the default maxLen (10000) trims the oldest, so the stream holds exactly the newest
    // of the replied ids, and (Redis 7.0+, which counts them) entries-added is the burst.
    List<String> kept = entries(bus.redis(), bus.stream()).stream().map(StreamEntry::id).toList();
    Comparator<String> byId = Comparator.<String>comparingLong(id -> Long.parseLong(id.substring(0, id.indexOf('-'))))
      .thenComparingLong(id -> Long.parseLong(id.substring(id.indexOf('-') + 1)));
    assertEquals(kept, replies.stream().map(Future::result).sorted(byId)
      .filter(id -> byId.compare(id, kept.get(0)) >= 0).toList());
    if (bus.server().atLeast(7, 0)) {
      assertEquals(burst, cmd(bus.redis(), "XINFO", "STREAM", bus.stream()).get("entries-added").toLong());
    }
  }

  @Test
  void eachContractHasItsOwnStream(Vertx vertx) {
    deployPublisher(vertx, new JsonObject());

    await(publish(vertx, new JsonObject().put("k", "order"), contract("order")));
    await(publish(vertx, new JsonObject().put("k", "event"), contract("event")));

    try {
      assertEquals("order", new JsonObject(entries(bus.redis(),
        bus.prefix() + ":orders").get(0).data()).getString("k"));
      assertEquals(1, entries(bus.redis(), bus.stream()).size());
    } finally {
      cmd(bus.redis(), "DEL", bus.prefix() + ":orders");
    }
  }

  @Test
  void aContractOutsideTheAllowListIsRejectedAndWritesNothing(Vertx vertx) {
    deployPublisher(vertx, new JsonObject().put("contracts", new JsonArray().add("event").add("audit")));

    Throwable failure = awaitFailure(publish(vertx, new JsonObject(), contract("order")));

    assertEquals("unknown contract \"order\": not in publisher.contracts", failure.getMessage());
    assertRejected(failure, "publisher.contracts");
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.prefix() + ":orders").toLong());
    await(publish(vertx, new JsonObject(), contract("event")));
    assertEquals(1, entries(bus.redis(), bus.stream()).size());
    assertEquals(Set.of(bus.stream()), countedStreams());
  }

  @Test
  void maxContractsCapsTheDistinctContractsOfTheWholeProcess(Vertx vertx) {
    // Two publisher deployments of one process, on one prefix: the cap counts the contracts of both.
    deployPublisher(vertx, new JsonObject().put("maxContracts", 2));
    String second = fresh("publish");
    deploy(vertx, PublisherVerticle.class, publisherConfig(bus.server(), bus.prefix(), second).put("maxContracts", 2),
      2);
    long rejectedBefore = rejectedWithoutStream();

    await(publish(vertx, new JsonObject(), contract("event")));
    await(vertx.eventBus().request(second, new JsonObject(), contract("order")));
    List<Throwable> refused = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      refused.add(awaitFailure(publish(vertx, new JsonObject(), contract("audit"))));
      refused.add(awaitFailure(vertx.eventBus().request(second, new JsonObject(), contract("audit"))));
    }

    try {
      for (Throwable failure : refused) {
        ReplyException reply = assertInstanceOf(ReplyException.class, failure);
        assertEquals(400, reply.failureCode());
        assertEquals("contract \"audit\" is over publisher.maxContracts: this process already writes 2 contracts"
          + " under prefix '" + bus.prefix() + "'", reply.getMessage());
      }
      assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.prefix() + ":audits").toLong());
      assertEquals(Set.of(bus.stream(), bus.prefix() + ":orders"), countedStreams(), "no counters past the cap");
      assertEquals(rejectedBefore + refused.size(), rejectedWithoutStream(), "refusals past the cap count under \"\"");
      // The contracts admitted stay accepted, on every instance.
      await(vertx.eventBus().request(second, new JsonObject(), contract("event")));
      await(publish(vertx, new JsonObject(), contract("order")));
      assertEquals(2, entries(bus.redis(), bus.stream()).size());
    } finally {
      cmd(bus.redis(), "DEL", bus.prefix() + ":orders");
    }
  }

  @Test
  void rejectionsOfAValidContractCountUnderItsStream(Vertx vertx) {
    deployPublisher(vertx, new JsonObject().put("maxMessageBytes", 100));
    long withoutStreamBefore = rejectedWithoutStream();

    awaitFailure(publish(vertx, new JsonObject(), contract("event").addHeader("id", "x")));
    awaitFailure(publish(vertx, "text", contract("event")));
    awaitFailure(publish(vertx, new JsonObject().put("n", Double.NaN), contract("event")));
    awaitFailure(publish(vertx, new JsonObject().put("s", "x".repeat(200)), contract("event")));
    awaitFailure(publish(vertx, new JsonObject(), contract("Bad")));
    awaitFailure(publish(vertx, new JsonObject(), new DeliveryOptions()));

    assertEquals(4L, PublisherCounters.of(bus.stream()).rejected.sum());
    assertEquals(withoutStreamBefore + 2, rejectedWithoutStream(), "only the requests with no valid contract");
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong());
  }

  @Test
  void aMessageWithANumberThatIsNotFiniteIsRejectedNamingWhere(Vertx vertx) {
    deployPublisher(vertx, new JsonObject());

    Throwable infinite = awaitFailure(publish(vertx, new JsonObject().put("n", Double.POSITIVE_INFINITY),
      contract("event")));
    Throwable nested = awaitFailure(publish(vertx, new JsonObject().put("list", new JsonArray().add(1)
      .add(new JsonObject().put("f", Float.NaN))), contract("event")));

    assertRejected(infinite, "");
    assertEquals("message has a number that is not finite at /n", infinite.getMessage());
    assertRejected(nested, "");
    assertEquals("message has a number that is not finite at /list/1/f", nested.getMessage());
  }

  @Test
  void aMessageWithAValueThatHasNoJsonFormIsRejected(Vertx vertx) {
    // The consumers' codec hands the very object over, no copy: the publisher sees what the default codec's copy
    // would have refused on the way.
    HandOffCodec.register(vertx);
    deployPublisher(vertx, new JsonObject());
    JsonObject body = new JsonObject(new HashMap<>(Map.of("thing", new Object())));

    Throwable failure = awaitFailure(publish(vertx, body, contract("event").setCodecName(HandOffCodec.NAME)));

    assertRejected(failure, "message cannot be encoded as JSON: ");
  }

  @Test
  void aFailureInsideValidationIsAnswered500AndWritesNothing(Vertx vertx) {
    HandOffCodec.register(vertx);
    deployPublisher(vertx, new JsonObject());
    JsonObject broken = new JsonObject() {
      @Override
      public Map<String, Object> getMap() {
        throw new UnsupportedOperationException("broken body");
      }
    };

    Throwable failure = awaitFailure(publish(vertx, broken, contract("event").setCodecName(HandOffCodec.NAME)));

    ReplyException reply = assertInstanceOf(ReplyException.class, failure);
    assertEquals(500, reply.failureCode(), reply.getMessage());
    assertTrue(reply.getMessage().contains("broken body"), reply.getMessage());
    assertEquals(1L, PublisherCounters.of(bus.stream()).rejected.sum());
    assertEquals(0L, cmd(bus.redis(), "EXISTS", bus.stream()).toLong());
  }

  @Test
  void requestAfterUndeployIsNotAcceptedAndWritesNothing(Vertx vertx) {
    String id = deploy(vertx, PublisherVerticle.class, bus.publisherConfig(), 1);
    await(vertx.undeploy(id));

    Throwable failure = awaitFailure(publish(vertx, new JsonObject(), contract("event")));

    assertInstanceOf(ReplyException.class, failure);
    assertFalse(cmd(bus.redis(), "EXISTS", bus.stream()).toLong() > 0);
  }
}
