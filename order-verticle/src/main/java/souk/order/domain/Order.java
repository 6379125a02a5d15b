package souk.order.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import souk.common.saga.PaymentStatus;

import java.time.Instant;
import java.util.UUID;

/**
 * An order as stored. Payment fields stay {@code null} until the payment service has answered.
 *
 * @param total         minor units of {@code currency}, computed from the lines
 * @param paymentStatus {@code null} until the payment service has answered
 */
public record Order(UUID id, UUID userId, OrderStatus status, JsonArray items, long total, String currency,
                    String paymentMethod, String cancellationReason, UUID paymentId, PaymentStatus paymentStatus,
                    Long paymentAmount, Instant createdAt, Instant updatedAt) {

  public Order cancelled(String reason) {
    return new Order(id, userId, OrderStatus.CANCELLED, items, total, currency, paymentMethod, reason, paymentId,
      paymentStatus, paymentAmount, createdAt, updatedAt);
  }

  public Order withStatus(OrderStatus newStatus) {
    return new Order(id, userId, newStatus, items, total, currency, paymentMethod, cancellationReason, paymentId,
      paymentStatus, paymentAmount, createdAt, updatedAt);
  }

  public Order withPayment(UUID newPaymentId, PaymentStatus newPaymentStatus, Long amount) {
    return new Order(id, userId, status, items, total, currency, paymentMethod, cancellationReason, newPaymentId,
      newPaymentStatus, amount, createdAt, updatedAt);
  }

  /** The public JSON of the API (docs/api.md) (no payment method: the client knows what it sent). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id.toString())
      .put("userId", userId.toString())
      .put("status", status.name())
      .put("items", items.copy())
      .put("total", total)
      .put("currency", currency)
      .put("createdAt", createdAt.toString())
      .put("updatedAt", updatedAt.toString());
    if (cancellationReason != null) {
      json.put("cancellationReason", cancellationReason);
    }
    if (paymentStatus != null) {
      json.put("payment", new JsonObject().put("id", paymentId == null ? null : paymentId.toString())
        .put("status", paymentStatus.name()).put("amount", paymentAmount));
    }
    return json;
  }

  /** The browser notification of a status change: {@code {orderId, status, cancellationReason?, at}}. */
  public JsonObject statusUpdate() {
    JsonObject json = new JsonObject().put("orderId", id.toString()).put("status", status.name());
    if (cancellationReason != null) {
      json.put("cancellationReason", cancellationReason);
    }
    if (paymentStatus() != null) {
      json.put("paymentStatus", paymentStatus().name());
    }
    return json.put("at", updatedAt.toString());
  }
}
