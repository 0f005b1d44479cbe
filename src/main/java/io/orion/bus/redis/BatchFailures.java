package io.orion.bus.redis;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits the failure of a batch ({@link io.vertx.redis.client.RedisConnection#batch}) into the failure of each
 * of its commands. The client fails a batch as a whole when one of its commands fails, naming each failed
 * command as a line {@code ERR [index] cause}; the commands it does not name were taken by Redis, but their
 * replies are lost. The only place that reads that text.
 */
final class BatchFailures {

  /** How the client reports the failed commands of a batch: one line each, {@code ERR [index] cause}. */
  private static final Pattern BATCH_FAILURE = Pattern.compile("ERR \\[(\\d+)] (.*)");
  /** An error reply's code: its first word in capitals, such as WRONGTYPE or NOGROUP. */
  private static final Pattern ERROR_CODE = Pattern.compile("[A-Z][A-Z_]*( .*)?");
  /** How a Java exception reads as text: a qualified class name, then maybe its message. */
  private static final Pattern JAVA_EXCEPTION = Pattern.compile("[a-zA-Z_$][\\w$]*(\\.[\\w$]+)+(: .*)?");

  private BatchFailures() {
  }

  /**
   * The failure of each command of a failed batch of {@code size} commands.
   *
   * @param name what the connection is for, in errors (never a password)
   */
  static Throwable[] split(String name, Throwable failure, int size) {
    Throwable[] causes = new Throwable[size];
    boolean named = false;
    if (ClientInternals.isErrorReply(failure) && failure.getMessage() != null) {
      for (String line : failure.getMessage().split("\\R")) {
        Matcher matcher = BATCH_FAILURE.matcher(line);
        int index = matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
        if (index >= 0 && index < size) {
          causes[index] = commandFailure(name, matcher.group(2));
          named = true;
        }
      }
    }
    for (int i = 0; i < size; i++) {
      if (!named) {
        // Failed as a whole: not sent, or the connection failed.
        causes[i] = failure;
      } else if (causes[i] == null) {
        causes[i] = new IllegalStateException(name + ": Redis took the command, but its reply was lost with "
          + "the failure of another in the same write: " + failure.getMessage().lines().findFirst().orElse(""));
      }
    }
    return causes;
  }

  /**
   * The failure of one command of a batch, from the text the client gives it: a Java exception (the connection
   * failed: the outcome is unknown), else an error reply as Redis sent it (the client strips the {@code ERR}
   * code of the errors it lists).
   */
  private static Throwable commandFailure(String name, String cause) {
    if (JAVA_EXCEPTION.matcher(cause).matches()) {
      return new RedisUnavailableException(name + ": the connection failed with the command unanswered: " + cause);
    }
    return ClientInternals.errorReply(ERROR_CODE.matcher(cause).matches() ? cause : "ERR " + cause);
  }
}
