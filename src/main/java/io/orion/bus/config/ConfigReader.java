package io.orion.bus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.TreeSet;

/**
 * Reads typed, validated values from one section of the config JSON. Every error is an
 * {@link IllegalArgumentException} whose message names the key, with the section it stands in
 * (for example {@code consumers[1].claimIdleMs}); a value it shows goes through {@link Secrets#describe}, since a
 * value given in the wrong place may hold a password.
 */
final class ConfigReader {

  private final JsonObject json;
  private final String where;
  private final Set<String> fromTop;

  /**
   * @param json  the section
   * @param where   the section's path with a trailing dot (e.g. {@code "consumers[0]."}), or empty
   * @param fromTop the keys whose value the section took from the top level, named there in errors
   */
  ConfigReader(JsonObject json, String where, Set<String> fromTop) {
    this.json = json == null ? new JsonObject() : json;
    this.where = where;
    this.fromTop = fromTop;
  }

  ConfigReader(JsonObject json, String where) {
    this(json, where, Set.of());
  }

  String name(String key) {
    return fromTop.contains(key) ? key : where + key;
  }

  IllegalArgumentException invalid(String key, String why) {
    return new IllegalArgumentException("invalid config key '" + name(key) + "': " + why);
  }

  long longAtLeast(String key, long defaultValue, long min) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw invalid(key, "expected a whole number, got " + Secrets.describe(value));
    }
    long result = number.longValue();
    if (result < min) {
      throw invalid(key, "must be >= " + min + ", got " + result);
    }
    return result;
  }

  int intAtLeast(String key, int defaultValue, int min) {
    long value = longAtLeast(key, defaultValue, min);
    if (value > Integer.MAX_VALUE) {
      throw invalid(key, "must be <= " + Integer.MAX_VALUE + ", got " + value);
    }
    return (int) value;
  }

  /** A non-empty string without white space; {@code defaultValue} null makes the key required. */
  String token(String key, String defaultValue) {
    String value = string(key, defaultValue);
    if (value.chars().anyMatch(Character::isWhitespace)) {
      throw invalid(key, "must not contain spaces, got " + Secrets.describe(value));
    }
    return value;
  }

  /** A non-empty string; {@code defaultValue} null makes the key required. */
  String string(String key, String defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      if (defaultValue == null) {
        throw invalid(key, "is required");
      }
      return defaultValue;
    }
    if (!(value instanceof String text)) {
      throw invalid(key, "expected a string, got " + Secrets.describe(value));
    }
    if (text.isEmpty()) {
      throw invalid(key, "must not be empty");
    }
    return text;
  }

  boolean has(String key) {
    return json.getValue(key) != null;
  }

  boolean bool(String key, boolean defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean flag)) {
      throw invalid(key, "expected true or false, got " + Secrets.describe(value));
    }
    return flag;
  }

  /** An optional non-empty string without spaces whose value never appears in an error. */
  String secret(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || text.isEmpty() || text.chars().anyMatch(Character::isWhitespace)) {
      throw invalid(key, "expected a non-empty string without spaces (value not shown)");
    }
    return text;
  }

  JsonObject object(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject object)) {
      throw invalid(key, "expected a JSON object, got " + Secrets.kind(value));
    }
    return object;
  }

  JsonArray array(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw invalid(key, "expected a JSON array, got " + Secrets.kind(value));
    }
    return array;
  }

  /** Fails on the first key of the section that is not in {@code known}. */
  void rejectUnknown(Set<String> known) {
    for (String key : new TreeSet<>(json.fieldNames())) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException("unknown config key '" + name(key) + "' (known keys: "
          + String.join(", ", new TreeSet<>(known)) + ")");
      }
    }
  }
}
