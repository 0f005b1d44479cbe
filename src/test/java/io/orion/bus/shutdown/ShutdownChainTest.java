package io.orion.bus.shutdown;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ShutdownChainTest {

  private final List<String> ran = new CopyOnWriteArrayList<>();

  private Future<?> record(String name) {
    ran.add(name);
    return Future.succeededFuture();
  }

  /** Runs the chain on an event loop, as a verticle's stop() does. */
  private static Future<Void> runOnContext(Vertx vertx, ShutdownChain chain, long timeoutMs) {
    Promise<Void> result = Promise.promise();
    vertx.runOnContext(v -> chain.run(vertx, timeoutMs).onComplete(result));
    return result.future();
  }

  @Test
  void allCleanupsRunInOrder(Vertx vertx) {
    ShutdownChain chain = ShutdownChain.of("test")
      .step("one", () -> record("one"))
      .step("two", () -> vertx.timer(20).compose(v -> record("two")))
      .always("three", () -> record("three"));

    await(runOnContext(vertx, chain, 5_000));

    assertEquals(List.of("one", "two", "three"), ran);
  }

  @Test
  void failingCleanupIsReportedAndTheNextStillRuns(Vertx vertx) {
    ShutdownChain chain = ShutdownChain.of("test")
      .step("fails", () -> Future.failedFuture(new IllegalStateException("boom")))
      .step("throws", () -> {
        throw new IllegalArgumentException("bang");
      })
      .step("after", () -> record("after"));

    Throwable failure = awaitFailure(runOnContext(vertx, chain, 5_000));

    assertEquals(List.of("after"), ran);
    ShutdownException error = assertInstanceOf(ShutdownException.class, failure);
    assertTrue(error.getMessage().contains("fails: boom"), error.getMessage());
    assertTrue(error.getMessage().contains("throws: bang"), error.getMessage());
    assertEquals(2, error.getSuppressed().length);
  }

  @Test
  void cleanupSlowerThanTheTimerGivesATimeoutNamingUnfinishedSteps(Vertx vertx) {
    Promise<Void> never = Promise.promise();
    ShutdownChain chain = ShutdownChain.of("test")
      .step("quick", () -> record("quick"))
      .step("stuck", never::future)
      .step("skipped", () -> record("skipped"))
      .always("close", () -> record("close"));

    long started = System.nanoTime();
    Throwable failure = awaitFailure(runOnContext(vertx, chain, 200));
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    String message = failure.getMessage();
    assertTrue(message.contains("timed out"), message);
    assertTrue(message.contains("stuck, skipped, close"), message);
    assertTrue(elapsedMs >= 200, "failed before the timer: " + elapsedMs + " ms");
    // The always-step runs all the same; the step after the stuck one does not.
    until("close ran", () -> ran.contains("close"));
    assertEquals(List.of("quick", "close"), ran);
    // A negative claim needs a window: let the stuck step finish, then give the chain time to go on wrongly.
    never.complete();
    await(vertx.timer(100));
    assertFalse(ran.contains("skipped"));
  }

  @Test
  void timeoutReportsStepsThatFailedBeforeIt(Vertx vertx) {
    ShutdownChain chain = ShutdownChain.of("test")
      .step("fails", () -> Future.failedFuture("broken"))
      .step("stuck", () -> Promise.promise().future());

    String message = awaitFailure(runOnContext(vertx, chain, 100)).getMessage();

    assertTrue(message.contains("timed out"), message);
    assertTrue(message.contains("fails: broken"), message);
  }

  @Test
  void runTwiceReturnsTheSameResult(Vertx vertx) {
    ShutdownChain chain = ShutdownChain.of("test").step("once", () -> record("once"));

    Future<Void> first = chain.run(vertx, 1_000);
    Future<Void> second = chain.run(vertx, 1_000);

    assertSame(first, second);
    await(first);
    assertEquals(List.of("once"), ran);
  }
}
