package souk.gateway.aggregate;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.api.ApiReply;
import souk.common.api.ApiRequest;
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.ErrorCode;
import souk.common.bus.Requests;
import souk.common.bus.ServiceException;
import souk.gateway.http.Bearer;
import souk.gateway.http.RequestIds;
import souk.gateway.routing.ServiceCaller;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * {@code GET /api/v1/users/{id}/summary}: the user, their recent orders and order count, and their payments, asked of
 * the three services in parallel. The user part is required (its failure is the answer); the order and payment parts
 * are optional: a service that fails or is slow leaves its part {@code null} and its name in {@code degraded}.
 */
public final class SummaryEndpoint implements Handler<RoutingContext> {

  public static final String PATH = "/api/v1/users/:id/summary";

  private static final Logger LOG = LoggerFactory.getLogger(SummaryEndpoint.class);

  private final ServiceCaller caller;
  private final Bearer bearer;
  private final long userTimeoutMs;
  private final long partTimeoutMs;

  /**
   * @param userTimeoutMs how long to wait for the user part (then 504)
   * @param partTimeoutMs how long to wait for an optional part before leaving it out
   */
  public SummaryEndpoint(ServiceCaller caller, Bearer bearer, long userTimeoutMs, long partTimeoutMs) {
    this.caller = caller;
    this.bearer = bearer;
    this.userTimeoutMs = userTimeoutMs;
    this.partTimeoutMs = partTimeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    bearer.caller(ctx)
      .compose(caller -> caller.equals(id)
        ? summary(ctx, caller)
        : Future.failedFuture(new ServiceException(ErrorCode.FORBIDDEN, "You may only read your own summary")))
      .onSuccess(body -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toBuffer()))
      .onFailure(ctx::fail);
  }

  private Future<JsonObject> summary(RoutingContext ctx, String userId) {
    JsonObject userRequest = new ApiRequest(new JsonObject().put("id", userId), new JsonObject(), new JsonObject(), null)
      .toJson();
    DeliveryOptions userOptions = Requests.options(Actions.User.GET, RequestIds.of(ctx), userId, userTimeoutMs);
    Future<JsonObject> user = caller.ask(Addresses.USER_SERVICE, userRequest, userOptions)
      .map(reply -> (JsonObject) ApiReply.from(reply).body());
    Future<JsonObject> orders = optional(ctx, Addresses.ORDER_SERVICE, userId);
    Future<JsonObject> payments = optional(ctx, Addresses.PAYMENT_SERVICE, userId);
    return Future.join(user, orders, payments).transform(done -> {
      if (user.failed()) {
        return Future.failedFuture(user.cause());
      }
      JsonArray degraded = new JsonArray();
      JsonObject orderPart = orders.succeeded() ? orders.result() : null;
      if (orderPart == null) {
        degraded.add(Addresses.ORDER_SERVICE);
      }
      if (payments.failed()) {
        degraded.add(Addresses.PAYMENT_SERVICE);
      }
      return Future.succeededFuture(new JsonObject()
        .put("user", user.result())
        .put("recentOrders", orderPart == null ? null : orderPart.getJsonArray("recentOrders"))
        .put("orderCount", orderPart == null ? null : orderPart.getValue("orderCount"))
        .put("payments", payments.succeeded() ? payments.result() : null)
        .put("degraded", degraded));
    });
  }

  private Future<JsonObject> optional(RoutingContext ctx, String service, String userId) {
    return ask(ctx, service, Actions.SUMMARY, userId, new JsonObject(), partTimeoutMs)
      .onFailure(e -> LOG.warn("summary part missing", kv("service", service), kv("requestId", RequestIds.of(ctx)),
        kv("reason", ErrorCode.of(e).name())));
  }

  private Future<JsonObject> ask(RoutingContext ctx, String service, String action, String userId, JsonObject body,
                                 long timeoutMs) {
    DeliveryOptions options = Requests.options(action, RequestIds.of(ctx), userId, timeoutMs);
    return caller.request(service, body, options);
  }
}
