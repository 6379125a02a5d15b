package souk.payment.provider;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * The simulated processor of the API (docs/api.md): {@code tok_visa} is approved, {@code tok_chargeDeclined} (and anything else, which
 * the order service never sends) is declined. It answers at once, or after {@code SOUK_PAYMENT_PROVIDER_DELAY_MS} to
 * behave like a slow processor (charges only; the reliability tests use it to outlast the outbox's send timeout).
 */
public final class SimulatedProvider implements PaymentProvider {

  public static final String APPROVED = "tok_visa";
  public static final String DECLINED = "tok_chargeDeclined";

  private final Vertx vertx;
  private final long delayMs;

  public SimulatedProvider(Vertx vertx, long delayMs) {
    this.vertx = vertx;
    this.delayMs = delayMs;
  }

  @Override
  public Future<Boolean> charge(String orderId, String method, long amount, String currency) {
    boolean approved = APPROVED.equals(method);
    return delayMs <= 0 ? Future.succeededFuture(approved)
      : vertx.timer(delayMs, TimeUnit.MILLISECONDS).map(approved);
  }

  @Override
  public Future<Void> refund(String orderId, long amount, String currency) {
    return Future.succeededFuture();
  }
}
