package io.orion.bus.consume;

import io.orion.bus.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A consumer test class on the shared test Redis: a fresh {@link ConsumerFixture} for each test. */
@ExtendWith(VertxExtension.class)
abstract class ConsumerFixtureTest {

  ConsumerFixture fixture;

  @BeforeEach
  void createFixture(Vertx vertx) {
    fixture = new ConsumerFixture(vertx, TestRedis.shared());
  }

  @AfterEach
  void closeFixture() {
    fixture.close();
  }
}
