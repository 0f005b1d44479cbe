package io.orion.bus.consume;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.consumerConfig;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.freshPrefix;
import static io.orion.bus.support.BusTesting.rawEntries;

import io.orion.bus.config.Names;
import io.orion.bus.support.TestRedis;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * One consumer test's world: fresh stream, group and address on a real Redis, a raw client to look at Redis and
 * write to it as another producer would, handlers that record what they were given, and the deployments to undo.
 */
final class ConsumerFixture implements AutoCloseable {

  static final String CONTRACT = "event";

  /** What one delivery carried, and the message to answer. */
  record Got(String id, int deliveries, String consumer, JsonObject body, Message<JsonObject> message) {
  }

  final Vertx vertx;
  final TestRedis redis;
  final Redis raw;
  final String stream;
  final String deadStream;
  final String group;
  final String address;
  private final String prefix;

  ConsumerFixture(Vertx vertx, TestRedis redis) {
    this.vertx = vertx;
    this.redis = redis;
    this.raw = Redis.createClient(vertx, redis.url());
    this.prefix = freshPrefix();
    this.stream = Names.stream(prefix, CONTRACT);
    this.deadStream = Names.deadLetters(stream);
    this.group = fresh("g");
    this.address = fresh("addr");
  }

  /** A standalone consumer's config for these names, with the short timings of {@code BusTesting}. */
  JsonObject config() {
    return consumerConfig(redis, prefix, CONTRACT, group, address);
  }

  /** Deploys {@code instances} consumers with {@code config} and waits for them; returns the deployment id. */
  String deploy(JsonObject config, int instances) {
    return await(vertx.deployVerticle(ConsumerVerticle.class,
      new DeploymentOptions().setConfig(config).setInstances(instances)));
  }

  /** Deploys one consumer and waits for it. */
  ConsumerVerticle deploy(JsonObject config) {
    ConsumerVerticle verticle = new ConsumerVerticle();
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
    return verticle;
  }

  /**
   * Registers a handler at the address: it records each delivery, then {@code answer} replies to it (or not).
   * Returns the record, in arrival order.
   */
  List<Got> handle(BiConsumer<Message<JsonObject>, Got> answer) {
    List<Got> got = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(address, msg -> {
      Got delivery = new Got(msg.headers().get("id"), Integer.parseInt(msg.headers().get("deliveries")),
        msg.headers().get("consumer"), msg.body(), msg);
      got.add(delivery);
      answer.accept(msg, delivery);
    });
    await(consumer.completion());
    return got;
  }

  /** {@code XADD stream * field value ...} from the raw client; returns the id. */
  String xadd(String... fieldsAndValues) {
    List<Object> args = new ArrayList<>(List.of(stream, "*"));
    args.addAll(List.of(fieldsAndValues));
    return cmd(raw, "XADD", args.toArray()).toString();
  }

  ConsumerCounters counters() {
    return ConsumerCounters.of(stream, group);
  }

  /** Every field of every dead letter, oldest first. */
  List<Map<String, String>> deadLetters() {
    return rawEntries(raw, deadStream);
  }

  static List<String> idsOf(List<Got> got) {
    return got.stream().map(Got::id).toList();
  }

  static List<Integer> deliveriesOf(List<Got> got) {
    return got.stream().map(Got::deliveries).toList();
  }

  /** Undeploys everything first, so that no consumer creates the stream again after it is deleted. */
  @Override
  public void close() {
    await(Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).collect(Collectors.toList())));
    if (redis.isRunning()) {
      cmd(raw, "DEL", stream, deadStream);
    }
    await(raw.close());
  }
}
