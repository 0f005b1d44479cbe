/**
 * The demo of {@code conf/demo.json}: with {@code demo.embeddedRedis} true, {@link io.orion.bus.demo.EmbeddedRedis}
 * runs the redis-server bundled in the jar on a free loopback port (nothing on disk); with
 * {@code demo.publishIntervalMs}, {@link io.orion.bus.demo.DemoVerticle} publishes an entry at that interval and
 * handles the consumers' addresses, so that the jar shows the whole path with nothing else installed.
 */
package io.orion.bus.demo;
