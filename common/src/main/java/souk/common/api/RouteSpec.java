package souk.common.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One HTTP route a service serves through the gateway, declared in the service's discovery record. The gateway mounts
 * it, turns each matching request into an {@link ApiRequest} sent to the service with {@link #action()} in the
 * {@code action} header, and turns the {@link ApiReply} into the HTTP answer.
 *
 * @param method   HTTP method, upper case
 * @param path     path template under the gateway, with {@code :name} parameters, e.g. {@code /api/v1/users/:id}
 * @param action   the event-bus action that serves it
 * @param auth     whether a valid bearer token is required (the caller's id then travels in the {@code x-user-id} header)
 * @param headers  request headers passed on to the service (lower case), e.g. {@code idempotency-key}
 */
public record RouteSpec(String method, String path, String action, boolean auth, List<String> headers) {

  public static RouteSpec open(String method, String path, String action) {
    return new RouteSpec(method, path, action, false, List.of());
  }

  public static RouteSpec authenticated(String method, String path, String action) {
    return new RouteSpec(method, path, action, true, List.of());
  }

  public RouteSpec passing(String... headerNames) {
    return new RouteSpec(method, path, action, auth, List.of(headerNames));
  }

  public JsonObject toJson() {
    return new JsonObject().put("method", method).put("path", path).put("action", action).put("auth", auth)
      .put("headers", new JsonArray(headers));
  }

  public static RouteSpec fromJson(JsonObject json) {
    JsonArray headers = json.getJsonArray("headers", new JsonArray());
    return new RouteSpec(json.getString("method"), json.getString("path"), json.getString("action"),
      json.getBoolean("auth", true), headers.stream().map(String::valueOf).toList());
  }

  /** The discovery-record metadata that declares {@code routes}. */
  public static JsonObject metadata(List<RouteSpec> routes) {
    return new JsonObject().put("routes", new JsonArray(routes.stream().map(RouteSpec::toJson).toList()));
  }
}
