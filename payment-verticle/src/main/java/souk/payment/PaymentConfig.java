package souk.payment;

import io.vertx.core.json.JsonObject;
import souk.common.config.PgConfig;
import souk.common.config.SagaConfig;

/**
 * Payment node settings, from {@code payment-node.json} and {@code SOUK_*} variables.
 *
 * @param pg              the {@code souk_payment} database
 * @param saga            outbox delivery and clean-up
 * @param providerDelayMs how long the simulated processor takes per charge, milliseconds
 *                        ({@code SOUK_PAYMENT_PROVIDER_DELAY_MS}, default 0: at once)
 */
public record PaymentConfig(PgConfig pg, SagaConfig saga, long providerDelayMs) {

  public static PaymentConfig from(JsonObject json) {
    return new PaymentConfig(PgConfig.from(json), SagaConfig.from(json), json.getLong("paymentProviderDelayMs"));
  }
}
