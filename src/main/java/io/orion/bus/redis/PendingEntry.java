package io.orion.bus.redis;

/**
 * One row of the extended {@code XPENDING} form.
 *
 * @param id         the entry id
 * @param consumer   the consumer that owns it
 * @param idleMs     the time since it was last delivered or claimed. The value is in milliseconds.
 * @param deliveries Redis's delivery counter of the entry
 */
public record PendingEntry(String id, String consumer, long idleMs, long deliveries) {
}
