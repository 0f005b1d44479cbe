package io.orion.bus.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.regex.Pattern;

/**
 * Keeps passwords and tokens out of error messages and log lines. A config value may hold one where it was not
 * expected (a URL with credentials given where an object belongs, a token pasted into the wrong key), so every
 * value an error shows goes through {@link #describe(Object)}, every URL a log line shows through
 * {@link #mask(String)}, and a library's message about a config value through {@link #maskText(String)}.
 */
public final class Secrets {

  /** What stands for a hidden part. */
  public static final String HIDDEN = "***";

  /** The {@code password} query parameter of a Redis URL ({@code unix://...?password=...}). */
  private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;]password=)[^&#\\s\"]*");
  private static final Pattern WHITE_SPACE = Pattern.compile("(?<=\\s)|(?=\\s)");

  private Secrets() {
  }

  /**
   * The value as an error message may show it: a string quoted, with the password of any URL hidden; a JSON
   * object or array by its kind only, since a secret may stand anywhere inside; numbers and booleans as they are.
   */
  public static String describe(Object value) {
    if (value instanceof String text) {
      return "\"" + mask(text) + "\"";
    }
    if (value instanceof JsonObject) {
      return "a JSON object";
    }
    if (value instanceof JsonArray array) {
      return "a JSON array of " + array.size();
    }
    return String.valueOf(value);
  }

  /**
   * The kind of a value given where a section (an object or a list) belongs, its content not shown: what stands
   * there by mistake is most often a value of the section, such as a URL with its password or a token.
   */
  public static String kind(Object value) {
    if (value instanceof String) {
      return "a string";
    }
    return describe(value);
  }

  /**
   * {@code value} (a URL, or any string that may be one) with its password replaced by {@value #HIDDEN}: the
   * user-info up to the last {@code @} (the user name stays, e.g. {@code redis://orion:***@redis:6379}), and a
   * {@code password} query parameter. Without {@code //} before the {@code @}, everything up to it is user-info,
   * so a malformed URL ({@code u:pw@host}, {@code redis//u:pw@host}) shows no password either. A value without
   * an {@code @} or such a parameter comes back as it is.
   */
  public static String mask(String value) {
    String masked = value;
    int at = masked.lastIndexOf('@');
    if (at >= 0) {
      int slashes = masked.indexOf("//");
      int start = slashes >= 0 && slashes < at ? slashes + 2 : 0;
      String userInfo = masked.substring(start, at);
      int colon = userInfo.indexOf(':');
      String shown = colon < 0 ? HIDDEN : userInfo.substring(0, colon) + ":" + HIDDEN;
      masked = masked.substring(0, start) + shown + masked.substring(at);
    }
    return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + HIDDEN);
  }

  /** {@code text} (a message from a library, say) with each white-space separated word {@link #mask}ed. */
  public static String maskText(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (String word : WHITE_SPACE.split(text)) {
      out.append(mask(word));
    }
    return out.toString();
  }
}
