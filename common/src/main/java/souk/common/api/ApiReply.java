package souk.common.api;

import io.vertx.core.json.JsonObject;

/**
 * What a service answers to an {@link ApiRequest}: the HTTP status, extra response headers (e.g. {@code Location})
 * and the JSON body. Failures are not replies: they are {@link souk.common.bus.ServiceException}s.
 */
public record ApiReply(int status, JsonObject headers, Object body) {

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
}
