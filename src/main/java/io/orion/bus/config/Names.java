package io.orion.bus.config;

import java.util.regex.Pattern;

/**
 * The naming contract shared with every other ORION service: contract type syntax, stream keys
 * ({@code {prefix}:{contract}s}, dead letters at {@code {stream}:dead}) and default event-bus
 * addresses ({@code {prefix}.{contract}s}). Redis keys use {@code :}, addresses use {@code .}.
 */
public final class Names {

  /** The syntax of a contract type: {@code [a-z][a-z0-9_-]{0,63}}. */
  public static final Pattern CONTRACT = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  private Names() {
  }

  public static boolean isValidContract(String contract) {
    return contract != null && CONTRACT.matcher(contract).matches();
  }

  /** The stream of a contract type, e.g. {@code orion:events}. */
  public static String stream(String streamPrefix, String contract) {
    return streamPrefix + ":" + contract + "s";
  }

  /** The dead-letter stream of a stream, e.g. {@code orion:events:dead}. */
  public static String deadLetters(String stream) {
    return stream + ":dead";
  }

  /** The default delivery address of a contract type, e.g. {@code orion.events}. */
  public static String address(String streamPrefix, String contract) {
    return streamPrefix + "." + contract + "s";
  }

  /** The scaling address under an admin address, e.g. {@code orion.admin.scale}. */
  public static String scaleAddress(String adminAddress) {
    return adminAddress + ".scale";
  }

  /** The status address under an admin address, e.g. {@code orion.admin.status}. */
  public static String statusAddress(String adminAddress) {
    return adminAddress + ".status";
  }
}
