package io.orion.bus.redis;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.length;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orion.bus.config.RedisSettings;
import io.orion.bus.support.TestRedis;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batched sends on a {@link RedisLink}: the commands of one event-loop pass on one key go out in one write, a
 * command that fails fails alone and says what became of the others of its write, a key never fails another's
 * commands, a small pipeline is respected, and a close fails what was not sent; a connection that went silent,
 * or whose server turned into a replica, is closed, never leased again from the client's pool. On a Redis of the
 * test's own, so
 * that its read counter counts only this test's writes.
 */
@ExtendWith(VertxExtension.class)
class RedisLinkTest {

  private TestRedis redis;
  private Redis client;
  private Context context;
  private RedisLink link;

  @BeforeEach
  void setUp(Vertx vertx) {
    redis = TestRedis.startOwn();
    client = Redis.createClient(vertx, redis.url());
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown(Vertx vertx) {
    try {
      await(vertx.close());
    } finally {
      redis.close();
    }
  }

  @Test
  void commandsOnOneKeyInOnePassGoOutInOneWrite(Vertx vertx) {
    String stream = fresh("batched");
    link(vertx, new JsonObject());
    await(onContext(v -> link.send(Request.cmd(Command.PING))));
    long readsBefore = readsProcessed();

    List<Response> ids = await(onContext(v -> Future.all(xadds(stream, 100)).map(all -> all.<Response>list())));

    long reads = readsProcessed() - readsBefore;
    // One read for the write of 100 commands, one for the INFO that counts (the same test without batching
    // takes one read per command on an idle server).
    assertTrue(reads <= 3, "Redis processed " + reads + " reads for one batch of 100 commands");
    assertEquals(100, ids.size());
    assertEquals(100, length(client, stream));
    List<String> inStream = cmd(client, "XRANGE", stream, "-", "+").stream().map(e -> e.get(0).toString()).toList();
    assertEquals(ids.stream().map(Response::toString).toList(), inStream, "ids in the order of the sends");
  }

  @Test
  void aFailedCommandFailsAloneAndTheOthersOfItsWriteAreTakenAndSaySo(Vertx vertx) {
    String stream = fresh("partial");
    link(vertx, new JsonObject());

    List<Future<Response>> sends = await(onContext(v -> Future.succeededFuture(List.of(
      link.sendBatched(stream, Request.cmd(Command.XADD).arg(stream).arg("*").arg("n").arg(1)),
      link.sendBatched(stream, Request.cmd(Command.XADD).arg(stream).arg("0-0").arg("n").arg(2)),
      link.sendBatched(stream, Request.cmd(Command.XADD).arg(stream).arg("*").arg("n").arg(3))))));

    Throwable invalid = awaitFailure(sends.get(1));
    ErrorType reply = assertInstanceOf(ErrorType.class, invalid);
    assertTrue(reply.is("ERR") && reply.getMessage().contains("The ID specified in XADD"), reply.getMessage());
    for (int i : new int[] {0, 2}) {
      Throwable lost = awaitFailure(sends.get(i));
      assertInstanceOf(IllegalStateException.class, lost);
      assertTrue(lost.getMessage().contains("Redis took the command, but its reply was lost"), lost.getMessage());
    }
    assertEquals(List.of("1", "3"), cmd(client, "XRANGE", stream, "-", "+").stream()
      .map(e -> e.get(1).get(1).toString()).toList(), "the commands around the failed one were written");
  }

  @Test
  void aKeyOfTheWrongTypeFailsOnlyItsOwnCommands(Vertx vertx) {
    String stream = fresh("good");
    String wrong = fresh("wrong");
    cmd(client, "SET", wrong, "not a stream");
    link(vertx, new JsonObject());

    List<List<Future<Response>>> sends = await(onContext(v -> {
      List<Future<Response>> good = new ArrayList<>();
      List<Future<Response>> bad = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        // Interleaved, in one pass: each key's commands go in a write of their own.
        good.add(link.sendBatched(stream, xadd(stream, i)));
        bad.add(link.sendBatched(wrong, xadd(wrong, i)));
      }
      return Future.succeededFuture(List.of(good, bad));
    }));

    sends.get(0).forEach(send -> assertTrue(await(send).toString().contains("-")));
    for (Future<Response> send : sends.get(1)) {
      ErrorType reply = assertInstanceOf(ErrorType.class, awaitFailure(send));
      assertTrue(reply.is("WRONGTYPE"), reply.getMessage());
    }
    assertEquals(5, length(client, stream));
  }

  @Test
  void aBatchNeverOverfillsASmallPipeline(Vertx vertx) {
    String stream = fresh("small");
    link(vertx, new JsonObject().put("maxWaitingHandlers", 8));

    List<Response> ids = await(onContext(v -> Future.all(xadds(stream, 500)).map(all -> all.<Response>list())));

    assertEquals(500, ids.stream().distinct().count());
    assertEquals(500, length(client, stream));
  }

  @Test
  void closeFailsTheCommandsOfThePassThatDidNotGoOut(Vertx vertx) {
    String stream = fresh("closed");
    link(vertx, new JsonObject());

    List<Future<Response>> sends = await(onContext(v -> {
      List<Future<Response>> all = xadds(stream, 10);
      link.close();
      all.add(link.sendBatched(stream, xadd(stream, 10)));
      return Future.succeededFuture(all);
    }));

    for (Future<Response> send : sends) {
      Throwable failure = awaitFailure(send);
      assertInstanceOf(RedisUnavailableException.class, failure);
      assertTrue(failure.getMessage().contains("connection closed"), failure.getMessage());
    }
    assertEquals(0, length(client, stream));
  }

  @Test
  void batchedCommandsFailWhenRedisIsUnreachable(Vertx vertx) {
    String stream = fresh("down");
    link(vertx, new JsonObject());
    redis.stop();

    List<Future<Response>> sends = await(onContext(v -> Future.succeededFuture(xadds(stream, 10))));

    Throwable first = awaitFailure(sends.get(0));
    for (Future<Response> send : sends) {
      assertEquals(first, awaitFailure(send), "the commands waiting for the connection fail with its failure");
    }
    redis.start();
    until("the link connects again", () -> onContext(v -> Future.all(xadds(stream, 10)))
      .toCompletionStage().toCompletableFuture().handle((ok, e) -> e == null).join());
    assertEquals(10, length(client, stream));
  }

  @Test
  void aConnectionSilentPastTheTimeoutIsClosedAndNotUsedAgain(Vertx vertx) {
    link(vertx, new JsonObject(), 300);
    long first = await(onContext(v -> link.send(Request.cmd(Command.CLIENT).arg("ID")))).toLong();
    redis.cli("CLIENT", "PAUSE", "1500", "ALL");

    Throwable silent = awaitFailure(onContext(v -> link.send(Request.cmd(Command.PING))));
    assertInstanceOf(TimeoutException.class, silent);

    // Once Redis answers again, the link works on a new connection, and the silent one is gone.
    long second = await(onContext(v -> link.send(Request.cmd(Command.CLIENT).arg("ID"), 10_000))).toLong();
    assertNotEquals(first, second, "the silent connection was used again");
    assertFalse(cmd(client, "CLIENT", "LIST").toString().contains("id=" + first + " "),
      "the silent connection is still open");
  }

  @ParameterizedTest(name = "replica-serve-stale-data {0}: {1}, batched {2}")
  @CsvSource({"yes, READONLY, true", "yes, READONLY, false", "no, MASTERDOWN, true", "no, MASTERDOWN, false"})
  void aConnectionWhoseServerTurnedIntoAReplicaIsClosedAndTheNextCommandConnectsAgain(String serveStale,
                                                                                      String code, boolean batched,
                                                                                      Vertx vertx) throws IOException {
    String stream = fresh("demoted");
    link(vertx, new JsonObject());
    long first = await(onContext(v -> link.send(Request.cmd(Command.CLIENT).arg("ID")))).toLong();
    redis.cli("CONFIG", "SET", "replica-serve-stale-data", serveStale);
    // A replica of a master that is not there: it stays a replica whose link is down.
    redis.cli("REPLICAOF", "127.0.0.1", String.valueOf(closedPort()));

    // A replica refuses writes (READONLY) before it looks at its master link: MASTERDOWN is what reads get.
    Request command = code.equals("READONLY") ? xadd(stream, 1) : Request.cmd(Command.XLEN).arg(stream);
    Throwable refused = awaitFailure(onContext(v -> batched ? link.sendBatched(stream, command) : link.send(command)));

    assertTrue(assertInstanceOf(ErrorType.class, refused).is(code), refused.getMessage());
    until("the connection that got " + code + " is closed",
      () -> !redis.cli("CLIENT", "LIST").contains("id=" + first + " "));
    redis.cli("REPLICAOF", "NO", "ONE");
    long[] second = {-1};
    until("the link writes again, on a new connection", () -> {
      Response id = await(onContext(v -> link.send(Request.cmd(Command.CLIENT).arg("ID"))
        .compose(reply -> link.send(xadd(stream, 2)).map(written -> reply))
        .recover(e -> Future.succeededFuture(null))));
      second[0] = id == null ? -1 : id.toLong();
      return id != null;
    });
    assertNotEquals(first, second[0], "the connection that got " + code + " was used again");
    assertEquals(1, length(client, stream), "only the write after the promotion is in the stream");
  }

  /** The link under test, made on the test's context with {@code redis} options over the test's Redis. */
  private void link(Vertx vertx, JsonObject redisOptions) {
    link(vertx, redisOptions, 5_000);
  }

  private void link(Vertx vertx, JsonObject redisOptions, long timeoutMs) {
    RedisSettings settings = RedisSettings.fromJson(redisOptions.copy().put("connectionString", redis.url()));
    Redis linkClient = Redis.createClient(vertx, settings.toOptions());
    link = await(onContext(v -> Future.succeededFuture(
      new RedisLink(vertx, linkClient, settings.toOptions(), "test link", timeoutMs))));
  }

  /** {@code n} batched XADDs to {@code stream}, sent now; the caller is on the link's context. */
  private List<Future<Response>> xadds(String stream, int n) {
    List<Future<Response>> sends = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sends.add(link.sendBatched(stream, xadd(stream, i)));
    }
    return sends;
  }

  private static Request xadd(String stream, int n) {
    return StreamCommands.xadd(stream, 0, Buffer.buffer("{\"n\":" + n + "}"), Map.of());
  }

  /** Runs {@code action} on the test's context, as a verticle's code runs on its own. */
  private <T> Future<T> onContext(Function<Void, Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.apply(null).onComplete(result));
    return result.future();
  }

  /** A loopback port where nothing listens. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private long readsProcessed() {
    String info = cmd(client, "INFO", "stats").toString();
    return info.lines().filter(line -> line.startsWith("total_reads_processed:"))
      .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).trim())).findFirst().orElseThrow();
  }
}
