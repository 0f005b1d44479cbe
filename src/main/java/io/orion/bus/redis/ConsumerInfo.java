package io.orion.bus.redis;

/**
 * One row of {@code XINFO CONSUMERS}.
 *
 * @param pending entries delivered to the consumer and not yet acknowledged
 * @param idleMs  how long since the consumer last read or claimed. The value is in milliseconds.
 */
public record ConsumerInfo(String name, Long pending, Long idleMs) {
}
