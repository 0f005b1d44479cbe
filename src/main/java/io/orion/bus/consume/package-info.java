/**
 * The consume path: one consumer of a group, delivering entries to an event-bus address and acknowledging them
 * when the handler replies. Start reading at {@code ConsumerVerticle.start} → {@code Intake.start}
 * ({@code Membership.join}: the group and this consumer exist) → {@code Intake.pump}, which chooses, while there is
 * room under {@code maxInFlight}, between {@code Redelivery.own} (this consumer's pending entries after a restart
 * or reconnect), {@code Redelivery.reclaim} (entries idle past {@code claimIdleMs}, XAUTOCLAIM) and
 * {@code Intake.read} (XREADGROUP on a connection of its own) → {@code Deliveries.accept} ({@code EntryData}
 * checks the data; poison goes to {@code DeadLetters}) → {@code Deliveries.send} → {@code Deliveries.replied}:
 * success → {@code Acknowledgements} (XACK, batched); failure or timeout → the entry stays pending, or after
 * {@code maxDeliveries} → {@code DeadLetters}; {@code FailureLog} rate-limits the warnings.
 * <p>
 * {@code ConsumerScope} is what the classes of one instance share; {@link io.orion.bus.consume.ConsumerCounters}
 * and {@code TrimmedUnreadWatch} are shared by the instances of a process; {@code ConsumerNames} gives each
 * instance its name; {@code GroupPosition} is where the group had got to. {@code ConsumerVerticle.stop}: stop the
 * intake, finish in-flight deliveries, flush the acks, leave the group.
 */
package io.orion.bus.consume;
