package souk.payment;

import org.junit.jupiter.api.Test;
import souk.common.config.ConfigLoader;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaymentConfigTest {

  private static PaymentConfig config(Map<String, String> env) {
    return PaymentConfig.from(ConfigLoader.load(env, "souk-defaults.json", "payment-node.json"));
  }

  @Test
  void a_processor_slower_than_the_database_lets_a_transaction_idle_stops_the_node_at_start() {
    assertEquals(6_000, config(Map.of("SOUK_PAYMENT_PROVIDER_DELAY_MS", "6000")).providerDelayMs());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> config(Map.of("SOUK_PAYMENT_PROVIDER_DELAY_MS", "30000")));
    assertTrue(e.getMessage().contains("SOUK_PG_IDLE_IN_TRANSACTION_SECONDS"), e.getMessage());
    assertEquals(30_000, config(Map.of("SOUK_PAYMENT_PROVIDER_DELAY_MS", "30000",
      "SOUK_PG_IDLE_IN_TRANSACTION_SECONDS", "60")).providerDelayMs());
    assertThrows(IllegalArgumentException.class, () -> config(Map.of("SOUK_PAYMENT_PROVIDER_DELAY_MS", "-1")));
  }
}
