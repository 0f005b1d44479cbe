/**
 * Operations: the launcher and the HTTP endpoints. {@link io.orion.bus.ops.OrionApplication#main} starts the jar
 * (config argument, metrics options, then {@code BusVerticle}). {@link io.orion.bus.ops.HttpVerticle} serves
 * {@code /health/live}, {@code /health/ready} ({@code Readiness}), {@code /streams} ({@code StreamInspector}:
 * XINFO through {@code redis.StreamCommands}), {@code /metrics} ({@code BusMetrics}, Prometheus), scaling and
 * {@code POST /publish/{contract}}; every write passes the {@code WriteGate} (token, loopback, content type) first
 * ({@code BearerToken} compares tokens in constant time), {@code MetaHeaders} maps metadata headers,
 * {@code HttpAnswers} writes the errors.
 */
package io.orion.bus.ops;
