package io.orion.bus.support;

import static io.orion.bus.support.BusTesting.await;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One address whose target can move, as a DNS name or a cloud endpoint does: a TCP forwarder on a free
 * loopback port that connects each NEW connection to the current target port and copies bytes both ways.
 * {@link #target(int)} affects only connections made after it; existing ones stay on their node until one
 * side closes. {@link #hold()} stops forwarding what clients send (a server that accepts and never
 * answers) until {@link #release()}, which forwards everything held, in order.
 *
 * <p>Its state lives on one event loop; the methods are called from the test thread and wait. It is closed
 * with its Vert.x.
 */
public final class TcpForwarder {

  private static final String LOOPBACK = "127.0.0.1";

  private final Context context;
  private final NetClient client;
  private NetServer server;
  /** Accessed on {@link #context}. */
  private final Set<NetSocket> clients = new HashSet<>();
  private int targetPort;
  private boolean held;

  private TcpForwarder(Vertx vertx, int targetPort) {
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createNetClient();
    this.targetPort = targetPort;
  }

  /** Starts a forwarder to {@code targetPort} on loopback. */
  public static TcpForwarder start(Vertx vertx, int targetPort) {
    TcpForwarder forwarder = new TcpForwarder(vertx, targetPort);
    forwarder.server = forwarder.on(() -> vertx.createNetServer(new NetServerOptions().setHost(LOOPBACK).setPort(0))
      .connectHandler(forwarder::accept).listen());
    return forwarder;
  }

  /** The URL a Redis client connects with, {@code redis://127.0.0.1:PORT}. */
  public String url() {
    return "redis://" + LOOPBACK + ":" + server.actualPort();
  }

  /** Sends the connections made from now on to {@code port}; existing ones stay where they are. */
  public void target(int port) {
    on(() -> {
      targetPort = port;
      return Future.succeededFuture();
    });
  }

  /** Stops forwarding what clients send, on every connection, existing and new. */
  public void hold() {
    on(() -> {
      held = true;
      clients.forEach(NetSocket::pause);
      return Future.succeededFuture();
    });
  }

  /** Forwards again, what was held first. */
  public void release() {
    on(() -> {
      held = false;
      clients.forEach(NetSocket::resume);
      return Future.succeededFuture();
    });
  }

  private void accept(NetSocket socket) {
    socket.pause();
    clients.add(socket);
    client.connect(targetPort, LOOPBACK).onComplete(ar -> {
      if (ar.failed()) {
        clients.remove(socket);
        socket.close();
        return;
      }
      NetSocket upstream = ar.result();
      socket.handler(upstream::write);
      upstream.handler(socket::write);
      socket.closeHandler(v -> {
        clients.remove(socket);
        upstream.close();
      });
      upstream.closeHandler(v -> socket.close());
      if (!held) {
        socket.resume();
      }
    });
  }

  /** Runs {@code action} on the forwarder's event loop and waits for its result. */
  private <T> T on(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return await(result.future());
  }
}
