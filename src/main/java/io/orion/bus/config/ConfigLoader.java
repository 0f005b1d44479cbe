package io.orion.bus.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code BusVerticle}'s config with Vert.x Config, lowest first: built-in defaults (in the options
 * records); {@code conf/config.json}, read only when the deployment config is empty ({@code java -jar}
 * without {@code -conf}); the deployment config; environment variables ({@link EnvOverrides}). The {@code ORION_*}
 * variables that name no config key are left alone, and named (never their values) in one log line.
 */
public final class ConfigLoader {

  /** The file read when the deployment gives no config. */
  public static final String DEFAULT_CONFIG_FILE = "conf/config.json";

  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  private ConfigLoader() {
  }

  /**
   * @param deploymentConfig the verticle's {@code config()}
   * @param env              the process environment ({@code System.getenv()}); only {@code ORION_*} is read
   */
  public static Future<JsonObject> load(Vertx vertx, JsonObject deploymentConfig, Map<String, String> env) {
    Set<String> ignored = EnvOverrides.ignored(env);
    if (!ignored.isEmpty()) {
      LOG.warn("ignoring {} environment variable(s) that name no config key: {}", ignored.size(),
        String.join(", ", ignored));
    }
    Map<String, String> overrides = EnvOverrides.select(env);
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0).setIncludeDefaultStores(false);
    if (deploymentConfig.isEmpty()) {
      // Optional only while absent: a file that is there but broken fails the start instead of being skipped,
      // which would run the bus on built-in defaults.
      boolean present = vertx.fileSystem().existsBlocking(DEFAULT_CONFIG_FILE);
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("json").setOptional(!present)
        .setConfig(new JsonObject().put("path", DEFAULT_CONFIG_FILE)));
    }
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(deploymentConfig.copy()));
    // Variables go in as one flat store, then move to their paths: the env store would merge every
    // variable of the process (PATH, HOME, ...) into the top level.
    options.addStore(new ConfigStoreOptions().setType("json")
      .setConfig(new JsonObject(new HashMap<>(overrides))));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    retriever.setConfigurationProcessor(merged -> {
      JsonObject config = merged.copy();
      overrides.keySet().forEach(config::remove);
      return EnvOverrides.apply(config, env);
    });
    return retriever.getConfig()
      // Not chained: a parser's message may quote the file, and so a password in it; only its masked form.
      .recover(e -> Future.failedFuture(new IllegalArgumentException("cannot read config: "
        + Secrets.maskText(e.getMessage()))))
      .eventually(() -> {
        retriever.close();
        return Future.succeededFuture();
      });
  }
}
