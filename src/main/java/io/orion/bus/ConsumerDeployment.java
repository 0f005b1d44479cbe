package io.orion.bus;

import io.orion.bus.config.ConsumerOptions;
import io.orion.bus.consume.ConsumerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The consumer instances of one {@code consumers} entry, as Vert.x deployments of {@link ConsumerVerticle}.
 * It starts as one deployment with the entry's {@code instances}. Scaling up adds a deployment with the
 * instances wanted; scaling down undeploys the newest deployments, each instance draining through its
 * shutdown chain, and where only part of a deployment must go, first deploys a smaller one in its place.
 * Scaling requests run one after another. Accessed on the event loop of the {@link BusVerticle}.
 */
final class ConsumerDeployment {

  private static final Logger LOG = LoggerFactory.getLogger(ConsumerDeployment.class);

  private record Deployed(String id, int instances) {
  }

  private final Vertx vertx;
  private final ConsumerOptions options;
  private final Deque<Deployed> deployments = new ArrayDeque<>();
  private int target;
  private Future<?> last = Future.succeededFuture();

  ConsumerDeployment(Vertx vertx, ConsumerOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.target = options.instances();
  }

  ConsumerOptions options() {
    return options;
  }

  /** Deploys the entry's instances as one deployment. */
  Future<Void> start() {
    return deploy(options.instances());
  }

  /** The instances asked for. */
  int instances() {
    return target;
  }

  /** The instances deployed now. */
  int running() {
    return deployments.stream().mapToInt(Deployed::instances).sum();
  }

  /** Grows or shrinks to {@code instances}, after the scaling requests before it. */
  Future<Integer> scaleTo(int instances) {
    Future<Integer> result = last.transform(ignored -> {
      int running = running();
      target = instances;
      if (instances == running) {
        return Future.succeededFuture(instances);
      }
      LOG.info("{}/{}: scaling from {} to {} instances", options.stream(), options.group(), running, instances);
      Future<Void> change = instances > running ? deploy(instances - running) : shrink(running - instances);
      return change.map(instances);
    });
    last = result;
    return result;
  }

  private Future<Void> deploy(int instances) {
    JsonObject config = options.toJson().put("instances", instances);
    return vertx.deployVerticle(ConsumerVerticle.class,
        new DeploymentOptions().setConfig(config).setInstances(instances))
      .onSuccess(id -> deployments.addLast(new Deployed(id, instances)))
      .mapEmpty();
  }

  private Future<Void> shrink(int remove) {
    Deployed newest = deployments.peekLast();
    if (remove == 0 || newest == null) {
      return Future.succeededFuture();
    }
    if (newest.instances() <= remove) {
      deployments.removeLast();
      return undeploy(newest).compose(v -> shrink(remove - newest.instances()));
    }
    // Part of the newest deployment must go: its smaller replacement runs before it stops.
    return deploy(newest.instances() - remove).compose(v -> {
      deployments.remove(newest);
      return undeploy(newest);
    });
  }

  /** Undeploys one deployment; its instances drain through their chains. A failed drain is logged. */
  private Future<Void> undeploy(Deployed deployed) {
    return vertx.undeploy(deployed.id()).recover(e -> {
      LOG.warn("{}/{}: instances stopped with an error (what they did not acknowledge stays pending): {}",
        options.stream(), options.group(), e.getMessage());
      return Future.succeededFuture();
    });
  }
}
