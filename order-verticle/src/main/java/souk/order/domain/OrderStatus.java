package souk.order.domain;

/** PENDING until the payment is known; CONFIRMED when it succeeded; CANCELLED by a decline or by the user. */
public enum OrderStatus {
  PENDING, CONFIRMED, CANCELLED;

  public static final String PAYMENT_DECLINED = "payment_declined";
  public static final String CANCELLED_BY_USER = "cancelled_by_user";
}
