package io.orion.bus.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.orion.bus.config.HttpDeployment;
import io.orion.bus.config.HttpOptions;
import io.orion.bus.config.Names;
import io.orion.bus.publish.PublisherVerticle;
import io.orion.bus.shutdown.ShutdownChain;
import io.orion.bus.wire.StrictJson;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.orion.bus.ops.HttpAnswers.error;
import static io.orion.bus.ops.HttpAnswers.json;
import static io.orion.bus.ops.HttpAnswers.requestFailed;

/**
 * The operations HTTP server (vertx-web). Endpoints:
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process runs.</li>
 *   <li>{@code GET /health/ready}: 200 when Redis answers {@code PING} and every consumer deployment runs all its
 *   instances (from the bus status, {@code {adminAddress}.status}); 503 otherwise, with the reason in the failing
 *   check's {@code data.reason} (vertx-health-check's JSON: {@code {"status", "checks": [{"id", "status",
 *   "data"}]}}).</li>
 *   <li>{@code GET /metrics}: Prometheus text (see {@link BusMetrics}).</li>
 *   <li>{@code GET /streams}: {@code {"streams": [...]}}, one entry per configured stream (see
 *   {@link StreamInspector#describe}).</li>
 *   <li>{@code POST /publish/{contract}}: body a JSON object, sent to the publisher's address with header
 *   {@code contract}; each HTTP header {@code X-Orion-Meta-{name}: value} becomes metadata header {@code {name}}
 *   in lower case, its value read as UTF-8 (stored as {@code meta.{name}}; see {@link MetaHeaders}). 202
 *   {@code {"id": "..."}}; 400 for a body that is not a JSON object, a bad contract or metadata name (the
 *   publisher's message); 413 for a body over the limit; 503 when the publisher or Redis cannot take it.</li>
 *   <li>{@code POST /scale}: body {@code {"contract", "group", "instances"}}, sent to {@code {adminAddress}.scale};
 *   200 with its reply; its 400, 404 and 503 pass through.</li>
 * </ul>
 * Every state-changing request passes the {@link WriteGate} before its body is read: with {@code token} set it
 * requires {@code Authorization: Bearer <token>} (401 otherwise); without one only loopback clients may write
 * unless {@code allowAnonymousWrites} (403 otherwise); bodies must be {@code application/json} (415 otherwise).
 * With {@code tlsCertPath} and {@code tlsKeyPath} the server serves HTTPS only. Errors are
 * {@code {"error": "..."}}.
 * <p>
 * Config: an {@link HttpDeployment}, the {@link HttpOptions} keys plus what {@code BusVerticle} passes of the bus
 * ({@link HttpDeployment#BUS_KEYS}).
 */
public final class HttpVerticle extends VerticleBase {

  /** The HTTP header prefix of a metadata header: {@code X-Orion-Meta-Source: x} gives metadata {@code source}. */
  public static final String META_HEADER_PREFIX = "x-orion-meta-";
  /** The time one Redis command or status request of an endpoint has. The value is in milliseconds. */
  static final long REDIS_TIMEOUT_MS = 2_000;
  /** The time a readiness check has, above the commands it runs. The value is in milliseconds. */
  static final long CHECK_TIMEOUT_MS = 3 * REDIS_TIMEOUT_MS;

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);

  private HttpOptions options;
  private String publisherAddress;
  private String scaleAddress;
  private String statusAddress;
  private long shutdownTimeoutMs;
  private Redis redis;
  private StreamInspector inspector;
  private BusMetrics metrics;
  private BearerToken token;
  private HttpServer server;
  private long refreshTimer = -1;
  private boolean refreshing;

  @Override
  public Future<?> start() {
    HttpDeployment deployment = HttpDeployment.fromJson(config());
    options = deployment.http();
    // Before anything is opened: an unreadable certificate or key fails the deployment naming its key.
    HttpServerOptions serverOptions = options.serverOptions();
    publisherAddress = deployment.publisherAddress();
    scaleAddress = Names.scaleAddress(deployment.adminAddress());
    statusAddress = Names.statusAddress(deployment.adminAddress());
    shutdownTimeoutMs = deployment.shutdownTimeoutMs();
    long bodyLimit = options.bodyLimit(deployment.maxMessageBytes());
    redis = Redis.createClient(vertx, deployment.redis().toOptions());
    inspector = new StreamInspector(redis, REDIS_TIMEOUT_MS);
    PrometheusMeterRegistry registry = BusMetrics.prometheusRegistry();
    metrics = new BusMetrics(registry);
    token = options.token() == null ? null : new BearerToken(options.token());

    Router router = router(bodyLimit, registry);
    server = vertx.createHttpServer(serverOptions);
    return server.requestHandler(router).listen()
      .recover(e -> redis.close().transform(ar -> Future.failedFuture(new IllegalStateException(
        "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e))))
      .onSuccess(s -> {
        refreshGroups();
        refreshTimer = vertx.setPeriodic(options.metricsRefreshMs(), id -> refreshGroups());
        LOG.info("operations {} on {}:{} ({}; body limit {} bytes), Redis {}", options.tls() ? "HTTPS" : "HTTP",
          options.host(), s.actualPort(), token != null ? "writes require the bearer token"
            : options.allowAnonymousWrites() ? "writes open to every client, no token"
            : "writes from loopback clients only, no token", bodyLimit, deployment.redis().describe());
      });
  }

  @Override
  public Future<?> stop() {
    return ShutdownChain.of("http " + options.host() + ":" + options.port())
      .step("close the HTTP server", () -> {
        vertx.cancelTimer(refreshTimer);
        return server.close();
      })
      .always("close Redis connections", () -> redis.close())
      .run(vertx, shutdownTimeoutMs);
  }

  /** The port the server listens on (the free port taken when {@code port} is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private Router router(long bodyLimit, PrometheusMeterRegistry registry) {
    Router router = Router.router(vertx);
    router.route().failureHandler(HttpAnswers::failed);
    router.errorHandler(404, HttpAnswers::failed);
    router.errorHandler(405, HttpAnswers::failed);
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(new Readiness(vertx, inspector, this::status, CHECK_TIMEOUT_MS).handler());
    router.get("/metrics").handler(ctx -> {
      metrics.bindCounters();
      ctx.next();
    }).handler(PrometheusScrapingHandler.create(registry));
    router.get("/streams").handler(this::streams);
    // The gate is a route of its own, before the routes that buffer bodies (vertx-web refuses a body handler
    // after a plain handler of the same route): a refused client's body is never buffered. It matches every method
    // and path, so that it neither hides a 404 behind a 405 nor misses a write endpoint added later.
    WriteGate gate = new WriteGate(token, options.allowAnonymousWrites());
    router.route().handler(gate);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(bodyLimit);
    router.post("/publish/:contract").handler(body).handler(this::publish);
    router.post("/scale").handler(body).handler(this::scale);
    return router;
  }

  private void publish(RoutingContext ctx) {
    JsonObject body = jsonObjectBody(ctx);
    if (body == null) {
      return;
    }
    DeliveryOptions delivery = new DeliveryOptions()
      .addHeader(PublisherVerticle.CONTRACT_HEADER, ctx.pathParam("contract"));
    String notMeta = MetaHeaders.addTo(ctx.request().headers(), delivery);
    if (notMeta != null) {
      error(ctx, 400, notMeta);
      return;
    }
    vertx.eventBus().<String>request(publisherAddress, body, delivery)
      .onSuccess(reply -> json(ctx, 202, new JsonObject().put("id", reply.body())))
      .onFailure(e -> requestFailed(ctx, "publisher at '" + publisherAddress + "'", e));
  }

  private void scale(RoutingContext ctx) {
    JsonObject body = jsonObjectBody(ctx);
    if (body == null) {
      return;
    }
    // Scaling down drains the removed instances through their shutdown chains.
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(shutdownTimeoutMs + CHECK_TIMEOUT_MS);
    vertx.eventBus().<JsonObject>request(scaleAddress, body, delivery)
      .onSuccess(reply -> json(ctx, 200, reply.body()))
      .onFailure(e -> requestFailed(ctx, "scaling at '" + scaleAddress + "'", e));
  }

  private void streams(RoutingContext ctx) {
    status()
      .onFailure(e -> requestFailed(ctx, "bus status at '" + statusAddress + "'", e))
      .onSuccess(status -> {
        List<Future<JsonObject>> described = new ArrayList<>();
        streamsOf(status).forEach((stream, dead) -> described.add(inspector.describe(stream, dead)));
        Future.all(described)
          .onSuccess(all -> json(ctx, 200, new JsonObject().put("streams", new JsonArray(all.list()))))
          .onFailure(e -> error(ctx, 503, "cannot read the streams from Redis: " + e.getMessage()));
      });
  }

  /** Reads lag and pending of every group of the configured streams into the gauges; one run at a time. */
  private void refreshGroups() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    status()
      .compose(status -> {
        List<Future<?>> reads = new ArrayList<>();
        streamsOf(status).keySet().forEach(stream -> reads.add(inspector.groups(stream).onSuccess(groups ->
          groups.forEach(group -> metrics.recordGroup(stream, group.name(), group.lag(), group.pending())))));
        return Future.join(reads);
      })
      .onFailure(e -> LOG.debug("cannot refresh the group gauges: {}", e.getMessage()))
      .onComplete(ar -> refreshing = false);
  }

  /** The bus's status from {@code {adminAddress}.status}. */
  private Future<JsonObject> status() {
    return vertx.eventBus().<JsonObject>request(statusAddress, new JsonObject(),
      new DeliveryOptions().setSendTimeout(REDIS_TIMEOUT_MS)).map(Message::body);
  }

  /** The streams of the status's consumers, each with its dead-letter stream, in config order. */
  private static Map<String, String> streamsOf(JsonObject status) {
    Map<String, String> streams = new LinkedHashMap<>();
    for (Object entry : status.getJsonArray("consumers", new JsonArray())) {
      JsonObject consumer = (JsonObject) entry;
      streams.putIfAbsent(consumer.getString("stream"), consumer.getString("deadStream"));
    }
    return streams;
  }

  /** The body as a JSON object, or null after answering 400: strict UTF-8 and JSON (RFC 8259), as stored. */
  private static JsonObject jsonObjectBody(RoutingContext ctx) {
    try {
      String text = ctx.body().isEmpty() ? "" : StandardCharsets.UTF_8.newDecoder()
        .decode(ByteBuffer.wrap(ctx.body().buffer().getBytes())).toString();
      return StrictJson.parseObject(text, "body");
    } catch (CharacterCodingException e) {
      error(ctx, 400, "body is not valid UTF-8");
    } catch (StrictJson.Invalid e) {
      error(ctx, 400, e.getMessage());
    }
    return null;
  }
}
