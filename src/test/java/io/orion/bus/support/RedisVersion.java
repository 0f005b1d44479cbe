package io.orion.bus.support;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version a Redis server reports ({@code INFO server} → {@code redis_version}), so that tests know which
 * server they really talk to instead of trusting the name of the binary that was found.
 */
public record RedisVersion(int major, int minor, int patch) implements Comparable<RedisVersion> {

  private static final Pattern FIELD = Pattern.compile("(?m)^redis_version:(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  /**
   * Reads {@code redis_version:X.Y.Z} from the text of {@code INFO server}.
   *
   * @throws IllegalStateException when the text has no such line (e.g. a NOAUTH error reply)
   */
  public static RedisVersion fromInfo(String info) {
    Matcher m = FIELD.matcher(info);
    if (!m.find()) {
      throw new IllegalStateException("INFO server has no redis_version line: "
          + info.lines().findFirst().orElse("(empty reply)"));
    }
    return new RedisVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
  }

  /** Whether this is {@code major.minor} or later. */
  public boolean atLeast(int major, int minor) {
    return compareTo(new RedisVersion(major, minor, 0)) >= 0;
  }

  /**
   * Whether this version is the one {@code prefix} names: {@code "6.2"} matches 6.2.x, {@code "7"} 7.x,
   * {@code "7.0.15"} only that one.
   */
  public boolean matches(String prefix) {
    String text = toString();
    return text.equals(prefix) || text.startsWith(prefix + ".");
  }

  @Override
  public int compareTo(RedisVersion other) {
    int byMajor = Integer.compare(major, other.major);
    if (byMajor != 0) {
      return byMajor;
    }
    int byMinor = Integer.compare(minor, other.minor);
    return byMinor != 0 ? byMinor : Integer.compare(patch, other.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
