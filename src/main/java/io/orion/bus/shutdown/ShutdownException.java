package io.orion.bus.shutdown;

import java.util.List;

/** A stop that did not end cleanly: its message names the failed or unfinished steps; each cause is suppressed. */
public final class ShutdownException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ShutdownException(String message, List<Throwable> causes) {
    super(message, null, true, false);
    causes.forEach(this::addSuppressed);
  }
}
