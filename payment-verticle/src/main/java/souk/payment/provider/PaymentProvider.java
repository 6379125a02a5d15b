package souk.payment.provider;

import io.vertx.core.Future;

/** The card processor. Implementations must be idempotent per order id: it is the key a real provider is given. */
public interface PaymentProvider {

  /** Whether the processor captured {@code amount} minor units of {@code currency} with {@code method}. */
  Future<Boolean> charge(String orderId, String method, long amount, String currency);

  /** Gives back a captured charge. */
  Future<Void> refund(String orderId, long amount, String currency);
}
