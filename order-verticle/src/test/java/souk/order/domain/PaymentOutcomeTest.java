package souk.order.domain;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;
import souk.common.saga.PaymentStatus;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaymentOutcomeTest {

  private final UUID paymentId = UUID.randomUUID();

  private static Order pending() {
    Instant now = Instant.now();
    return new Order(UUID.randomUUID(), UUID.randomUUID(), OrderStatus.PENDING, new JsonArray(), 500, "EUR", "tok_visa", null,
      null, null, null, now, now);
  }

  @Test
  void success_confirms_a_pending_order() {
    PaymentOutcome.Applied applied = PaymentOutcome.apply(pending(), PaymentStatus.SUCCEEDED, paymentId, 500);
    assertEquals(OrderStatus.CONFIRMED, applied.order().status());
    assertEquals(PaymentStatus.SUCCEEDED, applied.order().paymentStatus());
    assertTrue(applied.statusChanged());
    assertFalse(applied.refund());
  }

  @Test
  void decline_cancels_a_pending_order_as_payment_declined() {
    PaymentOutcome.Applied applied = PaymentOutcome.apply(pending(), PaymentStatus.DECLINED, paymentId, 500);
    assertEquals(OrderStatus.CANCELLED, applied.order().status());
    assertEquals("payment_declined", applied.order().cancellationReason());
    assertFalse(applied.refund());
  }

  @Test
  void success_after_the_user_cancelled_is_refunded_and_the_order_stays_cancelled() {
    Order cancelled = pending().cancelled(OrderStatus.CANCELLED_BY_USER);
    PaymentOutcome.Applied applied = PaymentOutcome.apply(cancelled, PaymentStatus.SUCCEEDED, paymentId, 500);
    assertEquals(OrderStatus.CANCELLED, applied.order().status());
    assertEquals("cancelled_by_user", applied.order().cancellationReason());
    assertTrue(applied.refund());
    assertFalse(applied.statusChanged());
  }

  @Test
  void a_result_the_order_already_reflects_changes_nothing() {
    Order confirmed = PaymentOutcome.apply(pending(), PaymentStatus.SUCCEEDED, paymentId, 500).order();
    PaymentOutcome.Applied again = PaymentOutcome.apply(confirmed, PaymentStatus.SUCCEEDED, paymentId, 500);
    assertFalse(again.changed());
    assertFalse(again.refund());
  }

  @Test
  void refund_marks_the_payment_refunded_without_touching_the_status() {
    Order cancelled = PaymentOutcome.apply(pending(), PaymentStatus.SUCCEEDED, paymentId, 500).order()
      .cancelled(OrderStatus.CANCELLED_BY_USER);
    PaymentOutcome.Applied applied = PaymentOutcome.apply(cancelled, PaymentStatus.REFUNDED, paymentId, 500);
    assertEquals(PaymentStatus.REFUNDED, applied.order().paymentStatus());
    assertEquals(OrderStatus.CANCELLED, applied.order().status());
    assertFalse(applied.statusChanged());
  }
}
