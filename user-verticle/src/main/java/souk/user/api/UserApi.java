package souk.user.api;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import souk.common.api.ApiReply;
import souk.common.api.ApiRequest;
import souk.common.api.RouteSpec;
import souk.common.bus.Actions;
import souk.common.bus.Callers;
import souk.common.bus.Requests;
import souk.common.bus.ServiceDispatcher;
import souk.user.domain.User;
import souk.user.service.UserService;

import java.util.List;
import java.util.UUID;

/** The user service's event-bus face: its {@link Actions.User} actions and the HTTP routes it declares for them. */
public final class UserApi {

  public static final List<RouteSpec> ROUTES = List.of(
    RouteSpec.open("POST", "/api/v1/users", Actions.User.CREATE),
    RouteSpec.authenticated("GET", "/api/v1/users/me", Actions.User.GET_ME),
    RouteSpec.authenticated("GET", "/api/v1/users/:id", Actions.User.GET));

  private final UserService users;

  public UserApi(UserService users) {
    this.users = users;
  }

  public void register(ServiceDispatcher dispatcher) {
    dispatcher
      .on(Actions.User.CREATE, message -> users.register(request(message).body(), deadline(message))
        .map(user -> ApiReply.created("/api/v1/users/" + user.id(), user.toJson())))
      .on(Actions.User.GET, message -> reply(users.get(request(message).param("id"), caller(message))))
      .on(Actions.User.GET_ME, message -> {
        UUID me = caller(message);
        return reply(users.get(me.toString(), me));
      })
      .on(Actions.User.AUTHENTICATE, message -> users.authenticate(message.body(), deadline(message))
        .map(id -> new JsonObject().put("userId", id.toString())));
  }

  private static Future<ApiReply> reply(Future<User> user) {
    return user.map(u -> ApiReply.ok(u.toJson()));
  }

  private static ApiRequest request(Message<JsonObject> message) {
    return ApiRequest.fromJson(message.body());
  }

  private static long deadline(Message<JsonObject> message) {
    return Requests.deadlineNanos(message, System.nanoTime());
  }

  private static UUID caller(Message<JsonObject> message) {
    return Callers.userId(message.headers());
  }
}
