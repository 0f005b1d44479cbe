/**
 * Redis for the bus: its connections, the stream commands it sends and how their replies and errors are read.
 * Start reading at {@link io.orion.bus.redis.RedisLink#send} → {@code RedisLink.drain} (pipeline admission,
 * one write per key for {@link io.orion.bus.redis.RedisLink#sendBatched}) → {@code LinkConnection} (connect,
 * backoff, drop); {@link io.orion.bus.redis.StreamCommands} builds the commands,
 * {@link io.orion.bus.redis.StreamReplies} parses their replies (RESP2 and RESP3), {@link
 * io.orion.bus.redis.RedisErrors} classifies failures.
 * <p>
 * Around {@code RedisLink}, package-private: {@code PassBatch} gathers the batched commands of one event-loop
 * pass by key, {@code BatchFailures} splits a failed write into each command's failure (the only reader of the
 * client's batch-error text), {@code DeadlineCheck} runs the periodic timeout check, and {@code ClientInternals}
 * is the only user of the client's {@code io.vertx.redis.client.impl} classes (error replies, closing a pooled
 * socket for real), pinned by {@code ClientInternalsTest}. This package knows nothing of the bus's config: a
 * {@code RedisLink} takes the client's own {@code RedisOptions} ({@code config.RedisSettings} makes them).
 */
package io.orion.bus.redis;
