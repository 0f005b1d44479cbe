/**
 * The config, plain data: {@link io.orion.bus.config.ConfigLoader#load} reads the deployment config or the file,
 * applies {@link io.orion.bus.config.EnvOverrides} ({@code ORION_*} variables; {@code Secrets} keeps secrets out of
 * errors), then {@link io.orion.bus.config.BusConfig#fromJson} validates it into records: {@code PublisherOptions},
 * {@code ConsumerOptions} (one per {@code consumers} entry, with the top level's keys inherited),
 * {@code HttpOptions} ({@code HttpDeployment} adds what the endpoints take of the publisher) and
 * {@code RedisSettings} (which makes the client's {@code RedisOptions}). {@code ConfigReader} reads and checks one
 * section's keys and names the key in every error; {@code Names} derives streams and addresses. This package
 * imports nothing of the bus's other packages.
 */
package io.orion.bus.config;
