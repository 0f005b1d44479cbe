package io.orion.bus.ops;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The answers of the operations endpoints: JSON bodies, and errors as {@code {"error": "..."}}. */
final class HttpAnswers {

  private static final Logger LOG = LoggerFactory.getLogger(HttpAnswers.class);
  private static final String JSON = "application/json";

  private HttpAnswers() {
  }

  /** Ends the response with {@code body}; the future completes once it is written. */
  static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
    return ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
  }

  static Future<Void> error(RoutingContext ctx, int status, String message) {
    return json(ctx, status, new JsonObject().put("error", message));
  }

  /**
   * A failed event-bus request: the failure code of a {@code ReplyException} from the handler passes through
   * (400, 404, 503, ...) with its message; no handler, a timeout or a closed bus are 503; anything else 500.
   *
   * @param target what the request went to, for messages (e.g. {@code publisher at 'orion.publish'})
   */
  static void requestFailed(RoutingContext ctx, String target, Throwable e) {
    if (e instanceof ReplyException reply) {
      int code = reply.failureCode();
      switch (reply.failureType()) {
        case RECIPIENT_FAILURE -> error(ctx, code >= 400 && code <= 599 ? code : 500, reply.getMessage());
        case NO_HANDLERS -> error(ctx, 503, target + " is not running");
        case TIMEOUT -> error(ctx, 503, target + " did not answer in time: " + reply.getMessage());
        default -> error(ctx, 503, target + ": " + reply.getMessage());
      }
      return;
    }
    LOG.warn("{} failed: {}", target, e.toString());
    error(ctx, 500, target + " failed: " + e.getMessage());
  }

  /** The JSON error answer of a route that failed ({@code ctx.fail}): 413 from the body limit, 500 for a throw. */
  static void failed(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
    String message = switch (status) {
      case 413 -> "request body too large";
      case 404 -> "no such endpoint: " + ctx.request().method() + " " + ctx.request().path();
      case 405 -> "method " + ctx.request().method() + " not allowed on " + ctx.request().path();
      default -> ctx.failure() != null && ctx.failure().getMessage() != null ? ctx.failure().getMessage()
        : "request failed";
    };
    if (status == 500 && ctx.failure() != null) {
      LOG.warn("{} {} failed: {}", ctx.request().method(), ctx.request().path(), ctx.failure().toString());
    }
    error(ctx, status, message);
  }
}
