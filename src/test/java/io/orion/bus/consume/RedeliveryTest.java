package io.orion.bus.consume;

import static io.orion.bus.consume.ConsumerFixture.deliveriesOf;
import static io.orion.bus.consume.ConsumerFixture.idsOf;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.length;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.orion.bus.consume.ConsumerFixture.Got;
import io.orion.bus.redis.PendingEntry;
import io.orion.bus.redis.StreamReplies;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Redelivery counts right and serves what it claims. */
class RedeliveryTest extends ConsumerFixtureTest {


  @Test
  void afterAHoldWithoutHandlerEveryDeliveryToAHandlerCountsOnce() {
    String id = fixture.xadd("data", "{\"n\":1}");
    fixture.deploy(fixture.config().put("claimIdleMs", 300).put("maxDeliveries", 3));
    until("an attempt found no handler", () -> fixture.counters().noHandler.sum() > 0);

    List<Got> got = fixture.handle((msg, g) -> msg.fail(500, "refused " + g.deliveries()));

    until("one dead letter", () -> length(fixture.raw, fixture.deadStream) == 1);
    until("the original acknowledged", () -> pending(fixture.raw, fixture.stream, fixture.group) == 0);
    assertEquals(List.of(1, 2, 3), deliveriesOf(got), "deliveries of " + idsOf(got));
    Map<String, String> dead = fixture.deadLetters().get(0);
    assertEquals(id, dead.get("id"));
    assertEquals("3", dead.get("deliveries"));
    assertEquals("refused 3", dead.get("error"));
  }

  @Test
  void aReclaimPassDeliversEveryEntryItClaimsAmongManyPendingOnesOfItsOwn() {
    cmd(fixture.raw, "XGROUP", "CREATE", fixture.stream, fixture.group, "0", "MKSTREAM");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(fixture.xadd("data", "{\"n\":" + i + "}"));
    }
    cmd(fixture.raw, "XREADGROUP", "GROUP", fixture.group, "crashed", "COUNT", 40, "STREAMS", fixture.stream, ">");
    List<Got> got = fixture.handle((msg, g) -> msg.reply("ok"));
    // claimIdleMs so long that no timer runs a reclaim pass during the test: the test runs the one pass.
    ConsumerVerticle verticle = fixture.deploy(fixture.config().put("claimIdleMs", 600_000).put("maxInFlight", 64));
    String probe = fixture.xadd("data", "{\"probe\":true}");
    until("the probe delivered: the consumer reads new entries, it is done with its own pending ones",
      () -> idsOf(got).contains(probe));
    List<String> claimable = new ArrayList<>();
    List<String> ownRecent = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      (i % 2 == 0 ? claimable : ownRecent).add(ids.get(i));
    }
    // Interleaved: entries of a crashed consumer idle long enough to be claimed, and entries this consumer owns that
    // were just given to it (not idle enough to be claimed) and that it does not know of.
    List<Object> idle = new ArrayList<>(List.of(fixture.stream, fixture.group, "crashed", 0));
    idle.addAll(claimable);
    idle.addAll(List.of("IDLE", 3_600_000, "JUSTID"));
    cmd(fixture.raw, "XCLAIM", idle.toArray());
    List<Object> own = new ArrayList<>(List.of(fixture.stream, fixture.group, verticle.consumerName(), 0));
    own.addAll(ownRecent);
    own.add("JUSTID");
    cmd(fixture.raw, "XCLAIM", own.toArray());

    verticle.reclaimNow();

    until("every claimed entry delivered", () -> idsOf(got).containsAll(claimable));
    List<Got> reclaimed = got.subList(1, got.size());
    assertEquals(claimable, idsOf(reclaimed).stream().sorted().toList());
    assertEquals(Collections.nCopies(claimable.size(), 2), deliveriesOf(reclaimed));
    until("the claimed entries acknowledged", () -> pendingIds().equals(ownRecent));
    assertEquals(claimable.size(), fixture.counters().reclaimed.sum());
  }

  private List<String> pendingIds() {
    return StreamReplies.pending(cmd(fixture.raw, "XPENDING", fixture.stream, fixture.group, "-", "+", 1000))
      .stream().map(PendingEntry::id).toList();
  }
}
