package io.orion.bus.redis;

import java.util.List;

/**
 * The reply of {@code XAUTOCLAIM ... JUSTID}.
 *
 * @param next    the cursor of the next call; {@code 0-0} when the pending list was scanned to its end
 * @param ids     the ids now owned by the caller
 * @param deleted pending ids whose entries were gone, which Redis 7 removed from the pending list (empty on 6.2)
 */
public record AutoClaim(String next, List<String> ids, List<String> deleted) {

  /** Whether the scan reached the end of the pending list. */
  public boolean done() {
    return "0-0".equals(next);
  }
}
