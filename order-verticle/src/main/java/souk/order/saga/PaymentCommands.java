package souk.order.saga;

import io.vertx.core.json.JsonObject;
import souk.common.bus.Addresses;
import souk.common.outbox.OutboxMessage;
import souk.common.saga.SagaMessages;
import souk.order.domain.Order;

/** The order service's commands to the payment service, as outbox messages. */
public final class PaymentCommands {

  private PaymentCommands() {
  }

  public static OutboxMessage charge(Order order, String requestId) {
    JsonObject payload = new JsonObject()
      .put("orderId", order.id().toString())
      .put("userId", order.userId().toString())
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
