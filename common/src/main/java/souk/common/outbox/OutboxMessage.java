package souk.common.outbox;

import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * A message to deliver through the outbox: an event-bus {@code request} to {@code address} with {@code action} in the
 * action header and {@code payload} as body. The {@code id} travels in the {@link Outbox#MESSAGE_ID} header, the
 * same on every delivery attempt, so that receivers can drop duplicates.
 *
 * @param requestId the request id that caused the message, carried on for logs; may be {@code null}
 */
public record OutboxMessage(UUID id, String address, String action, JsonObject payload, String requestId) {

  /** A message with a fresh random id. */
  public static OutboxMessage of(String address, String action, JsonObject payload, String requestId) {
    return new OutboxMessage(UUID.randomUUID(), address, action, payload, requestId);
  }
}
