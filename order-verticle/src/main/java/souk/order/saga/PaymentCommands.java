package souk.order.saga;

import io.vertx.core.json.JsonObject;
import souk.common.bus.Addresses;
import souk.common.outbox.OutboxMessage;
import souk.common.saga.SagaMessages;
import souk.order.domain.NewOrder;
import souk.order.domain.Order;

import java.util.UUID;

/** The order service's commands to the payment service, as outbox messages. */
public final class PaymentCommands {

  private PaymentCommands() {
  }

  /** The charge for a new order, written with it. */
  public static OutboxMessage charge(UUID orderId, UUID userId, NewOrder order, String requestId) {
    JsonObject payload = new JsonObject()
      .put("orderId", orderId.toString())
      .put("userId", userId.toString())
      .put("amount", order.total())
      .put("currency", order.currency())
      .put("paymentMethod", order.paymentMethod());
    return OutboxMessage.of(Addresses.PAYMENT_SERVICE, SagaMessages.CHARGE, payload, requestId);
  }

  public static OutboxMessage refund(Order order, String requestId) {
    JsonObject payload = new JsonObject().put("orderId", order.id().toString());
    return OutboxMessage.of(Addresses.PAYMENT_SERVICE, SagaMessages.REFUND, payload, requestId);
  }
}
