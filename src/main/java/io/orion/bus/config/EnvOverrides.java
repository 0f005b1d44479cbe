package io.orion.bus.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Environment variables that override config keys. A variable {@code ORION_} + path overrides the key at
 * that path: path segments are separated by a double underscore, each is the key in upper snake case or an
 * array index. For example {@code ORION_MAX_LEN=5000} sets {@code maxLen},
 * {@code ORION_REDIS__CONNECTION_STRING=redis://redis:6379} sets {@code redis.connectionString},
 * {@code ORION_CONSUMERS__0__INSTANCES=4} sets {@code consumers[0].instances}, and
 * {@code ORION_CONSUMERS='[{"contract":"event","group":"g"}]'} replaces the whole list. Values are JSON
 * where they parse as a number, a boolean, an object or an array, and strings otherwise; the keys that are
 * strings by contract ({@code startFrom}, {@code group}, {@code password}, ...) always stay strings.
 */
public final class EnvOverrides {

  /** The prefix of every variable that overrides a key. */
  public static final String PREFIX = "ORION_";

  private static final Set<String> STRING_KEYS = Set.of("streamPrefix", "address", "contract", "group", "consumer",
    "startFrom", "connectionString", "password", "user", "masterName", "poolName", "token", "host");

  private EnvOverrides() {
  }

  /** The variables of {@code env} that override keys, by name. */
  public static Map<String, String> select(Map<String, String> env) {
    Map<String, String> result = new TreeMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
        result.put(name, value);
      }
    });
    return result;
  }

  /** Applies every {@code ORION_*} variable of {@code env} to {@code config}, in name order, and returns it. */
  public static JsonObject apply(JsonObject config, Map<String, String> env) {
    select(env).forEach((name, value) -> set(config, name.substring(PREFIX.length()).split("__"), value, name));
    return config;
  }

  private static void set(JsonObject root, String[] segments, String value, String variable) {
    Object node = root;
    for (int i = 0; i < segments.length; i++) {
      boolean last = i == segments.length - 1;
      if (node instanceof JsonObject object) {
        String key = camelCase(segments[i]);
        if (last) {
          object.put(key, convert(key, value));
          return;
        }
        Object next = containerOr(object.getValue(key), segments[i + 1]);
        object.put(key, next);
        node = next;
      } else {
        JsonArray array = (JsonArray) node;
        int index = index(segments[i], variable);
        while (array.size() <= index) {
          array.add(new JsonObject());
        }
        if (last) {
          array.set(index, convert("", value));
          return;
        }
        Object next = containerOr(array.getValue(index), segments[i + 1]);
        array.set(index, next);
        node = next;
      }
    }
  }

  /** The existing object or array, else a new one of the kind the next segment needs. */
  private static Object containerOr(Object existing, String nextSegment) {
    if (existing instanceof JsonObject || existing instanceof JsonArray) {
      return existing;
    }
    return container(nextSegment);
  }

  private static Object container(String nextSegment) {
    return nextSegment.chars().allMatch(Character::isDigit) ? new JsonArray() : new JsonObject();
  }

  private static int index(String segment, String variable) {
    try {
      return Integer.parseInt(segment);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("environment variable " + variable + ": '" + segment
        + "' stands where an array index is expected");
    }
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
