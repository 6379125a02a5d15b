package souk.common.api;

import io.vertx.core.json.JsonObject;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

/**
 * The body of an event-bus request made by the gateway for an HTTP route: path parameters, query parameters (first
 * value of each), the headers the route asked for (lower-case names), and the parsed JSON body ({@code null} when the
 * request had none). The caller's identity is not here: it is in the {@code x-user-id} message header.
 */
public record ApiRequest(JsonObject params, JsonObject query, JsonObject headers, Object body) {

  /** From what the gateway sent; a part that is there but not an object is a 400, as any malformed request. */
  public static ApiRequest fromJson(JsonObject json) {
    JsonObject safe = json == null ? new JsonObject() : json;
    return new ApiRequest(object(safe, "params"), object(safe, "query"), object(safe, "headers"),
      safe.getValue("body"));
  }

  private static JsonObject object(JsonObject json, String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonObject();
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw new ServiceException(ErrorCode.VALIDATION, "The request's " + key + " must be a JSON object");
  }

  public JsonObject toJson() {
    return new JsonObject().put("params", params).put("query", query).put("headers", headers).put("body", body);
  }

  public String param(String name) {
    return params.getString(name);
  }

  public String query(String name) {
    return query.getString(name);
  }

  public String header(String name) {
    return headers.getString(name);
  }

  /** The body when it is a JSON object, else {@code null}: callers answer 400 for anything else. */
  public JsonObject bodyObject() {
    return body instanceof JsonObject object ? object : null;
  }
}
