package io.orion.bus.consume;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orion.bus.consume.ConsumerFixture.Got;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Consumer names {@code {consumer}-{i}} are reused, but never while the old instance's handler may still work. */
class ConsumerNamesTest extends ConsumerFixtureTest {


  @Test
  void aNameIsHandedToANewInstanceOnlyOnceTheOldInstancesDeliveriesTimedOut() {
    List<Got> got = fixture.handle((msg, g) -> {
      // The first delivery is never answered: it is under way until it times out.
      if (g.deliveries() > 1) {
        msg.reply("ok");
      }
    });
    JsonObject config = fixture.config().put("handlerTimeoutMs", 5_000).put("shutdownTimeoutMs", 300);
    String base = config.getString("consumer");
    ConsumerVerticle old = new ConsumerVerticle();
    String oldDeployment = await(fixture.vertx.deployVerticle(old, new DeploymentOptions().setConfig(config)));
    fixture.xadd("data", "{\"n\":1}");
    until("delivered", () -> got.size() == 1);

    String message = awaitFailure(fixture.vertx.undeploy(oldDeployment)).getMessage();
    assertTrue(message.contains("timed out"), message);

    ConsumerVerticle during = fixture.deploy(config);
    assertEquals(base + "-0", old.consumerName());
    assertEquals(base + "-1", during.consumerName(), "the old name while its delivery awaits the handler");
    until("the old delivery timed out and the name handed back", () -> !ConsumerNames.inUse(fixture.stream,
      fixture.group, base, 0));
    assertEquals(base + "-0", fixture.deploy(config).consumerName(), "the old name once free");
    until("its own pending entry delivered again, and answered", () -> got.size() == 2
      && pending(fixture.raw, fixture.stream, fixture.group) == 0);
  }
}
