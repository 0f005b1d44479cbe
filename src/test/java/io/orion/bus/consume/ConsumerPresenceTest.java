package io.orion.bus.consume;

import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.consumers;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.orion.bus.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Running consumers are in their group ({@code XINFO CONSUMERS}, and so {@code /streams}) on a stream nobody writes
 * to: Redis before 7.2 (this machine's 7.0, and 6.2) creates a consumer only when a read gives it an entry, and a
 * read that finds nothing does not make it look less idle to the sweeps of other consumers.
 */
@ExtendWith(VertxExtension.class)
class ConsumerPresenceTest {

  private ConsumerFixture fixture;
  private TestRedis own;

  @AfterEach
  void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
    if (own != null) {
      own.close();
    }
  }

  @Test
  void instancesAreInTheGroupFromTheirStartOnAQuietStream(Vertx vertx) {
    fixture = new ConsumerFixture(vertx, TestRedis.shared());
    JsonObject config = fixture.config();

    fixture.deploy(config, 2);

    until("both instances in the group", Duration.ofSeconds(1), () -> names().equals(instances(config)));
  }

  @Test
  void instancesAreInTheGroupAgainAfterItWasDeletedAndCreatedAgain(Vertx vertx) {
    fixture = new ConsumerFixture(vertx, TestRedis.shared());
    JsonObject config = fixture.config();
    deployTwoInstancesInTheGroup(config);

    cmd(fixture.raw, "XGROUP", "DESTROY", fixture.stream, fixture.group);

    until("the group created again", () -> fixture.counters().groupsRecreated.sum() > 0);
    until("both instances in the group again", () -> names().equals(instances(config)));
  }

  @Test
  void instancesAreInTheGroupAgainAfterARedisRestartThatLostThem(Vertx vertx) {
    own = TestRedis.startOwn("--appendonly", "yes");
    fixture = new ConsumerFixture(vertx, own);
    JsonObject config = fixture.config();
    deployTwoInstancesInTheGroup(config);
    // What a restart from an older snapshot does: the group is there, its consumers are not.
    for (String name : instances(config)) {
      own.cli("XGROUP", "DELCONSUMER", fixture.stream, fixture.group, name);
    }
    assertEquals(Set.of(), names());

    own.stop();
    own.start();

    until("both instances in the group again", () -> names().equals(instances(config)));
    assertEquals(0, fixture.counters().groupsRecreated.sum(), "the group itself survived the restart");
  }

  @Test
  void liveInstancesAreNotSweptAwayOnAQuietStream(Vertx vertx) {
    fixture = new ConsumerFixture(vertx, TestRedis.shared());
    JsonObject config = fixture.config().put("consumerIdleMs", 3_000);
    deployTwoInstancesInTheGroup(config);
    // Made after the instances: when a sweep finds it idle long enough, it would find them so too.
    cmd(fixture.raw, "XGROUP", "CREATECONSUMER", fixture.stream, fixture.group, "ghost");

    until("the ghost swept away", () -> !names().contains("ghost"));

    assertEquals(instances(config), names(), "the live instances stay");
    // Counted when the sweep's reply is back, which may be just after Redis shows the removal.
    until("the removal counted", () -> fixture.counters().consumersRemoved.sum() >= 1);
    assertEquals(1, fixture.counters().consumersRemoved.sum(), "removed: the ghost only, never a live instance");
  }

  @Test
  void aLiveInstanceRemovedByAnotherProcessIsInTheGroupAgainAfterItsNextSweep(Vertx vertx) {
    fixture = new ConsumerFixture(vertx, TestRedis.shared());
    JsonObject config = fixture.config().put("consumerIdleMs", 3_000);
    deployTwoInstancesInTheGroup(config);

    // What the sweep of a process with a shorter consumerIdleMs does.
    String removed = config.getString("consumer") + "-1";
    cmd(fixture.raw, "XGROUP", "DELCONSUMER", fixture.stream, fixture.group, removed);

    until("the removed instance in the group again", () -> names().contains(removed));
    assertEquals(instances(config), names());
  }

  private void deployTwoInstancesInTheGroup(JsonObject config) {
    fixture.deploy(config, 2);
    until("both instances in the group", () -> names().equals(instances(config)));
  }

  private Set<String> names() {
    return new HashSet<>(consumers(fixture.raw, fixture.stream, fixture.group));
  }

  private static Set<String> instances(JsonObject config) {
    String base = config.getString("consumer");
    return new HashSet<>(List.of(base + "-0", base + "-1"));
  }
}
