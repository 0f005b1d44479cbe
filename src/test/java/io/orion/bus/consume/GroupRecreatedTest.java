package io.orion.bus.consume;

import static io.orion.bus.consume.ConsumerFixture.deliveriesOf;
import static io.orion.bus.consume.ConsumerFixture.idsOf;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.orion.bus.consume.ConsumerFixture.Got;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A group deleted while its consumers run is created again where it had got to: what was written in between is
 * delivered (with {@code startFrom} {@code $}, creating it at {@code $} would skip it) and what was delivered before
 * is not delivered again (with {@code 0}, creating it at {@code 0} would replay every retained entry).
 */
class GroupRecreatedTest extends ConsumerFixtureTest {

  /** Deletes the group and writes an entry, in one step: the entry is written before any consumer can act. */
  private static final String DESTROY_THEN_ADD = "redis.call('XGROUP', 'DESTROY', KEYS[1], ARGV[1]) "
    + "return redis.call('XADD', KEYS[1], '*', 'data', ARGV[2])";
  /** Deletes the group and creates it at 0, in one step, as another process or a tool might. */
  private static final String DESTROY_THEN_CREATE_AT_ZERO = "redis.call('XGROUP', 'DESTROY', KEYS[1], ARGV[1]) "
    + "return redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0')";


  @Test
  void startFromDollarDeliversWhatWasWrittenWhileTheGroupWasGone() {
    assertEachEntryDeliveredOnceAcrossARecreation("$");
  }

  @Test
  void startFromZeroDoesNotDeliverAgainWhatWasDeliveredBeforeTheGroupWasGone() {
    assertEachEntryDeliveredOnceAcrossARecreation("0");
  }

  @Test
  void anEntryReadAgainWhileItsDeliveryIsUnderWayIsNotDeliveredTwice() {
    List<Got> got = fixture.handle((msg, g) -> {
      if (!g.body().containsKey("hold")) {
        msg.reply("ok");
      }
    });
    fixture.deploy(fixture.config());
    // The held entry first: read again, it comes before the other, which shows that it was read again.
    String held = fixture.xadd("data", "{\"hold\":true}");
    String done = fixture.xadd("data", "{\"n\":1}");
    until("both delivered", () -> got.size() == 2);
    until("the other acknowledged", () -> pending(fixture.raw, fixture.stream, fixture.group) == 1);

    // Created again at 0 by someone else: the consumer reads both entries again, the held one included.
    cmd(fixture.raw, "EVAL", DESTROY_THEN_CREATE_AT_ZERO, 1, fixture.stream, fixture.group);

    until("the other delivered again", () -> idsOf(got).stream().filter(done::equals).count() == 2);
    until("the other acknowledged again", () -> pending(fixture.raw, fixture.stream, fixture.group) == 1);
    assertEquals(List.of(held, done, done), idsOf(got), "the held entry is not given to the handler again");
    assertEquals(1, fixture.counters().inFlight.sum(), "in flight: the held entry, once");
    got.get(0).message().reply("ok");
    until("nothing in flight", () -> fixture.counters().inFlight.sum() == 0);
    until("the held entry acknowledged where it is pending now",
      () -> pending(fixture.raw, fixture.stream, fixture.group) == 0);
  }

  /**
   * One entry before the consumer starts and one after are delivered; the group is deleted and an entry written at
   * once; then another. Each of the four is given to the handler once, as a first delivery.
   */
  private void assertEachEntryDeliveredOnceAcrossARecreation(String startFrom) {
    List<Got> got = fixture.handle((msg, g) -> msg.reply("ok"));
    String before = fixture.xadd("data", "{\"n\":0}");
    fixture.deploy(fixture.config().put("startFrom", startFrom));
    String first = fixture.xadd("data", "{\"n\":1}");
    until("the first entry delivered", () -> idsOf(got).contains(first));
    until("the first entry acknowledged", () -> pending(fixture.raw, fixture.stream, fixture.group) == 0);

    String meanwhile = cmd(fixture.raw, "EVAL", DESTROY_THEN_ADD, 1, fixture.stream, fixture.group,
      "{\"n\":2}").toString();
    until("the group created again", () -> fixture.counters().groupsRecreated.sum() > 0);
    String after = fixture.xadd("data", "{\"n\":3}");

    until("the entry written after delivered", () -> idsOf(got).contains(after));
    until("everything acknowledged", () -> pending(fixture.raw, fixture.stream, fixture.group) == 0);
    List<String> expected = "0".equals(startFrom) ? List.of(before, first, meanwhile, after)
      : List.of(first, meanwhile, after);
    assertEquals(expected, idsOf(got));
    assertEquals(expected.stream().map(id -> 1).toList(), deliveriesOf(got));
  }
}
