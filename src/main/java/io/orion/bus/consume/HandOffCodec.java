package io.orion.bus.consume;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * Sends a delivery's body to a local handler without copying it: the consumer parsed the entry's data into a
 * fresh {@link JsonObject} and never touches it again, so the event bus's default copy on every local send
 * would be work for nothing. Over a clustered event bus it goes as JSON text, like the default codec.
 */
public final class HandOffCodec implements MessageCodec<JsonObject, JsonObject> {

  /** The codec's name in {@code DeliveryOptions.setCodecName}. */
  public static final String NAME = "orion.json.hand-off";

  /** Registers the codec on this Vert.x once; instances starting side by side may all call it. */
  public static void register(Vertx vertx) {
    synchronized (HandOffCodec.class) {
      try {
        vertx.eventBus().registerCodec(new HandOffCodec());
      } catch (IllegalStateException alreadyRegistered) {
        // Another instance of this Vert.x did it.
      }
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject body) {
    Buffer encoded = body.toBuffer();
    buffer.appendInt(encoded.length()).appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.slice(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject body) {
    return body;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
