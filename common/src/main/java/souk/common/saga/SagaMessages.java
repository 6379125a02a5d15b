package souk.common.saga;

/**
 * The messages of the order saga between the order and the payment service, sent through each service's outbox.
 * Every message carries its id in the {@link souk.common.outbox.Outbox#MESSAGE_ID} header.
 *
 * <ul>
 *   <li>{@link #CHARGE} to {@code payment-service}: {@code {orderId, userId, amount, currency, paymentMethod}}</li>
 *   <li>{@link #REFUND} to {@code payment-service}: {@code {orderId}}</li>
 *   <li>{@link #PAYMENT_RESULT} to {@code order-service}:
 *       {@code {orderId, paymentId, status, amount}}, the status a {@link PaymentStatus} name</li>
 * </ul>
 * Each is acknowledged with an empty object once its effect is committed (or found already done).
 */
public final class SagaMessages {

  public static final String CHARGE = "charge";
  public static final String REFUND = "refund";
  public static final String PAYMENT_RESULT = "payment-result";

  private SagaMessages() {
  }
}
