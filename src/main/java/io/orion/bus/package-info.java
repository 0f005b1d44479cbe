/**
 * orion-bus: Redis Streams consumer groups on the Vert.x event bus. Start reading at {@link io.orion.bus.BusVerticle}
 * (the one deployment most applications make): {@code start} loads and validates the config
 * ({@code config.ConfigLoader} → {@code config.BusConfig.fromJson}), deploys the publisher
 * ({@code publish.PublisherVerticle}), each consumer entry ({@link io.orion.bus.ConsumerDeployment} →
 * {@code consume.ConsumerVerticle} × instances), the admin addresses (scale, status), the operations endpoints
 * ({@code ops.HttpVerticle}) and the demo; {@code stop} undeploys them in the reverse order under one
 * {@code shutdown.ShutdownChain}. The launcher of the jar is {@code ops.OrionApplication}.
 */
package io.orion.bus;
