package io.orion.bus.redis;

/**
 * The reply of {@link StreamCommands#joinGroup}.
 *
 * @param created         whether the group was created now (it did not exist)
 * @param lastDeliveredId the id of the last entry the group has delivered, as Redis tells it just after
 */
public record GroupJoin(boolean created, String lastDeliveredId) {
}
