package souk.payment.service;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.common.bus.Addresses;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.common.config.PgConfig;
import souk.common.db.Databases;
import souk.common.outbox.IdempotentConsumer;
import souk.common.outbox.OutboxMessage;
import souk.common.saga.PaymentStatus;
import souk.common.saga.SagaMessages;
import souk.payment.domain.Payment;
import souk.payment.provider.SimulatedProvider;
import souk.payment.store.PaymentRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The payment service's rules against the real PostgreSQL (a database of its own), without a cluster: each order is
 * charged at most once whatever the deliveries, and every stored result has its {@code payment-result} in the outbox.
 */
@ExtendWith(VertxExtension.class)
class PaymentServiceTest {

  private static final PgConfig PG = PgConfig.of("souk_test_payment_service", System.getenv());

  private Pool pool;
  private PaymentService payments;
  private final AtomicInteger outboxWrites = new AtomicInteger();
  private final UUID user = UUID.randomUUID();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    pool = Databases.prepare(vertx, PG).await();
    payments = new PaymentService(pool, new IdempotentConsumer(pool), new PaymentRepository(),
      new SimulatedProvider(vertx, 0), outboxWrites::incrementAndGet);
  }

  private static JsonObject charge(UUID orderId, UUID userId, String method) {
    return new JsonObject().put("orderId", orderId.toString()).put("userId", userId.toString()).put("amount", 900)
      .put("currency", "EUR").put("paymentMethod", method);
  }

  private List<String> column(String sql, UUID orderId) throws Exception {
    List<String> values = new ArrayList<>();
    for (Row row : pool.preparedQuery(sql).execute(Tuple.of(orderId.toString())).await()) {
      values.add(row.getString(0));
    }
    return values;
  }

  private List<String> paymentStatuses(UUID orderId) throws Exception {
    return column("SELECT status FROM payment WHERE order_id = $1::uuid", orderId);
  }

  /** The statuses of the {@code payment-result} messages written for the order, oldest first. */
  private List<String> results(UUID orderId) throws Exception {
    return column("SELECT payload->>'status' FROM outbox WHERE action = '" + SagaMessages.PAYMENT_RESULT
      + "' AND payload->>'orderId' = $1 ORDER BY created_at", orderId);
  }

  @Test
  void an_approved_card_is_captured_and_its_result_written_to_the_outbox() throws Exception {
    UUID order = UUID.randomUUID();
    assertEquals(new JsonObject(), payments.charge(UUID.randomUUID(), charge(order, user, "tok_visa"), "r-1").await());
    assertEquals(List.of(PaymentStatus.SUCCEEDED.name()), paymentStatuses(order));
    assertEquals(List.of(PaymentStatus.SUCCEEDED.name()), results(order));
    assertEquals(1, outboxWrites.get(), "the relay is woken once");
  }

  @Test
  void a_declined_card_is_stored_as_declined_and_the_order_told() throws Exception {
    UUID order = UUID.randomUUID();
    payments.charge(UUID.randomUUID(), charge(order, user, "tok_chargeDeclined"), "r-1").await();
    assertEquals(List.of(PaymentStatus.DECLINED.name()), paymentStatuses(order));
    assertEquals(List.of(PaymentStatus.DECLINED.name()), results(order));
  }

  @Test
  void the_same_charge_message_delivered_twice_charges_once() throws Exception {
    UUID order = UUID.randomUUID();
    UUID message = UUID.randomUUID();
    payments.charge(message, charge(order, user, "tok_visa"), "r-1").await();
    payments.charge(message, charge(order, user, "tok_visa"), "r-1").await();
    assertEquals(1, paymentStatuses(order).size());
    assertEquals(1, results(order).size());
    assertEquals(1, outboxWrites.get());
  }

  @Test
  void a_second_charge_command_for_one_order_charges_it_once() throws Exception {
    UUID order = UUID.randomUUID();
    payments.charge(UUID.randomUUID(), charge(order, user, "tok_visa"), "r-1").await();
    payments.charge(UUID.randomUUID(), charge(order, user, "tok_visa"), "r-2").await();
    assertEquals(1, paymentStatuses(order).size());
    assertEquals(1, results(order).size());
  }

  @Test
  void a_payment_for_an_order_that_has_one_is_not_stored_and_writes_no_message() throws Exception {
    // the insert that loses to a concurrent one for the same order: its message must not be written either
    UUID order = UUID.randomUUID();
    PaymentRepository repository = new PaymentRepository();
    Payment first = new Payment(UUID.randomUUID(), order, user, 900, "EUR", "tok_visa", PaymentStatus.SUCCEEDED);
    Payment second = new Payment(UUID.randomUUID(), order, user, 900, "EUR", "tok_visa", PaymentStatus.DECLINED);
    assertTrue(repository.insert(pool, first, result(first)).await());
    assertFalse(repository.insert(pool, second, result(second)).await());
    assertEquals(List.of(PaymentStatus.SUCCEEDED.name()), paymentStatuses(order));
    assertEquals(List.of(PaymentStatus.SUCCEEDED.name()), results(order));
  }

  private static OutboxMessage result(Payment payment) {
    return OutboxMessage.of(Addresses.ORDER_SERVICE, SagaMessages.PAYMENT_RESULT, new JsonObject()
      .put("orderId", payment.orderId().toString()).put("status", payment.status().name()), "r-1");
  }

  @Test
  void a_refund_gives_a_captured_payment_back_and_tells_the_order() throws Exception {
    UUID order = UUID.randomUUID();
    payments.charge(UUID.randomUUID(), charge(order, user, "tok_visa"), "r-1").await();
    payments.refund(UUID.randomUUID(), new JsonObject().put("orderId", order.toString()), "r-2").await();
    assertEquals(List.of(PaymentStatus.REFUNDED.name()), paymentStatuses(order));
    assertEquals(List.of(PaymentStatus.SUCCEEDED.name(), PaymentStatus.REFUNDED.name()), results(order));
  }

  @Test
  void a_refund_of_a_declined_payment_changes_nothing() throws Exception {
    UUID order = UUID.randomUUID();
    payments.charge(UUID.randomUUID(), charge(order, user, "tok_chargeDeclined"), "r-1").await();
    payments.refund(UUID.randomUUID(), new JsonObject().put("orderId", order.toString()), "r-2").await();
    assertEquals(List.of(PaymentStatus.DECLINED.name()), paymentStatuses(order));
    assertEquals(List.of(PaymentStatus.DECLINED.name()), results(order));
  }

  @Test
  void a_refund_that_overtakes_its_charge_is_a_conflict_the_relay_retries() {
    ServiceException refused = assertThrows(ServiceException.class, () -> payments.refund(UUID.randomUUID(),
      new JsonObject().put("orderId", UUID.randomUUID().toString()), "r-1").await());
    assertEquals(ErrorCode.CONFLICT, refused.errorCode());
  }

  @Test
  void a_malformed_command_is_a_validation_failure() {
    ServiceException charge = assertThrows(ServiceException.class, () -> payments.charge(UUID.randomUUID(),
      new JsonObject().put("orderId", "not-a-uuid"), "r-1").await());
    ServiceException userless = assertThrows(ServiceException.class, () -> payments.charge(UUID.randomUUID(),
      charge(UUID.randomUUID(), user, "tok_visa").put("userId", "u-1"), "r-1").await());
    ServiceException refund = assertThrows(ServiceException.class, () -> payments.refund(UUID.randomUUID(),
      new JsonObject(), "r-1").await());
    assertEquals(ErrorCode.VALIDATION, charge.errorCode());
    assertEquals(ErrorCode.VALIDATION, userless.errorCode());
    assertEquals(ErrorCode.VALIDATION, refund.errorCode());
  }

  @Test
  void the_summary_counts_captured_payments_by_currency_and_leaves_out_refunded_ones() throws Exception {
    UUID refunded = UUID.randomUUID();
    payments.charge(UUID.randomUUID(), charge(UUID.randomUUID(), user, "tok_visa"), "r-1").await();
    payments.charge(UUID.randomUUID(), charge(UUID.randomUUID(), user, "tok_visa"), "r-2").await();
    payments.charge(UUID.randomUUID(), charge(UUID.randomUUID(), user, "tok_chargeDeclined"), "r-3").await();
    payments.charge(UUID.randomUUID(), charge(refunded, user, "tok_visa"), "r-4").await();
    payments.refund(UUID.randomUUID(), new JsonObject().put("orderId", refunded.toString()), "r-5").await();
    assertEquals(new JsonObject().put("succeeded", 2L).put("totalCaptured", new JsonObject().put("EUR", 1800L)),
      payments.summary(user).await());
  }
}
