package souk.order.domain;

import souk.common.saga.PaymentStatus;

import java.util.UUID;

/**
 * What a payment result does to an order (docs/saga.md). Pure: the caller stores {@link Applied#order()}, sends a
 * refund when {@link Applied#refund()} and notifies browsers when {@link Applied#changed()}.
 *
 * <ul>
 *   <li>SUCCEEDED on PENDING → CONFIRMED; on an order the user cancelled meanwhile → refund it.</li>
 *   <li>DECLINED on PENDING → CANCELLED {@code payment_declined}.</li>
 *   <li>REFUNDED → the payment shows REFUNDED.</li>
 * </ul>
 * A result the order already reflects changes nothing, so a repeated result is harmless even without its message id.
 */
public final class PaymentOutcome {

  /** The order after the result; whether it must be stored, whether its status moved, whether to refund. */
  public record Applied(Order order, boolean changed, boolean statusChanged, boolean refund) {
  }

  private PaymentOutcome() {
  }

  public static Applied apply(Order order, PaymentStatus result, UUID paymentId, long amount) {
    PaymentStatus known = order.paymentStatus();
    return switch (result) {
      case SUCCEEDED -> known != null ? unchanged(order) : succeeded(order, paymentId, amount);
      case DECLINED -> known != null ? unchanged(order) : declined(order, paymentId, amount);
      case REFUNDED -> known == PaymentStatus.REFUNDED ? unchanged(order)
        : new Applied(order.withPayment(paymentId, PaymentStatus.REFUNDED, amount), true, false, false);
    };
  }

  private static Applied succeeded(Order order, UUID paymentId, long amount) {
    Order paid = order.withPayment(paymentId, PaymentStatus.SUCCEEDED, amount);
    if (order.status() == OrderStatus.PENDING) {
      return new Applied(paid.withStatus(OrderStatus.CONFIRMED), true, true, false);
    }
    // the user cancelled while the charge was on its way: give the money back
    return new Applied(paid, true, false, true);
  }

  private static Applied declined(Order order, UUID paymentId, long amount) {
    Order refused = order.withPayment(paymentId, PaymentStatus.DECLINED, amount);
    if (order.status() == OrderStatus.PENDING) {
      return new Applied(refused.cancelled(OrderStatus.PAYMENT_DECLINED), true, true, false);
    }
    return new Applied(refused, true, false, false);
  }

  private static Applied unchanged(Order order) {
    return new Applied(order, false, false, false);
  }
}
