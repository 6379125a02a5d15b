package souk.payment.service;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.Addresses;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.common.outbox.IdempotentConsumer;
import souk.common.outbox.OutboxMessage;
import souk.common.saga.PaymentStatus;
import souk.common.saga.SagaMessages;
import souk.payment.domain.Payment;
import souk.payment.provider.PaymentProvider;
import souk.payment.store.PaymentRepository;

import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Charges and refunds orders for the saga (docs/saga.md). Each command is applied once per message id and at most once
 * per order (unique payment per order); its result and the {@code payment-result} message for the order service are
 * committed together, so a stored result always reaches the order.
 */
public final class PaymentService {

  private static final Logger LOG = LoggerFactory.getLogger(PaymentService.class);

  private final Pool pool;
  private final IdempotentConsumer consumer;
  private final PaymentRepository payments;
  private final PaymentProvider provider;
  private final Runnable outboxWritten;

  public PaymentService(Pool pool, IdempotentConsumer consumer, PaymentRepository payments, PaymentProvider provider,
                        Runnable outboxWritten) {
    this.pool = pool;
    this.consumer = consumer;
    this.payments = payments;
    this.provider = provider;
    this.outboxWritten = outboxWritten;
  }

  /** {@code charge {orderId, userId, amount, currency, paymentMethod}}: acknowledged once the result is stored. */
  public Future<JsonObject> charge(UUID messageId, JsonObject command, String requestId) {
    Payment draft;
    try {
      draft = new Payment(UUID.randomUUID(), UUID.fromString(command.getString("orderId")),
        UUID.fromString(command.getString("userId")), command.getLong("amount"), command.getString("currency"),
        command.getString("paymentMethod"), null);
    } catch (RuntimeException e) {
      return Future.failedFuture(new ServiceException(ErrorCode.VALIDATION, "Malformed charge command"));
    }
    UUID orderId = draft.orderId();
    return consumer.process(messageId, orderId, tx -> payments.findByOrderForUpdate(tx, orderId),
        (tx, existing) -> chargeOnce(tx, existing, draft, requestId), () -> Boolean.FALSE)
      .map(written -> acknowledge(written));
  }

  /** {@code refund {orderId}}: gives back a captured payment; a payment not captured needs nothing. */
  public Future<JsonObject> refund(UUID messageId, JsonObject command, String requestId) {
    UUID orderId;
    try {
      orderId = UUID.fromString(command.getString("orderId"));
    } catch (RuntimeException e) {
      return Future.failedFuture(new ServiceException(ErrorCode.VALIDATION, "Malformed refund command"));
    }
    return consumer.process(messageId, orderId, tx -> payments.findByOrderForUpdate(tx, orderId),
        (tx, payment) -> refundOnce(tx, payment, orderId, requestId), () -> Boolean.FALSE)
      .map(written -> acknowledge(written));
  }

  /** {@code {succeeded, totalCaptured}} of the user: payments captured and not refunded, by currency. */
  public Future<JsonObject> summary(UUID userId) {
    return payments.capturedByUser(pool, userId);
  }

  /** {@code existing}: the order's payment, locked, if it has one. */
  private Future<Boolean> chargeOnce(SqlConnection tx, Payment existing, Payment draft, String requestId) {
    if (existing != null) {
      // a second charge command for the order: its first result is already in the outbox
      return Future.succeededFuture(false);
    }
    return provider.charge(draft.orderId().toString(), draft.method(), draft.amount(), draft.currency())
      .compose(approved -> {
        Payment payment = withStatus(draft, approved ? PaymentStatus.SUCCEEDED : PaymentStatus.DECLINED);
        return payments.insert(tx, payment, result(payment, payment.status(), requestId)).map(inserted -> {
          if (inserted) {
            LOG.debug("charge processed", kv("orderId", payment.orderId()), kv("status", payment.status()),
              kv("requestId", requestId));
          }
          return inserted;
        });
      });
  }

  /** {@code payment}: the order's payment, locked, or null. */
  private Future<Boolean> refundOnce(SqlConnection tx, Payment payment, UUID orderId, String requestId) {
    if (payment == null) {
      // the order service refunds only payments it saw succeed: retry until the charge is visible
      return Future.failedFuture(new ServiceException(ErrorCode.CONFLICT, "No payment for this order yet"));
    }
    if (payment.status() != PaymentStatus.SUCCEEDED) {
      return Future.succeededFuture(false);
    }
    return provider.refund(orderId.toString(), payment.amount(), payment.currency())
      .compose(v -> payments.markRefunded(tx, payment.id(), result(payment, PaymentStatus.REFUNDED, requestId)))
      .map(v -> {
        LOG.info("payment refunded", kv("orderId", orderId), kv("requestId", requestId));
        return true;
      });
  }

  private JsonObject acknowledge(boolean outboxWrittenNow) {
    if (outboxWrittenNow) {
      outboxWritten.run();
    }
    return new JsonObject();
  }

  private static Payment withStatus(Payment p, PaymentStatus status) {
    return new Payment(p.id(), p.orderId(), p.userId(), p.amount(), p.currency(), p.method(), status);
  }

  private static OutboxMessage result(Payment payment, PaymentStatus status, String requestId) {
    JsonObject body = new JsonObject().put("orderId", payment.orderId().toString())
      .put("paymentId", payment.id().toString()).put("status", status.name()).put("amount", payment.amount());
    return OutboxMessage.of(Addresses.ORDER_SERVICE, SagaMessages.PAYMENT_RESULT, body, requestId);
  }
}
