/**
 * Stopping cleanly: {@link io.orion.bus.shutdown.ShutdownChain} runs the named steps of an undeploy in order
 * (a step that fails does not stop the next) under one timer ({@code shutdownTimeoutMs}, 25 s by default, within
 * Kubernetes's 30 s grace period); when the timer fires first, the steps added with {@code always} (closing
 * connections) still start. The result fails with a {@link io.orion.bus.shutdown.ShutdownException} that names
 * every failed or unfinished step. Start reading at {@code ShutdownChain.run}; its users are the {@code stop}
 * methods of the verticles.
 */
package io.orion.bus.shutdown;
