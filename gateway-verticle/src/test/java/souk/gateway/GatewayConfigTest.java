package souk.gateway;

import org.junit.jupiter.api.Test;
import souk.common.config.ConfigLoader;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayConfigTest {

  private static GatewayConfig config(Map<String, String> env) {
    return GatewayConfig.from(ConfigLoader.load(env, "souk-defaults.json", "gateway-node.json"));
  }

  @Test
  void the_defaults_load() {
    GatewayConfig config = config(Map.of());
    assertEquals(65_536, config.bodyLimitBytes());
    assertEquals(10_000, config.limits().bodyTimeoutMs());
    assertEquals(30, config.jwtLeewaySeconds());
  }

  @Test
  void a_number_that_would_turn_a_bound_off_or_wrap_around_stops_the_gateway_naming_its_variable() {
    for (Map.Entry<String, String> bad : Map.of("SOUK_BODY_LIMIT_BYTES", "-1", "SOUK_REQUEST_TIMEOUT_MS", "0",
      "SOUK_JWT_LEEWAY_SECONDS", "-5", "SOUK_RATE_LIMIT_RPS", "4294967346", "SOUK_HTTP_PORT", "65536",
      "SOUK_BODY_TIMEOUT_MS", "0").entrySet()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config(Map.of(bad.getKey(), bad.getValue())), bad.getKey());
      assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
    }
  }
}
