package io.orion.bus.redis;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.awaitFailure;
import static io.orion.bus.support.BusTesting.cmd;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orion.bus.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the bus takes from the Redis client's {@code impl} classes ({@link ClientInternals}) and from the text of
 * its batch failures ({@link BatchFailures}), against the real client and a real Redis: when a new client
 * changes any of it, these fail, not the bus in production.
 */
@ExtendWith(VertxExtension.class)
class ClientInternalsTest {

  private Redis client;
  private Redis probe;

  @BeforeEach
  void setUp(Vertx vertx) {
    TestRedis redis = TestRedis.shared();
    client = Redis.createClient(vertx, redis.url());
    probe = Redis.createClient(vertx, redis.url());
  }

  @AfterEach
  void tearDown() {
    client.close();
    probe.close();
  }

  @Test
  void aPooledStandaloneConnectionIsClosedForRealAndNeverLeasedAgain() {
    RedisConnection c = await(client.connect());
    long id = await(c.send(Request.cmd(Command.CLIENT).arg("ID"))).toLong();
    AtomicBoolean ended = new AtomicBoolean();
    c.endHandler(v -> ended.set(true));

    assertTrue(ClientInternals.forceClose(c), "the socket of a pooled standalone connection is reachable");

    until("the connection ends", ended::get);
    until("Redis drops client " + id, () -> !cmd(probe, "CLIENT", "LIST").toString().contains("id=" + id + " "));
    RedisConnection next = await(client.connect());
    assertNotEquals(id, await(next.send(Request.cmd(Command.CLIENT).arg("ID"))).toLong(), "a new socket");
    next.close();
  }

  @Test
  void anErrorReplyOfTheServerIsRecognisedWithItsCode() {
    String key = fresh("internals-hash");
    cmd(probe, "HSET", key, "f", "v");

    Throwable failure = awaitFailure(client.send(Request.cmd(Command.XADD).arg(key).arg("*").arg("n").arg(1)));

    assertTrue(ClientInternals.isErrorReply(failure), failure.toString());
    assertTrue(ClientInternals.hasCode(failure, "WRONGTYPE"), failure.getMessage());
    assertFalse(ClientInternals.hasCode(failure, "NOGROUP"), failure.getMessage());
    assertTrue(RedisErrors.isServerError(failure), failure.getMessage());
    cmd(probe, "DEL", key);
  }

  @Test
  void aMadeErrorReplyReadsAsTheServerSentIt() {
    Throwable reply = ClientInternals.errorReply("NOGROUP No such key 's' or consumer group 'g'");

    assertTrue(ClientInternals.isErrorReply(reply));
    assertTrue(ClientInternals.hasCode(reply, "NOGROUP"));
    assertEquals("NOGROUP No such key 's' or consumer group 'g'", reply.getMessage());
  }

  @Test
  void aFailedConnectIsNoErrorReply(Vertx vertx) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Redis nowhere = Redis.createClient(vertx, "redis://127.0.0.1:" + port);

    Throwable failure = awaitFailure(nowhere.connect());

    assertFalse(ClientInternals.isErrorReply(failure), failure.toString());
    nowhere.close();
  }

  @Test
  void aFailedBatchNamesItsFailedCommandByIndexAndTheOthersSayTheirReplyWasLost() {
    String stream = fresh("internals-stream");
    String hash = fresh("internals-hash");
    cmd(probe, "HSET", hash, "f", "v");
    RedisConnection c = await(client.connect());

    Throwable failure = awaitFailure(c.batch(List.of(
      Request.cmd(Command.XADD).arg(stream).arg("*").arg("n").arg(1),
      Request.cmd(Command.XADD).arg(hash).arg("*").arg("n").arg(2))));
    Throwable[] causes = BatchFailures.split("test", failure, 2);

    assertInstanceOf(IllegalStateException.class, causes[0], failure.getMessage());
    assertTrue(ClientInternals.hasCode(causes[1], "WRONGTYPE"), failure.getMessage());
    assertEquals(1, cmd(probe, "XLEN", stream).toLong(), "the first command was taken");
    c.close();
    cmd(probe, "DEL", stream, hash);
  }
}
