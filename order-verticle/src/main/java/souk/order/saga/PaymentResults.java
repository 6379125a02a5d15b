package souk.order.saga;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.common.outbox.IdempotentConsumer;
import souk.common.saga.PaymentStatus;
import souk.order.domain.Order;
import souk.order.domain.PaymentOutcome;
import souk.order.store.OrderRepository;

import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Applies {@code payment-result} messages to orders, once per message id, under the order's row lock; a refund it
 * decides on is written to the outbox in the same transaction. Browsers hear of a status change after the commit.
 */
public final class PaymentResults {

  private static final Logger LOG = LoggerFactory.getLogger(PaymentResults.class);

  private final IdempotentConsumer consumer;
  private final OrderRepository orders;
  private final OrderUpdates updates;
  private final Runnable outboxWritten;

  public PaymentResults(IdempotentConsumer consumer, OrderRepository orders, OrderUpdates updates,
                        Runnable outboxWritten) {
    this.consumer = consumer;
    this.orders = orders;
    this.updates = updates;
    this.outboxWritten = outboxWritten;
  }

  /** @return an empty acknowledgement once the result is applied (or was already) */
  public Future<JsonObject> apply(UUID messageId, JsonObject result, String requestId) {
    UUID orderId;
    UUID paymentId;
    try {
      orderId = UUID.fromString(result.getString("orderId"));
      paymentId = UUID.fromString(result.getString("paymentId"));
    } catch (RuntimeException e) {
      return Future.failedFuture(new ServiceException(ErrorCode.VALIDATION, "orderId and paymentId must be UUIDs"));
    }
    PaymentStatus status = PaymentStatus.parse(result.getString("status"));
    if (status == null) {
      return Future.failedFuture(new ServiceException(ErrorCode.VALIDATION, "Unknown payment status"));
    }
    long amount = result.getLong("amount", 0L);
    return consumer.process(messageId, orderId, tx -> orders.findForUpdate(tx, orderId),
        (tx, order) -> applyLocked(tx, order, orderId, status, paymentId, amount, requestId),
        () -> (PaymentOutcome.Applied) null)
      .map(applied -> {
        // a refund changes the payment, not the status: browsers hear of it too
        if (applied != null && applied.changed()) {
          updates.statusChanged(applied.order());
        }
        if (applied != null && applied.refund()) {
          outboxWritten.run();
        }
        return new JsonObject();
      });
  }

  /** {@code order}: the order, locked, or null for an unknown one. */
  private Future<PaymentOutcome.Applied> applyLocked(SqlConnection tx, Order order, UUID orderId, PaymentStatus status,
                                                     UUID paymentId, long amount, String requestId) {
    if (order == null) {
      LOG.warn("payment result for an unknown order", kv("orderId", orderId), kv("requestId", requestId));
      return Future.succeededFuture(null);
    }
    PaymentOutcome.Applied applied = PaymentOutcome.apply(order, status, paymentId, amount);
    if (!applied.changed()) {
      return Future.succeededFuture(applied);
    }
    LOG.debug("payment result applied", kv("orderId", orderId), kv("payment", status),
      kv("status", applied.order().status()), kv("refund", applied.refund()), kv("requestId", requestId));
    return orders.update(tx, applied.order(), applied.refund() ? PaymentCommands.refund(order, requestId) : null)
      .map(stored -> new PaymentOutcome.Applied(stored, true, applied.statusChanged(), applied.refund()));
  }
}
