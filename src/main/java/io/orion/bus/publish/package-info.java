/**
 * The publish path: a request on the publisher's event-bus address becomes one {@code XADD}. Start reading at
 * {@code PublisherVerticle.handle} → {@code target} (the contract header names the stream) → {@code validate}
 * (the body is one strict-JSON object within {@code maxMessageBytes}, metadata headers checked) →
 * {@code redis.RedisLink.sendBatched} ({@code redis.StreamCommands.xadd}, pipelined per stream) → the reply is the
 * entry id, or a failure code of the contract. {@link io.orion.bus.publish.PublisherCounters} counts what the
 * publisher decided, for metrics; {@code PublisherVerticle.stop} stops taking requests, drains what was sent and
 * closes Redis.
 */
package io.orion.bus.publish;
