package io.orion.bus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole config of a {@code BusVerticle}, validated. Top-level keys are defaults for every section: any
 * key of {@code publisher} or of a {@code consumers} entry may stand at the top level, and a section's own
 * value wins. The keys that name a section's identity ({@code address}, {@code contract}, {@code group},
 * {@code consumer}, {@code instances}) are not inherited.
 *
 * @param publisher the publisher's options
 * @param consumers one entry per consumer deployment
 * @param demo         the {@code demo} section (bundled Redis and a demo publisher and handler), or null
 * @param http         the {@code http} section (operations endpoints)
 * @param adminAddress the prefix of the admin addresses ({@code .scale}, {@code .status}). By default
 *                     {@code orion.admin}.
 */
public record BusConfig(PublisherOptions publisher, List<ConsumerOptions> consumers, JsonObject demo,
                        HttpOptions http, String adminAddress) {

  public static final String DEFAULT_ADMIN_ADDRESS = "orion.admin";

  /** The keys that name a section and so never stand at the top level. */
  static final Set<String> IDENTITY = Set.of("address", "contract", "group", "consumer", "instances");

  private static final Set<String> SECTIONS = Set.of("publisher", "consumers", "demo", "http", "adminAddress");

  /** The keys the top level takes: the sections, and the keys a section may inherit. */
  static final Set<String> KEYS = topLevelKeys();

  public BusConfig {
    consumers = List.copyOf(consumers);
  }

  /**
   * Validates a merged config.
   *
   * @throws IllegalArgumentException whose message names the key that is wrong
   */
  public static BusConfig fromJson(JsonObject root) {
    ConfigReader in = new ConfigReader(root, "");
    for (String key : IDENTITY) {
      if (root.containsKey(key)) {
        throw in.invalid(key, "names a section, so it is not inherited: set it in 'publisher' or in a"
          + " 'consumers' entry");
      }
    }
    in.rejectUnknown(KEYS);

    JsonObject publisherSection = in.object("publisher");
    PublisherOptions publisher = PublisherOptions.fromJson(inherit(root, PublisherOptions.INHERITED,
      publisherSection), "publisher.", fromTop(root, PublisherOptions.INHERITED, publisherSection));

    List<ConsumerOptions> consumers = new ArrayList<>();
    Set<String> pairs = new HashSet<>();
    JsonArray entries = in.array("consumers");
    for (int i = 0; i < entries.size(); i++) {
      String where = "consumers[" + i + "].";
      if (!(entries.getValue(i) instanceof JsonObject entry)) {
        throw new IllegalArgumentException("invalid config key 'consumers[" + i + "]': expected a JSON object");
      }
      ConsumerOptions consumer = ConsumerOptions.fromJson(inherit(root, ConsumerOptions.INHERITED, entry), where,
        fromTop(root, ConsumerOptions.INHERITED, entry));
      if (!pairs.add(consumer.contract() + "\n" + consumer.group())) {
        throw new IllegalArgumentException("invalid config key '" + where + "group': contract '"
          + consumer.contract() + "' with group " + Secrets.describe(consumer.group())
          + " appears more than once in consumers");
      }
      consumers.add(consumer);
    }
    return new BusConfig(publisher, consumers, in.object("demo"), HttpOptions.fromJson(in.object("http")),
      in.string("adminAddress", DEFAULT_ADMIN_ADDRESS));
  }

  private static Set<String> topLevelKeys() {
    Set<String> keys = new HashSet<>(SECTIONS);
    keys.addAll(PublisherOptions.INHERITED);
    keys.addAll(ConsumerOptions.INHERITED);
    return Set.copyOf(keys);
  }

  /** The keys a section takes from the top level: errors in their values name the top-level key. */
  private static Set<String> fromTop(JsonObject root, Set<String> inherited, JsonObject section) {
    Set<String> keys = new HashSet<>();
    for (String key : inherited) {
      if (root.containsKey(key) && (section == null || !section.containsKey(key))) {
        keys.add(key);
      }
    }
    return keys;
  }

  /** The top level's inheritable keys, overlaid with the section's own. */
  private static JsonObject inherit(JsonObject root, Set<String> inherited, JsonObject section) {
    JsonObject result = new JsonObject();
    for (String key : inherited) {
      if (root.containsKey(key)) {
        result.put(key, root.getValue(key));
      }
    }
    if (section != null) {
      result.mergeIn(section);
    }
    return result;
  }

  /** The config of the operations endpoints: the {@code http} section and what they take of the publisher. */
  public HttpDeployment httpDeployment() {
    return HttpDeployment.of(this);
  }
}
