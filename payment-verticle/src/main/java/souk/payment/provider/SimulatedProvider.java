package souk.payment.provider;

import io.vertx.core.Future;

/**
 * The simulated processor of the API (docs/api.md): {@code tok_visa} is approved, {@code tok_chargeDeclined} (and anything else, which
 * the order service never sends) is declined. Answers at once, so calling it inside a transaction holds no lock long.
 */
public final class SimulatedProvider implements PaymentProvider {

  public static final String APPROVED = "tok_visa";
  public static final String DECLINED = "tok_chargeDeclined";

  @Override
  public Future<Boolean> charge(String orderId, String method, long amount, String currency) {
    return Future.succeededFuture(APPROVED.equals(method));
  }

  @Override
  public Future<Void> refund(String orderId, long amount, String currency) {
    return Future.succeededFuture();
  }
}
