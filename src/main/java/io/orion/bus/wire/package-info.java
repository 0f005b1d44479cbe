/**
 * The wire format both ends share with the bus's other languages: {@link io.orion.bus.wire.StrictJson} parses and
 * writes the JSON of an entry's {@code data} strictly (one object, no duplicate keys, no NaN or Infinity, valid
 * UTF-8), so that what one side accepts the other can read.
 */
package io.orion.bus.wire;
