package souk.common.api;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * What a service answers to an {@link ApiRequest}: the HTTP status, extra response headers (e.g. {@code Location})
 * and the JSON body. Failures are not replies: they are {@link souk.common.bus.ServiceException}s.
 *
 * <p>On the event bus a reply travels as the body's JSON bytes, with the status and headers as message headers
 * ({@link #options()}): the gateway writes those bytes to the client as they are, without parsing them again.
 */
public record ApiReply(int status, JsonObject headers, Object body) {

  /** Message header holding the HTTP status. */
  public static final String STATUS = "x-api-status";
  /** Prefix of the message headers that become response headers. */
  public static final String HEADER_PREFIX = "x-api-header-";

  public static ApiReply ok(Object body) {
    return new ApiReply(200, new JsonObject(), body);
  }

  public static ApiReply created(String location, Object body) {
    return new ApiReply(201, new JsonObject().put("Location", location), body);
  }

  public ApiReply withHeader(String name, String value) {
    return new ApiReply(status, headers.copy().put(name, value), body);
  }

  public JsonObject toJson() {
    return new JsonObject().put("status", status).put("headers", headers).put("body", body);
  }

  public static ApiReply fromJson(JsonObject json) {
    return new ApiReply(json.getInteger("status", 200), json.getJsonObject("headers", new JsonObject()),
      json.getValue("body"));
  }

  /** The reply's body as JSON bytes; empty when there is no body. */
  public Buffer bodyBuffer() {
    return body == null ? Buffer.buffer() : Json.encodeToBuffer(body);
  }

  /** The status and headers, as the headers of the reply message. */
  public DeliveryOptions options() {
    DeliveryOptions options = new DeliveryOptions().addHeader(STATUS, Integer.toString(status));
    for (Map.Entry<String, Object> header : headers) {
      options.addHeader(HEADER_PREFIX + header.getKey(), String.valueOf(header.getValue()));
    }
    return options;
  }

  /** The HTTP status of a reply message sent with {@link #options()}. */
  public static int status(Message<?> reply) {
    String status = reply.headers().get(STATUS);
    return status == null ? 200 : Integer.parseInt(status);
  }

  /** Reads back a reply message sent with {@link #bodyBuffer()} and {@link #options()}. */
  public static ApiReply from(Message<?> reply) {
    JsonObject headers = new JsonObject();
    MultiMap all = reply.headers();
    all.forEach((name, value) -> {
      if (name.startsWith(HEADER_PREFIX)) {
        headers.put(name.substring(HEADER_PREFIX.length()), value);
      }
    });
    Buffer body = reply.body() instanceof Buffer buffer ? buffer : Buffer.buffer();
    return new ApiReply(status(reply), headers, body.length() == 0 ? null : Json.decodeValue(body));
  }
}
