package souk.common.saga;

/**
 * The status of a payment: what the payment service stores, what its {@link SagaMessages#PAYMENT_RESULT} says and
 * what an order shows. Spelled on the wire and in both databases as {@link #name()}.
 */
public enum PaymentStatus {
  /** The charge was captured. */
  SUCCEEDED,
  /** The processor refused the charge. */
  DECLINED,
  /** A captured charge was given back. */
  REFUNDED;

  /** The status named {@code name}, or {@code null} for {@code null} or a name this table does not know. */
  public static PaymentStatus parse(String name) {
    if (name == null) {
      return null;
    }
    for (PaymentStatus status : values()) {
      if (status.name().equals(name)) {
        return status;
      }
    }
    return null;
  }
}
