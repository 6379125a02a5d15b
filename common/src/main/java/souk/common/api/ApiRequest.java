package souk.common.api;

import io.vertx.core.json.JsonObject;

/**
 * The body of an event-bus request made by the gateway for an HTTP route: path parameters, query parameters (first
 * value of each), the headers the route asked for (lower-case names), and the parsed JSON body ({@code null} when the
 * request had none). The caller's identity is not here: it is in the {@code x-user-id} message header.
 */
public record ApiRequest(JsonObject params, JsonObject query, JsonObject headers, Object body) {

  public static ApiRequest fromJson(JsonObject json) {
    JsonObject safe = json == null ? new JsonObject() : json;
    return new ApiRequest(
      safe.getJsonObject("params", new JsonObject()),
      safe.getJsonObject("query", new JsonObject()),
      safe.getJsonObject("headers", new JsonObject()),
      safe.getValue("body"));
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
