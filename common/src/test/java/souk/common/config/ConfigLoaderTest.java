package souk.common.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

  @Test
  void keys_map_to_upper_snake_case_variables() {
    assertEquals("SOUK_HTTP_PORT", ConfigLoader.variableName("httpPort"));
    assertEquals("SOUK_PG_POOL_SIZE", ConfigLoader.variableName("pgPoolSize"));
    assertEquals("SOUK_JWT_SECRET", ConfigLoader.variableName("jwtSecret"));
  }

  @Test
  void the_module_file_overrides_the_common_defaults_and_the_environment_overrides_both() {
    JsonObject config = ConfigLoader.load(Map.of("SOUK_PG_PORT", "6543"), "souk-defaults.json", "test-node.json");
    assertEquals(6543, config.getInteger("pgPort"), "environment wins");
    assertEquals("souk_test", config.getString("pgDatabase"), "module file adds its own keys");
    assertEquals(12, config.getInteger("pgPoolSize"), "module file overrides the common default");
    assertEquals("localhost", config.getString("pgHost"), "common default kept");
  }

  @Test
  void values_take_the_type_of_their_default() {
    JsonObject defaults = new JsonObject().put("port", 1).put("flag", false).put("name", "x");
    JsonObject config = ConfigLoader.applyEnvironment(defaults,
      Map.of("SOUK_PORT", " 8081 ", "SOUK_FLAG", "yes", "SOUK_NAME", " spaced "));
    assertEquals(8081L, config.getLong("port"));
    assertTrue(config.getBoolean("flag"));
    assertEquals(" spaced ", config.getString("name"), "strings (secrets) are kept byte for byte");
  }

  @Test
  void a_malformed_number_stops_the_node_naming_the_variable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> ConfigLoader.applyEnvironment(new JsonObject().put("httpPort", 8080), Map.of("SOUK_HTTP_PORT", "eighty")));
    assertTrue(e.getMessage().contains("SOUK_HTTP_PORT"));
    assertThrows(IllegalArgumentException.class,
      () -> ConfigLoader.applyEnvironment(new JsonObject().put("flag", true), Map.of("SOUK_FLAG", "maybe")));
  }

  @Test
  void an_integer_too_large_for_its_setting_stops_the_node_instead_of_wrapping_around() {
    JsonObject config = ConfigLoader.applyEnvironment(ConfigLoader.load(Map.of(), "souk-defaults.json"),
      Map.of("SOUK_SHUTDOWN_SECONDS", "4294967311", "SOUK_RETENTION_EVERY_MS", "2592000000"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeConfig.from("test", config));
    assertTrue(e.getMessage().contains("SOUK_SHUTDOWN_SECONDS"), e.getMessage());
    assertEquals(2_592_000_000L, config.getLong("retentionEveryMs"), "a setting read as a long takes 30 days");
  }

  @Test
  void settings_outside_their_range_name_their_variable() {
    JsonObject defaults = ConfigLoader.load(Map.of(), "souk-defaults.json");
    for (Map.Entry<String, String> bad : Map.of("SOUK_SHUTDOWN_SECONDS", "0", "SOUK_CLUSTER_PORT", "70000",
      "SOUK_PG_WAIT_QUEUE_SIZE", "-1", "SOUK_PG_IDLE_IN_TRANSACTION_SECONDS", "0",
      "SOUK_OUTBOX_MAX_REJECTIONS", "4294967297", "SOUK_EVENT_LOOP_POLL_MICROS", "-1").entrySet()) {
      JsonObject config = ConfigLoader.applyEnvironment(defaults.copy(), Map.of(bad.getKey(), bad.getValue()));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
        NodeConfig.from("test", config);
        PgConfig.from(config.put("pgDatabase", "souk_test"));
        SagaConfig.from(config);
      }, bad.getKey());
      assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
    }
  }

  @Test
  void variables_without_a_default_are_ignored() {
    JsonObject config = ConfigLoader.applyEnvironment(new JsonObject().put("a", 1), Map.of("SOUK_UNKNOWN", "1"));
    assertFalse(config.containsKey("unknown"));
  }

  @Test
  void a_missing_resource_is_a_clear_error() {
    assertThrows(IllegalStateException.class, () -> ConfigLoader.load(Map.of(), "nope.json"));
  }

  @Test
  void event_loops_poll_for_50_microseconds_unless_the_variable_says_otherwise() {
    assertEquals(50, NodeConfig.from("test-service", ConfigLoader.load(Map.of(), "souk-defaults.json",
      "test-node.json")).eventLoopPollMicros());
    assertEquals(0, NodeConfig.from("test-service", ConfigLoader.load(Map.of("SOUK_EVENT_LOOP_POLL_MICROS", "0"),
      "souk-defaults.json", "test-node.json")).eventLoopPollMicros());
  }

  @Test
  void cluster_members_are_split_and_trimmed() {
    JsonObject raw = ConfigLoader.load(Map.of("SOUK_CLUSTER_MEMBERS", " 10.0.0.1, 10.0.0.2:5702 ,,"),
      "souk-defaults.json", "test-node.json");
    NodeConfig node = NodeConfig.from("test-service", raw);
    assertEquals(List.of("10.0.0.1", "10.0.0.2:5702"), node.clusterMembers());
    assertEquals("souk", node.clusterName());
  }
}
