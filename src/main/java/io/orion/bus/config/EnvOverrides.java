package io.orion.bus.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Environment variables that override config keys. A variable {@code ORION_} + path overrides the key at
 * that path: path segments are separated by a double underscore, each is the key in upper snake case or an
 * array index. For example {@code ORION_MAX_LEN=5000} sets {@code maxLen},
 * {@code ORION_REDIS__CONNECTION_STRING=redis://redis:6379} sets {@code redis.connectionString},
 * {@code ORION_CONSUMERS__0__INSTANCES=4} sets {@code consumers[0].instances}, and
 * {@code ORION_CONSUMERS='[{"contract":"event","group":"g"}]'} replaces the whole list. Values are JSON
 * where they parse as a number, a boolean, an object or an array, and strings otherwise; the keys that are
 * strings by contract ({@code startFrom}, {@code group}, {@code password}, ...) always stay strings.
 * <p>
 * Only a variable whose path names a key the config takes applies: each segment is, exactly, the upper snake
 * case of a key of its section (the top level's keys, {@code publisher}'s, a {@code consumers} entry's,
 * {@code http}'s, and in {@code redis} those of the client's {@code RedisOptions}), or an index 0 to
 * {@value #MAX_INDEX} in a list. Below {@code redis.netClientOptions} and {@code demo}, whose keys the bus does
 * not define, any segments apply. Every other {@code ORION_*} variable is left alone ({@link #ignored}): the
 * process environment holds variables of other tools that share the prefix, such as those Kubernetes gives
 * every pod for a Service named {@code orion} ({@code ORION_PORT=tcp://10.0.0.7:8080},
 * {@code ORION_SERVICE_HOST}, ...).
 */
public final class EnvOverrides {

  /** The prefix of every variable that overrides a key. */
  public static final String PREFIX = "ORION_";
  /** The largest list index a variable may name (a larger one would make as many empty entries). */
  public static final int MAX_INDEX = 999;

  /**
   * Variables of the bus's own that name no config key: the Docker image's entry point reads {@code ORION_CONF}
   * (the config file) itself. Neither applied nor reported as ignored.
   */
  public static final Set<String> LAUNCHER_VARIABLES = Set.of("ORION_CONF");

  private static final String SEPARATOR = "__";
  private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]{0,2}");
  private static final Pattern UPPER_SNAKE = Pattern.compile("[A-Z0-9]+(_[A-Z0-9]+)*");

  private static final Set<String> STRING_KEYS = Set.of("streamPrefix", "address", "contract", "group", "consumer",
    "startFrom", "connectionString", "password", "user", "masterName", "poolName", "metricsName", "token", "host",
    "adminAddress");

  /** What a path may name. */
  private sealed interface Shape permits Value, Section, ListOf, Open {
  }

  /** A value: nothing below it. */
  private record Value() implements Shape {
  }

  /** An object whose keys the bus knows, by their variable segment ({@code MAX_LEN} for {@code maxLen}). */
  private record Section(Map<String, String> keyBySegment, Map<String, Shape> below) implements Shape {
    static Section of(Set<String> keys, Map<String, Shape> objects) {
      Map<String, String> keyBySegment = new HashMap<>();
      Map<String, Shape> below = new HashMap<>();
      for (String key : keys) {
        keyBySegment.put(segment(key), key);
        below.put(key, objects.getOrDefault(key, VALUE));
      }
      return new Section(keyBySegment, below);
    }
  }

  /** A list of entries of one shape. */
  private record ListOf(Shape entry) implements Shape {
  }

  /** An object whose keys the bus does not define (it hands them to a library, or reads them loosely). */
  private record Open() implements Shape {
  }

  private static final Shape VALUE = new Value();
  private static final Shape OPEN = new Open();
  private static final Shape REDIS = Section.of(RedisSettings.KEYS,
    Map.of("netClientOptions", OPEN, "endpoints", new ListOf(VALUE)));
  private static final Shape ROOT = Section.of(BusConfig.KEYS, Map.of(
    "redis", REDIS,
    "publisher", Section.of(PublisherOptions.KEYS, Map.of("redis", REDIS)),
    "consumers", new ListOf(Section.of(ConsumerOptions.KEYS, Map.of("redis", REDIS))),
    "http", Section.of(HttpOptions.KEYS, Map.of()),
    "demo", OPEN));

  private EnvOverrides() {
  }

  /** The variables of {@code env} that name a config key, by name. */
  public static Map<String, String> select(Map<String, String> env) {
    Map<String, String> result = new TreeMap<>();
    env.forEach((name, value) -> {
      if (path(name) != null) {
        result.put(name, value);
      }
    });
    return result;
  }

  /** The names of the {@code ORION_*} variables of {@code env} that name no config key: they are left alone. */
  public static SortedSet<String> ignored(Map<String, String> env) {
    SortedSet<String> result = new TreeSet<>();
    for (String name : env.keySet()) {
      if (name.startsWith(PREFIX) && !LAUNCHER_VARIABLES.contains(name) && path(name) == null) {
        result.add(name);
      }
    }
    return result;
  }

  /** Applies every variable of {@code env} that names a config key to {@code config}, in name order. */
  public static JsonObject apply(JsonObject config, Map<String, String> env) {
    select(env).forEach((name, value) -> set(config, path(name), value));
    return config;
  }

  /**
   * The path a variable names, each element a key ({@code String}) or a list index ({@code Integer}); null when
   * it names no key the config takes.
   */
  static List<Object> path(String variable) {
    if (!variable.startsWith(PREFIX) || variable.length() == PREFIX.length()) {
      return null;
    }
    List<Object> path = new ArrayList<>();
    Shape shape = ROOT;
    // -1 keeps empty segments (ORION_MAX_LEN__), which name nothing.
    for (String segment : variable.substring(PREFIX.length()).split(SEPARATOR, -1)) {
      if (shape instanceof Section section && section.keyBySegment().containsKey(segment)) {
        String key = section.keyBySegment().get(segment);
        path.add(key);
        shape = section.below().get(key);
      } else if (shape instanceof ListOf list && INDEX.matcher(segment).matches()) {
        path.add(Integer.parseInt(segment));
        shape = list.entry();
      } else if (shape instanceof Open && INDEX.matcher(segment).matches()) {
        path.add(Integer.parseInt(segment));
      } else if (shape instanceof Open && UPPER_SNAKE.matcher(segment).matches()) {
        path.add(camelCase(segment));
      } else {
        return null;
      }
    }
    return path;
  }

  private static void set(JsonObject root, List<Object> path, Object value) {
    Object node = root;
    for (int i = 0; i < path.size(); i++) {
      Object step = path.get(i);
      boolean last = i == path.size() - 1;
      String key = step instanceof String name ? name : "";
      Object next = last ? convert(key, (String) value) : path.get(i + 1) instanceof Integer
        ? new JsonArray() : new JsonObject();
      if (node instanceof JsonObject object) {
        node = putOrKeep(object.getValue(key), next, last, v -> object.put(key, v));
      } else {
        JsonArray array = (JsonArray) node;
        int index = (Integer) step;
        while (array.size() <= index) {
          array.add(new JsonObject());
        }
        node = putOrKeep(array.getValue(index), next, last, v -> array.set(index, v));
      }
    }
  }

  /** Sets {@code next} unless it is a container and {@code existing} one of the same kind, which is kept. */
  private static Object putOrKeep(Object existing, Object next, boolean last, Consumer<Object> put) {
    if (!last && existing != null && existing.getClass() == next.getClass()) {
      return existing;
    }
    put.accept(next);
    return next;
  }

  /** {@code maxPoolSize} to {@code MAX_POOL_SIZE}, {@code hashSlotCacheTTL} to {@code HASH_SLOT_CACHE_TTL}. */
  static String segment(String key) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(key.charAt(i - 1))) {
        out.append('_');
      }
      out.append(Character.toUpperCase(c));
    }
    return out.toString();
  }

  /** {@code MAX_POOL_SIZE} to {@code maxPoolSize}. */
  static String camelCase(String segment) {
    StringBuilder out = new StringBuilder();
    boolean upper = false;
    for (char c : segment.toLowerCase(Locale.ROOT).toCharArray()) {
      if (c == '_') {
        upper = out.length() > 0;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  private static Object convert(String key, String value) {
    if (STRING_KEYS.contains(key)) {
      return value;
    }
    String trimmed = value.trim();
    if (trimmed.isEmpty()) {
      return value;
    }
    char first = trimmed.charAt(0);
    boolean jsonLike = first == '{' || first == '[' || first == '-' || Character.isDigit(first)
      || trimmed.equals("true") || trimmed.equals("false");
    if (!jsonLike) {
      return value;
    }
    try {
      return Json.decodeValue(trimmed);
    } catch (DecodeException e) {
      return value;
    }
  }
}
