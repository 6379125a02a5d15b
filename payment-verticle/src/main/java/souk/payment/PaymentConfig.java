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
 *                        ({@code SOUK_PAYMENT_PROVIDER_DELAY_MS}, default 0: at once); the processor is asked inside
 *                        the charge's transaction, so it must answer before the database ends an idle transaction
 */
public record PaymentConfig(PgConfig pg, SagaConfig saga, long providerDelayMs) {

  public PaymentConfig {
    if (providerDelayMs < 0 || providerDelayMs >= pg.idleInTransactionSeconds() * 1_000L) {
      throw new IllegalArgumentException("SOUK_PAYMENT_PROVIDER_DELAY_MS must be at least 0 and below "
        + "SOUK_PG_IDLE_IN_TRANSACTION_SECONDS (" + pg.idleInTransactionSeconds() + " s): the processor is asked inside "
        + "the charge's transaction, which the database would end first");
    }
  }

  public static PaymentConfig from(JsonObject json) {
    return new PaymentConfig(PgConfig.from(json), SagaConfig.from(json), json.getLong("paymentProviderDelayMs"));
  }
}
