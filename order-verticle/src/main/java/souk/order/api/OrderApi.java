package souk.order.api;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import souk.common.api.ApiReply;
import souk.common.api.ApiRequest;
import souk.common.api.RouteSpec;
import souk.common.bus.Actions;
import souk.common.bus.Callers;
import souk.common.bus.ErrorCode;
import souk.common.bus.Headers;
import souk.common.bus.Requests;
import souk.common.bus.ServiceDispatcher;
import souk.common.bus.ServiceException;
import souk.common.outbox.IdempotentConsumer;
import souk.common.saga.SagaMessages;
import souk.order.domain.PageRequest;
import souk.order.saga.PaymentResults;
import souk.order.service.OrderCommands;
import souk.order.service.OrderQueries;

import java.util.List;
import java.util.UUID;

/**
 * The order service's event-bus face: the HTTP routes it declares for the gateway, the saga's
 * {@code payment-result}, and the {@code summary} the gateway aggregates. The caller is the {@code x-user-id} header.
 */
public final class OrderApi {

  public static final String IDEMPOTENCY_KEY = "idempotency-key";

  /** The routes mounted by the gateway, all authenticated. */
  public static final List<RouteSpec> ROUTES = List.of(
    RouteSpec.authenticated("POST", "/api/v1/orders", Actions.Order.CREATE).passing(IDEMPOTENCY_KEY),
    RouteSpec.authenticated("GET", "/api/v1/orders", Actions.Order.LIST),
    RouteSpec.authenticated("GET", "/api/v1/orders/:id", Actions.Order.GET),
    RouteSpec.authenticated("POST", "/api/v1/orders/:id/cancel", Actions.Order.CANCEL));

  private final OrderCommands commands;
  private final OrderQueries queries;
  private final PaymentResults results;

  public OrderApi(OrderCommands commands, OrderQueries queries, PaymentResults results) {
    this.commands = commands;
    this.queries = queries;
    this.results = results;
  }

  public ServiceDispatcher register(ServiceDispatcher dispatcher) {
    return dispatcher
      .on(Actions.Order.CREATE, m -> commands.create(user(m), request(m).header(IDEMPOTENCY_KEY), request(m).bodyObject(),
        requestId(m), Requests.deadlineNanos(m, System.nanoTime())))
      .on(Actions.Order.GET, m -> queries.get(user(m), orderId(request(m))).map(o -> ApiReply.ok(o.toJson())))
      .on(Actions.Order.LIST, m -> queries.list(user(m), PageRequest.parse(request(m).query("limit"), request(m).query("cursor")))
        .map(ApiReply::ok))
      .on(Actions.Order.CANCEL, m -> commands.cancel(user(m), orderId(request(m)), requestId(m))
        .map(o -> ApiReply.ok(o.toJson())))
      .on(Actions.SUMMARY, m -> queries.summary(user(m)))
      .on(SagaMessages.PAYMENT_RESULT, m -> results.apply(IdempotentConsumer.messageId(m), m.body(), requestId(m)));
  }

  private static ApiRequest request(Message<JsonObject> message) {
    return ApiRequest.fromJson(message.body());
  }

  private static UUID user(Message<JsonObject> message) {
    return Callers.userId(message.headers());
  }

  private static String requestId(Message<JsonObject> message) {
    return message.headers().get(Headers.REQUEST_ID);
  }

  // an id that is not a UUID names no order: 404, like an unknown one
  private static UUID orderId(ApiRequest request) {
    try {
      return UUID.fromString(request.param("id"));
    } catch (RuntimeException e) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "No such order");
    }
  }
}
