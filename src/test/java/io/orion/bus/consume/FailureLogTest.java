package io.orion.bus.consume;

import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orion.bus.support.LogCapture;
import io.orion.bus.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Failed deliveries below the cap are logged at WARN, one line each, but not a flood. */
@ExtendWith(VertxExtension.class)
class FailureLogTest {

  private static final long SECOND_NANOS = 1_000_000_000L;

  @Test
  void theFirstFailureIsLoggedThenAtMostOnePerIntervalCountingTheOthers() {
    AtomicLong now = new AtomicLong(42 * SECOND_NANOS);
    FailureLog log = new FailureLog(now::get);
    long intervalNanos = FailureLog.INTERVAL_MS * 1_000_000;

    assertTrue(log.admit(), "the first failure");
    assertEquals(0, log.unlogged());
    assertFalse(log.admit());
    now.addAndGet(intervalNanos - 1);
    assertFalse(log.admit());
    assertFalse(log.admit());
    now.addAndGet(1);
    assertTrue(log.admit(), "a full interval after the last line");
    assertEquals(3, log.unlogged(), "the failures not logged since the last line");
    now.addAndGet(100 * intervalNanos);
    assertTrue(log.admit(), "a failure after a quiet time");
    assertEquals(0, log.unlogged());
  }

  @Test
  void anErrorIsTheFirstLineOfTheTextCutAtMaxErrorChars() {
    assertEquals("first", FailureLog.oneLine("  first\nsecond\r\nthird"));
    assertEquals("x".repeat(FailureLog.MAX_ERROR_CHARS), FailureLog.oneLine("x".repeat(FailureLog.MAX_ERROR_CHARS)));
    String cut = FailureLog.oneLine("x".repeat(FailureLog.MAX_ERROR_CHARS + 1));
    assertEquals(FailureLog.MAX_ERROR_CHARS, cut.length());
    assertTrue(cut.endsWith("…"), cut);
    // Never half of a character that takes two chars.
    String emoji = "x".repeat(FailureLog.MAX_ERROR_CHARS - 2) + "😀" + "x".repeat(10);
    assertEquals("x".repeat(FailureLog.MAX_ERROR_CHARS - 2) + "…", FailureLog.oneLine(emoji));
  }

  @Test
  void aFailedDeliveryBelowTheCapIsLoggedAtWarnWithItsWhereaboutsAndError(Vertx vertx) {
    ConsumerFixture fixture = new ConsumerFixture(vertx, TestRedis.shared());
    try (LogCapture logs = LogCapture.start()) {
      List<ConsumerFixture.Got> got = fixture.handle((msg, g) -> msg.fail(500, "no stock for order 7"));
      ConsumerVerticle verticle = fixture.deploy(fixture.config().put("maxDeliveries", 3));
      String id = fixture.xadd("data", "{\"order\":7}");

      until("delivered", () -> got.size() == 1);
      until("the failure logged", () -> !logs.linesWith("no stock for order 7").isEmpty());
      String line = logs.linesWith("no stock for order 7").get(0);
      assertTrue(line.contains("WARN"), line);
      for (String part : List.of(fixture.stream, fixture.group, verticle.consumerName(), id, "delivery 1 ")) {
        assertTrue(line.contains(part), part + " in " + line);
      }
    } finally {
      fixture.close();
    }
  }
}
