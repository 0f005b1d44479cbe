package io.orion.bus.ops;

import io.netty.util.NetUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

import static io.orion.bus.ops.HttpAnswers.error;

/**
 * The guard of every state-changing request ({@link #WRITES}; any other passes), run before its body is read, so that a refused
 * client never has its body buffered:
 * <ol>
 *   <li>with a token, every client (loopback included) must send {@code Authorization: Bearer <token>}: 401
 *   otherwise;</li>
 *   <li>without one, only loopback clients may write, unless {@code allowAnonymousWrites}: 403 otherwise;</li>
 *   <li>a request with a body ({@code POST}, {@code PUT}, {@code PATCH}) must be {@code application/json}
 *   (UTF-8): 415 otherwise. A browser cannot send that cross-site without a CORS preflight, which this server
 *   never grants, so no web page can post a form to it.</li>
 * </ol>
 * A refused request whose body is still arriving is answered with {@code Connection: close} and its HTTP/1
 * connection is closed once the body ends or {@link #LINGER_MS} after the answer (its HTTP/2 stream is reset once
 * the answer is written): its body is never buffered and no more than that grace of it is read.
 */
final class WriteGate implements Handler<RoutingContext> {

  /** The methods that change state. */
  static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
    HttpMethod.DELETE);

  private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);
  private static final String JSON = "application/json";
  /** How long a refused HTTP/1 connection whose body is still arriving stays open. The value is in milliseconds. */
  static final long LINGER_MS = 5_000;

  private final BearerToken token;
  private final boolean anonymousWrites;

  /**
   * @param token           the configured token, or null for none
   * @param anonymousWrites without a token, whether clients other than loopback may write
   */
  WriteGate(BearerToken token, boolean anonymousWrites) {
    this.token = token;
    this.anonymousWrites = anonymousWrites;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!WRITES.contains(request.method())) {
      ctx.next();
    } else if (token != null && !token.matches(request.getHeader(HttpHeaders.AUTHORIZATION))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"orion-bus\"");
      refuse(ctx, 401, "this endpoint requires 'Authorization: Bearer <token>' with the configured token");
    } else if (token == null && !anonymousWrites && !isLoopback(request.remoteAddress())) {
      refuse(ctx, 403, "without a token, only loopback clients may call " + request.method() + " endpoints: set"
        + " http.token (and send 'Authorization: Bearer <token>') or http.allowAnonymousWrites: true");
    } else if (WITH_BODY.contains(request.method()) && !isJsonUtf8(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      refuse(ctx, 415, "the body must be sent as 'Content-Type: application/json' (UTF-8), got "
        + (request.getHeader(HttpHeaders.CONTENT_TYPE) == null ? "none"
        : "'" + request.getHeader(HttpHeaders.CONTENT_TYPE) + "'"));
    } else {
      ctx.next();
    }
  }

  /** Whether a client address is loopback ({@code 127.0.0.0/8}, {@code ::1}, or IPv4-mapped loopback). */
  static boolean isLoopback(SocketAddress address) {
    return address != null && address.isInetSocket() && isLoopback(address.hostAddress());
  }

  /** Whether an IP address literal is loopback; a host name (never resolved) or null is not. */
  static boolean isLoopback(String ipLiteral) {
    byte[] bytes = ipLiteral == null ? null : NetUtil.createByteArrayFromIpAddressString(ipLiteral);
    if (bytes == null) {
      return false;
    }
    try {
      // getByAddress turns an IPv4-mapped IPv6 address into its IPv4 address, whose loopback test then holds.
      return InetAddress.getByAddress(bytes).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Whether a {@code Content-Type} value is {@code application/json}, in any letter case, with any parameters as
   * long as a {@code charset} one is UTF-8 (JSON is UTF-8: the body is decoded so).
   */
  static boolean isJsonUtf8(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase(JSON)) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String[] parameter = parts[i].split("=", 2);
      if (parameter[0].trim().equalsIgnoreCase("charset")) {
        String charset = parameter.length < 2 ? "" : parameter[1].trim().replace("\"", "");
        if (!charset.toLowerCase(Locale.ROOT).equals("utf-8")) {
          return false;
        }
      }
    }
    return true;
  }

  private static void refuse(RoutingContext ctx, int status, String message) {
    HttpServerRequest request = ctx.request();
    boolean http1 = request.version() != HttpVersion.HTTP_2;
    if (http1 && !request.isEnded()) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    error(ctx, status, message).onComplete(written -> {
      if (request.isEnded()) {
        return;
      }
      if (!http1) {
        ctx.response().reset();
        return;
      }
      // Closing at once could reset the connection before the client has read the answer (TCP resets a socket
      // closed with unread input, and the client drops what it had not read): close when the body ends or after
      // a grace, as web servers do with a lingering close.
      HttpConnection connection = request.connection();
      long linger = ctx.vertx().setTimer(LINGER_MS, id -> connection.close());
      request.endHandler(end -> {
        ctx.vertx().cancelTimer(linger);
        connection.close();
      });
    });
  }
}
