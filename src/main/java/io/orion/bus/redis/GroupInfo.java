package io.orion.bus.redis;

/**
 * One row of {@code XINFO GROUPS}.
 *
 * @param lag     entries not yet delivered to the group; null where Redis cannot tell (after deletions) or does not
 *                report it (before 7.0)
 * @param pending entries delivered and not yet acknowledged
 */
public record GroupInfo(String name, Long lag, long pending, long consumers, String lastDeliveredId) {
}
