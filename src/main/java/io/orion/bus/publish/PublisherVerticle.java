package io.orion.bus.publish;

import io.orion.bus.config.Names;
import io.orion.bus.config.PublisherOptions;
import io.orion.bus.redis.RedisErrors;
import io.orion.bus.redis.RedisLink;
import io.orion.bus.redis.StreamCommands;
import io.orion.bus.shutdown.ShutdownChain;
import io.orion.bus.wire.StrictJson;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns requests on a local event-bus address (default {@code orion.publish}) into Redis Streams entries.
 * <p>
 * Request: body a {@link JsonObject}, the message; header {@code contract}, the contract type; every other
 * header is metadata (a header given several times keeps its first value; the names the bus sets on delivery,
 * {@code stream id group consumer deliveries}, are reserved in any letter case). The entry is
 * {@code XADD {prefix}:{contract}s MAXLEN ~ {maxLen} * data <json> meta.<name> <value> ...}.
 * <p>
 * Reply: the new entry's id as a String, sent once the entry is in Redis. Failures ({@code ReplyException}):
 * 400 for a body that is not a JSON object or has no JSON form (a number that is not finite, a value JSON cannot
 * hold), a missing or invalid contract, one not in {@code contracts}, a new one past {@code maxContracts}, a
 * reserved metadata name or data over {@code maxMessageBytes} (nothing is written); 500 should validation itself
 * fail (nothing is written); 503 when Redis is unreachable or does not answer within {@code publishTimeoutMs} (the
 * outcome is then unknown), when its node is no master now (READONLY, LOADING, MASTERDOWN: not written; the
 * connection is made again, so that a failover behind the same name is followed), when the requests waiting for
 * Redis already hold {@code maxQueuedBytes} of data (not written), and for requests that arrive once shutdown
 * began. A rejection counts under the contract's stream when the contract is valid and accepted, under
 * {@value PublisherCounters#NO_STREAM} otherwise.
 * <p>
 * Requests are pipelined on one connection of the instance's own, which comes back by itself after Redis
 * does. The verticle deploys whether or not Redis is reachable.
 */
public final class PublisherVerticle extends VerticleBase {

  /** The header that names the contract type. */
  public static final String CONTRACT_HEADER = "contract";
  /** The header names the bus sets on delivery, which a publish cannot use as metadata. */
  public static final Set<String> RESERVED_HEADERS = Set.of("stream", "id", "group", "consumer", "deliveries");
  /** Failure code of a request that can never succeed as it is. */
  public static final int BAD_REQUEST = 400;
  /** Failure code of a request the publisher failed to validate (a bug: nothing is written). */
  public static final int INTERNAL_ERROR = 500;
  /** Failure code of a request that Redis did not take (now). */
  public static final int UNAVAILABLE = 503;

  private static final Logger LOG = LoggerFactory.getLogger(PublisherVerticle.class);

  private PublisherOptions options;
  private Redis client;
  private RedisLink link;
  private MessageConsumer<Object> consumer;
  private boolean stopping;
  private int inFlight;
  /** The data bytes of the requests in flight: what waits for, or is in, a write to Redis. */
  private long queuedBytes;
  /** Whether the backlog was found full since it was last empty (warned once per episode). */
  private boolean backlogFull;
  private Promise<Void> drained;
  /** By contract: its stream and the stream's counters, found once instead of on every request. */
  private final Map<String, Target> targets = new HashMap<>();

  @Override
  public Future<?> start() {
    options = PublisherOptions.fromJson(config());
    client = Redis.createClient(vertx, options.redis().toOptions());
    link = new RedisLink(vertx, client, options.redis().toOptions(), "publisher " + options.address(),
      options.publishTimeoutMs());
    consumer = vertx.eventBus().localConsumer(options.address(), this::handle);
    // Connect early so the first publish does not pay for it; failure is fine (503 until Redis is back).
    link.connection().onFailure(e -> { });
    return consumer.completion()
      .onSuccess(v -> LOG.info("publisher on '{}' writes to Redis {} (maxLen {})", options.address(),
        options.redis().describe(), options.maxLen()));
  }

  @Override
  public Future<?> stop() {
    return ShutdownChain.of("publisher " + options.address())
      .step("stop intake", this::stopIntake)
      .step("finish in-flight publishes", this::drain)
      .always("close Redis connections", this::closeRedis)
      .run(vertx, options.shutdownTimeoutMs());
  }

  /** Where a contract's entries go, and their counters. */
  private record Target(String stream, PublisherCounters counters) {
  }

  /** A request that passed validation. */
  private record Publish(Target target, Buffer data, Map<String, String> meta) {
  }

  /** Why a request is refused with 400; nothing is written. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private void handle(Message<Object> message) {
    if (stopping) {
      PublisherCounters.of(PublisherCounters.NO_STREAM).unavailable.increment();
      message.fail(UNAVAILABLE, "publisher " + options.address() + " is shutting down");
      return;
    }
    Target target = null;
    Publish publish;
    try {
      target = target(message.headers().get(CONTRACT_HEADER));
      publish = validate(message, target);
    } catch (Refused e) {
      countRejected(target);
      message.fail(BAD_REQUEST, e.getMessage());
      return;
    } catch (RuntimeException e) {
      // A bug, not the caller's: still answer, or the caller waits for its send timeout.
      LOG.warn("publisher {} cannot validate a request", options.address(), e);
      countRejected(target);
      message.fail(INTERNAL_ERROR, "publisher " + options.address() + " cannot validate the request: " + e);
      return;
    }
    String stream = publish.target().stream();
    PublisherCounters counters = publish.target().counters();
    int bytes = publish.data().length();
    if (queuedBytes + bytes > options.maxQueuedBytes()) {
      refuseForBacklog(message, counters, stream);
      return;
    }
    queuedBytes += bytes;
    inFlight++;
    // A request that times out before it went out to Redis is taken back (never sent); after, its outcome is
    // unknown, as the contract says of a 503 on timeout. The XADDs of one event-loop pass go out in one write.
    link.sendBatched(stream, StreamCommands.xadd(stream, options.maxLen(), publish.data(), publish.meta()))
      .onComplete(ar -> {
        if (ar.succeeded()) {
          counters.published.increment();
          message.reply(ar.result().toString());
        } else {
          counters.unavailable.increment();
          LOG.debug("cannot XADD to {}: {}", stream, ar.cause().getMessage());
          message.fail(UNAVAILABLE, "cannot XADD to " + stream + ": " + ar.cause().getMessage()
            + (RedisErrors.isNotServing(ar.cause()) ? " (not written)" : ""));
        }
        queuedBytes -= bytes;
        if (queuedBytes == 0) {
          backlogFull = false;
        }
        if (--inFlight == 0 && drained != null) {
          drained.tryComplete();
        }
      });
  }

  /** Refuses a request that would take the data waiting for Redis past maxQueuedBytes; nothing is written. */
  private void refuseForBacklog(Message<Object> message, PublisherCounters counters, String stream) {
    counters.unavailable.increment();
    if (!backlogFull) {
      backlogFull = true;
      LOG.warn("publisher {}: backlog full ({} bytes wait for Redis, maxQueuedBytes {}; first refused: {}): refusing"
        + " publishes with 503 until Redis takes what waits", options.address(), queuedBytes, options.maxQueuedBytes(),
        stream);
    }
    message.fail(UNAVAILABLE, "publisher backlog full: " + queuedBytes + " bytes queued (maxQueuedBytes "
      + options.maxQueuedBytes() + "); not written");
  }

  /** A rejection counts under the contract's stream once the contract is known to be valid and accepted. */
  private static void countRejected(Target target) {
    (target == null ? PublisherCounters.of(PublisherCounters.NO_STREAM) : target.counters()).rejected.increment();
  }

  private Publish validate(Message<Object> message, Target target) throws Refused {
    if (!(message.body() instanceof JsonObject body)) {
      throw new Refused("body must be a JSON object, got "
        + (message.body() == null ? "null" : message.body().getClass().getSimpleName()));
    }
    MultiMap headers = message.headers();
    Map<String, String> meta = onlyContract(headers) ? Map.of() : meta(headers);
    Buffer data;
    try {
      data = StrictJson.encode(body, "message");
    } catch (StrictJson.Invalid e) {
      throw new Refused(e.getMessage());
    }
    if (data.length() > options.maxMessageBytes()) {
      throw new Refused("message data is " + data.length() + " bytes, over maxMessageBytes "
        + options.maxMessageBytes());
    }
    return new Publish(target, data, meta);
  }

  /** The target of a contract: refused unless valid, allowed by {@code contracts} and within {@code maxContracts}. */
  private Target target(String contract) throws Refused {
    if (contract == null) {
      throw new Refused("header 'contract' is required");
    }
    Target target = targets.get(contract);
    if (target != null) {
      return target;
    }
    if (!Names.isValidContract(contract)) {
      throw new Refused("invalid contract \"" + contract + "\": expected " + Names.CONTRACT.pattern());
    }
    if (options.contracts() != null && !options.contracts().contains(contract)) {
      throw new Refused("unknown contract \"" + contract + "\": not in publisher.contracts");
    }
    String stream = Names.stream(options.streamPrefix(), contract);
    // The allow-list bounds the contracts by itself; without it the cap does, for the whole process.
    int max = options.contracts() != null ? Integer.MAX_VALUE : options.maxContracts();
    PublisherCounters counters = PublisherCounters.admit(options.streamPrefix(), stream, max);
    if (counters == null) {
      if (PublisherCounters.firstRefusal(options.streamPrefix())) {
        LOG.warn("publisher {} refuses contract \"{}\" and every further new one: this process already writes"
          + " publisher.maxContracts ({}) contracts under prefix '{}'; list them in publisher.contracts or raise"
          + " publisher.maxContracts", options.address(), contract, max, options.streamPrefix());
      }
      throw new Refused("contract \"" + contract + "\" is over publisher.maxContracts: this process already"
        + " writes " + max + " contracts under prefix '" + options.streamPrefix() + "'");
    }
    // Bounded like the counters: only contracts admitted are kept.
    target = new Target(stream, counters);
    targets.put(contract, target);
    return target;
  }

  /** Whether the request has no header but the contract: no metadata to look at. */
  private static boolean onlyContract(MultiMap headers) {
    for (Map.Entry<String, String> header : headers) {
      if (!header.getKey().equalsIgnoreCase(CONTRACT_HEADER)) {
        return false;
      }
    }
    return true;
  }

  /** The metadata of a request: its headers but the contract. */
  private static Map<String, String> meta(MultiMap headers) throws Refused {
    // Event-bus headers are case-insensitive: the first spelling and the first value of a name win.
    Map<String, String> meta = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey();
      String key = name.toLowerCase(Locale.ROOT);
      if (key.equals(CONTRACT_HEADER) || !seen.add(key)) {
        continue;
      }
      if (RESERVED_HEADERS.contains(key)) {
        throw new Refused("header '" + name + "' is reserved for delivery and cannot be metadata");
      }
      meta.put(name, header.getValue());
    }
    return meta;
  }

  private Future<?> stopIntake() {
    stopping = true;
    return consumer.unregister();
  }

  private Future<?> drain() {
    if (inFlight == 0) {
      return Future.succeededFuture();
    }
    drained = Promise.promise();
    return drained.future();
  }

  private Future<?> closeRedis() {
    return link.close().eventually(() -> client.close());
  }
}
