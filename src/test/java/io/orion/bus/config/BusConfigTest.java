package io.orion.bus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusConfigTest {

  private static JsonObject consumer(String contract, String group) {
    return new JsonObject().put("contract", contract).put("group", group);
  }

  private static String error(JsonObject config) {
    return assertThrows(IllegalArgumentException.class, () -> BusConfig.fromJson(config)).getMessage();
  }

  @Test
  void emptyConfigGivesTheContractDefaults() {
    BusConfig config = BusConfig.fromJson(new JsonObject());

    PublisherOptions publisher = config.publisher();
    assertEquals("orion", publisher.streamPrefix());
    assertEquals(10_000, publisher.maxLen());
    assertEquals(25_000, publisher.shutdownTimeoutMs());
    assertEquals(5_000, publisher.publishTimeoutMs());
    assertEquals(1_048_576, publisher.maxMessageBytes());
    assertEquals(67_108_864, publisher.maxQueuedBytes());
    assertEquals("orion.publish", publisher.address());
    assertEquals(List.of("redis://localhost:6379"), publisher.redis().toOptions().getEndpoints());
    assertTrue(config.consumers().isEmpty());
  }

  @Test
  void consumerDefaultsFollowTheContract() {
    ConsumerOptions consumer = BusConfig.fromJson(new JsonObject()
      .put("consumers", new JsonArray().add(consumer("event", "workers")))).consumers().get(0);

    assertEquals("orion:events", consumer.stream());
    assertEquals("orion.events", consumer.address());
    assertEquals(1, consumer.instances());
    assertEquals(64, consumer.maxInstances());
    assertEquals(10, consumer.count());
    assertEquals(1_000, consumer.blockMs());
    assertEquals(32, consumer.maxInFlight());
    assertEquals(20_000, consumer.handlerTimeoutMs());
    assertEquals(60_000, consumer.claimIdleMs());
    assertEquals(5, consumer.maxDeliveries());
    assertEquals("0", consumer.startFrom());
    assertEquals(600_000, consumer.consumerIdleMs());
    assertTrue(consumer.consumer().endsWith("-" + ProcessHandle.current().pid()), consumer.consumer());
  }

  @Test
  void topLevelKeysAreDefaultsAndASectionsOwnValueWins() {
    BusConfig config = BusConfig.fromJson(new JsonObject()
      .put("claimIdleMs", 5_000)
      .put("streamPrefix", "app")
      .put("publishTimeoutMs", 700)
      .put("redis", new JsonObject().put("connectionString", "redis://top:6379"))
      .put("publisher", new JsonObject().put("publishTimeoutMs", 900))
      .put("consumers", new JsonArray()
        .add(consumer("event", "a"))
        .add(consumer("event", "b").put("claimIdleMs", 9_000)
          .put("redis", new JsonObject().put("connectionString", "redis://own:6379")))));

    assertEquals(900, config.publisher().publishTimeoutMs());
    assertEquals("app", config.publisher().streamPrefix());
    assertEquals(5_000, config.consumers().get(0).claimIdleMs());
    assertEquals("app:events", config.consumers().get(0).stream());
    assertEquals("app.events", config.consumers().get(0).address());
    assertEquals(List.of("redis://top:6379"), config.consumers().get(0).redis().toOptions().getEndpoints());
    assertEquals(9_000, config.consumers().get(1).claimIdleMs());
    assertEquals(List.of("redis://own:6379"), config.consumers().get(1).redis().toOptions().getEndpoints());
  }

  @Test
  void identityKeysAreNotInherited() {
    for (String key : List.of("address", "contract", "group", "consumer", "instances")) {
      String message = error(new JsonObject().put(key, "x"));
      assertTrue(message.contains("'" + key + "'") && message.contains("not inherited"), message);
    }
  }

  @Test
  void oneTopLevelMaxMessageBytesCapsDataAtBothEnds() {
    BusConfig config = BusConfig.fromJson(new JsonObject()
      .put("maxMessageBytes", 4_096)
      .put("consumers", new JsonArray()
        .add(consumer("event", "a"))
        .add(consumer("event", "b").put("maxMessageBytes", 8_192))));

    assertEquals(4_096, config.publisher().maxMessageBytes());
    assertEquals(4_096, config.consumers().get(0).maxMessageBytes());
    assertEquals(8_192, config.consumers().get(1).maxMessageBytes());
    assertEquals(1_048_576, BusConfig.fromJson(new JsonObject().put("consumers", new JsonArray()
      .add(consumer("event", "a")))).consumers().get(0).maxMessageBytes(), "the publisher's default");
    assertEquals(8_192, ConsumerOptions.fromJson(config.consumers().get(1).toJson()).maxMessageBytes());
  }

  @Test
  void instancesAboveMaxInstancesFailNamingBothKeys() {
    String overDefault = error(new JsonObject().put("consumers", new JsonArray()
      .add(consumer("event", "g").put("instances", 65))));
    String overInherited = error(new JsonObject().put("maxInstances", 2).put("consumers", new JsonArray()
      .add(consumer("event", "g").put("instances", 3))));
    String overOwn = error(new JsonObject().put("maxInstances", 8).put("consumers", new JsonArray()
      .add(consumer("event", "g").put("instances", 3).put("maxInstances", 2))));

    assertTrue(overDefault.contains("'consumers[0].instances'") && overDefault.contains("consumers[0].maxInstances")
      && overDefault.contains("64"), overDefault);
    assertTrue(overInherited.contains("'consumers[0].instances'") && overInherited.contains("<= maxInstances (2)"),
      overInherited);
    assertTrue(overOwn.contains("consumers[0].maxInstances (2)"), overOwn);
  }

  @Test
  void maxInstancesIsInheritedAndASectionsOwnValueWins() {
    BusConfig config = BusConfig.fromJson(new JsonObject().put("maxInstances", 4).put("consumers", new JsonArray()
      .add(consumer("event", "a").put("instances", 4))
      .add(consumer("event", "b").put("instances", 100).put("maxInstances", 100))));

    assertEquals(4, config.consumers().get(0).maxInstances());
    assertEquals(100, config.consumers().get(1).maxInstances());
    assertEquals(100, config.consumers().get(1).instances());
  }

  @Test
  void aContractAndGroupPairAppearsOnce() {
    String message = error(new JsonObject().put("consumers", new JsonArray()
      .add(consumer("event", "g")).add(consumer("event", "g").put("address", "other"))));

    assertTrue(message.contains("consumers[1].group") && message.contains("more than once"), message);
  }

  @ParameterizedTest(name = "{0} = {1} fails naming {2}")
  @CsvSource(delimiter = '|', value = {
    "maxLen|-1|maxLen",
    "shutdownTimeoutMs|0|shutdownTimeoutMs",
    "publishTimeoutMs|0|publishTimeoutMs",
    "maxMessageBytes|0|maxMessageBytes",
    "maxQueuedBytes|0|maxQueuedBytes",
    "count|0|count",
    "blockMs|0|blockMs",
    "maxInFlight|0|maxInFlight",
    "handlerTimeoutMs|0|handlerTimeoutMs",
    "claimIdleMs|0|claimIdleMs",
    "maxDeliveries|0|maxDeliveries",
    "consumerIdleMs|0|consumerIdleMs",
    "maxInstances|0|maxInstances",
    "maxLen|\"many\"|maxLen",
    "claimIdleMs|1.5|claimIdleMs",
    "streamPrefix|\"a b\"|streamPrefix",
    "streamPrefix|\"\"|streamPrefix",
    "startFrom|\"5\"|startFrom",
    "claimIdelMs|1|claimIdelMs",
  })
  void outOfLimitsValueFailsNamingTheKey(String key, String json, String named) {
    JsonObject config = new JsonObject().put("consumers", new JsonArray().add(consumer("event", "g")))
      .put(key, new JsonObject("{\"v\":" + json + "}").getValue("v"));

    String message = error(config);

    assertTrue(message.contains("'" + named + "'"), message);
  }

  @Test
  void maxQueuedBytesHoldsTheLargestMessage() {
    String message = error(new JsonObject().put("publisher", new JsonObject().put("maxMessageBytes", 1_000)
      .put("maxQueuedBytes", 999)));

    assertTrue(message.contains("'publisher.maxQueuedBytes'") && message.contains("maxMessageBytes (1000)"), message);
    assertEquals(200_000_000, BusConfig.fromJson(new JsonObject().put("maxMessageBytes", 200_000_000)).publisher()
      .maxQueuedBytes(), "by default at least maxMessageBytes");
  }

  @Test
  void aSectionsOwnBadValueIsNamedInItsSection() {
    String message = error(new JsonObject().put("count", 5)
      .put("consumers", new JsonArray().add(consumer("event", "g").put("count", 0))));

    assertTrue(message.contains("'consumers[0].count'"), message);
  }

  @Test
  void consumerEntryKeysAreChecked() {
    assertTrue(error(new JsonObject().put("consumers", new JsonArray().add(new JsonObject().put("group", "g"))))
      .contains("'consumers[0].contract': is required"));
    assertTrue(error(new JsonObject().put("consumers", new JsonArray().add(new JsonObject().put("contract", "e"))))
      .contains("'consumers[0].group': is required"));
    assertTrue(error(new JsonObject().put("consumers", new JsonArray().add(consumer("Event", "g"))))
      .contains("'consumers[0].contract'"));
    assertTrue(error(new JsonObject().put("consumers", new JsonArray().add(consumer("e", "g").put("instances", 0))))
      .contains("'consumers[0].instances'"));
    assertTrue(error(new JsonObject().put("consumers", new JsonArray().add("event")))
      .contains("'consumers[0]'"));
    assertTrue(error(new JsonObject().put("publisher", new JsonObject().put("address", "")))
      .contains("'publisher.address'"));
  }

  @ParameterizedTest
  @CsvSource({"a, true", "event, true", "my_type-2, true", "Event, false", "2event, false", "'', false",
    "a.b, false", "a:b, false"})
  void contractTypeSyntax(String contract, boolean valid) {
    assertEquals(valid, Names.isValidContract(contract));
  }

  @Test
  void contractTypeIsAtMost64Characters() {
    assertTrue(Names.isValidContract("a".repeat(64)));
    assertFalse(Names.isValidContract("a".repeat(65)));
  }

  @Test
  void namesFollowTheContract() {
    assertEquals("orion:events", Names.stream("orion", "event"));
    assertEquals("orion:events:dead", Names.deadLetters(Names.stream("orion", "event")));
    assertEquals("orion.events", Names.address("orion", "event"));
  }

  @Test
  void connectionStringIsShorthandForOneEndpoint() {
    RedisOptions options = RedisSettings.fromJson(new JsonObject().put("connectionString", "redis://h:1")
      .put("type", "STANDALONE")).toOptions();

    assertEquals(List.of("redis://h:1"), options.getEndpoints());
    assertEquals(RedisClientType.STANDALONE, options.getType());
    assertEquals(RedisSettings.DEFAULT_MAX_POOL_SIZE, options.getMaxPoolSize());
    assertEquals(RedisSettings.DEFAULT_MAX_POOL_WAITING, options.getMaxPoolWaiting());
  }

  @Test
  void connectionStringWithEndpointsMustBeTheSameUrl() {
    JsonObject same = new JsonObject().put("connectionString", "redis://h:1")
      .put("endpoints", new JsonArray().add("redis://h:1"));
    JsonObject different = new JsonObject().put("connectionString", "redis://h:1")
      .put("endpoints", new JsonArray().add("redis://h:2"));

    assertEquals(List.of("redis://h:1"), RedisSettings.fromJson(same).toOptions().getEndpoints());
    String message = assertThrows(IllegalArgumentException.class, () -> RedisSettings.fromJson(different))
      .getMessage();
    assertTrue(message.contains("redis.connectionString"), message);
  }

  @Test
  void givenPoolSizesAreKeptAndOtherClientOptionsPassThrough() {
    RedisOptions options = RedisSettings.fromJson(new JsonObject()
      .put("endpoints", new JsonArray().add("redis://a:1").add("redis://b:2"))
      .put("type", "CLUSTER").put("maxPoolSize", 7).put("maxPoolWaiting", 9).put("password", "secret"))
      .toOptions();

    assertEquals(RedisClientType.CLUSTER, options.getType());
    assertEquals(7, options.getMaxPoolSize());
    assertEquals(9, options.getMaxPoolWaiting());
    assertEquals("secret", options.getPassword());
  }

  @Test
  void badRedisSectionFailsNamingTheKey() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RedisSettings.fromJson(
      new JsonObject().put("connectionString", "http://h:1"))).getMessage().contains("redis.connectionString"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RedisSettings.fromJson(
      new JsonObject().put("endpoints", new JsonArray()))).getMessage().contains("redis.endpoints"));
    assertTrue(error(new JsonObject().put("redis", "redis://h:1")).contains("'publisher.redis'")
      || error(new JsonObject().put("redis", "redis://h:1")).contains("'redis'"));
  }

  @Test
  void describeNeverShowsThePassword() {
    RedisSettings settings = RedisSettings.fromJson(new JsonObject()
      .put("connectionString", "redis://user:s3cret@h:6379/0"));

    assertFalse(settings.describe().contains("s3cret"), settings.describe());
    assertTrue(settings.describe().contains("redis://user:***@h:6379/0"), settings.describe());
  }

  @Test
  void publisherContractsIsAnOptionalListOfContractTypesAndMaxContractsAtLeastOne() {
    PublisherOptions defaults = BusConfig.fromJson(new JsonObject()).publisher();
    PublisherOptions listed = BusConfig.fromJson(new JsonObject().put("publisher", new JsonObject()
      .put("contracts", new JsonArray().add("event").add("order").add("event")).put("maxContracts", 3)))
      .publisher();

    assertNull(defaults.contracts());
    assertEquals(256, defaults.maxContracts());
    assertEquals(List.of("event", "order"), List.copyOf(listed.contracts()));
    assertEquals(3, listed.maxContracts());
    assertEquals(listed, PublisherOptions.fromJson(listed.toJson()));
    assertEquals("invalid config key 'publisher.contracts': element 1 is not a contract type ([a-z][a-z0-9_-]{0,63}),"
      + " got \"Bad\"", error(new JsonObject().put("publisher", new JsonObject()
      .put("contracts", new JsonArray().add("event").add("Bad")))));
    assertTrue(error(new JsonObject().put("publisher", new JsonObject().put("contracts", new JsonArray())))
      .startsWith("invalid config key 'publisher.contracts': must name at least one"));
    assertTrue(error(new JsonObject().put("contracts", "event")).startsWith("invalid config key 'contracts':"
      + " expected a JSON array"));
    assertTrue(error(new JsonObject().put("publisher", new JsonObject().put("maxContracts", 0)))
      .startsWith("invalid config key 'publisher.maxContracts': must be >= 1"));
  }

  @Test
  void optionsRoundTripThroughTheirJson() {
    BusConfig config = BusConfig.fromJson(new JsonObject().put("maxLen", 0)
      .put("consumers", new JsonArray().add(consumer("event", "g").put("instances", 3).put("startFrom", "$"))));

    assertEquals(config.publisher(), PublisherOptions.fromJson(config.publisher().toJson()));
    assertEquals(config.consumers().get(0), ConsumerOptions.fromJson(config.consumers().get(0).toJson()));
    assertNull(config.demo());
  }

  @Test
  void theDefaultHandlerTimeoutFitsInsideTheDefaultShutdown() {
    ConsumerOptions consumer = BusConfig.fromJson(new JsonObject()
      .put("consumers", new JsonArray().add(consumer("event", "g")))).consumers().get(0);

    assertEquals(20_000, ConsumerOptions.DEFAULT_HANDLER_TIMEOUT_MS);
    assertTrue(consumer.handlerTimeoutMs() < consumer.shutdownTimeoutMs(), consumer.toString());
    assertEquals(List.of(), consumer.warnings());
  }

  @Test
  void aHandlerTimeoutAtOrAboveTheShutdownTimeoutIsWarnedNotRefused() {
    for (long handlerTimeoutMs : new long[] {25_000, 40_000}) {
      ConsumerOptions consumer = BusConfig.fromJson(new JsonObject().put("shutdownTimeoutMs", 25_000)
        .put("consumers", new JsonArray().add(consumer("event", "g").put("handlerTimeoutMs", handlerTimeoutMs))))
        .consumers().get(0);

      assertEquals(handlerTimeoutMs, consumer.handlerTimeoutMs());
      assertEquals(1, consumer.warnings().size(), consumer.warnings().toString());
      assertTrue(consumer.warnings().get(0).contains("shutdownTimeoutMs 25000")
        && consumer.warnings().get(0).contains("may time out"), consumer.warnings().get(0));
    }
  }

  @Test
  void tlsChecksTheHostNameUnlessNetClientOptionsChooseOtherwise() {
    String url = "rediss://h:6380";
    assertEquals("HTTPS", RedisSettings.fromJson(new JsonObject().put("connectionString", url)).toOptions()
      .getNetClientOptions().getHostnameVerificationAlgorithm());
    for (String chosen : List.of("", "LDAPS", "HTTPS")) {
      JsonObject section = new JsonObject().put("connectionString", url)
        .put("netClientOptions", new JsonObject().put("hostnameVerificationAlgorithm", chosen).put("ssl", true));

      RedisOptions options = RedisSettings.fromJson(section).toOptions();

      assertEquals(chosen, options.getNetClientOptions().getHostnameVerificationAlgorithm());
      assertTrue(options.getNetClientOptions().isSsl());
    }
    String message = assertThrows(IllegalArgumentException.class, () -> RedisSettings.fromJson(new JsonObject()
      .put("netClientOptions", new JsonObject().put("hostnameVerificationAlgorithm", false)))).getMessage();
    assertTrue(message.contains("'redis.netClientOptions.hostnameVerificationAlgorithm'"), message);
  }

  @Test
  void redisKeysAreTheKeysOfTheClientOptionsJson() {
    RedisOptions everySet = new RedisOptions().setPassword("p").setUser("u").setMasterName("m").setPoolName("p")
      .setMetricsName("m").setEndpoints(List.of("redis://h:1"));

    for (String key : everySet.toJson().fieldNames()) {
      assertTrue(RedisSettings.KEYS.contains(key), key);
    }
  }
}
