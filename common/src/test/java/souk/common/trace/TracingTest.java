package souk.common.trace;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import souk.common.config.ConfigLoader;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracingTest {

  private static JsonObject config(Map<String, String> env) {
    return ConfigLoader.load(env, "souk-defaults.json");
  }

  @Test
  void tracing_is_off_unless_an_exporter_is_named() {
    assertFalse(Tracing.enabled(config(Map.of())));
    assertTrue(Tracing.start("order-service", config(Map.of())).isEmpty(), "no SDK, hence no tracer");
    assertTrue(Tracing.enabled(config(Map.of("SOUK_OTEL_EXPORTER", "otlp"))));
  }

  @Test
  void an_unknown_exporter_stops_the_node_naming_the_variable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> Tracing.start("order-service", config(Map.of("SOUK_OTEL_EXPORTER", "zipkin"))));
    assertTrue(e.getMessage().contains("SOUK_OTEL_EXPORTER"), e.getMessage());
  }

  @Test
  void a_sample_ratio_outside_zero_to_one_stops_the_node() {
    for (String ratio : new String[] {"1.5", "-0.1", "half"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tracing.start("order-service",
        config(Map.of("SOUK_OTEL_EXPORTER", "logging", "SOUK_OTEL_SAMPLE_RATIO", ratio))));
      assertTrue(e.getMessage().contains("SOUK_OTEL_SAMPLE_RATIO"), e.getMessage());
    }
  }

  @Test
  void a_traceparent_names_its_remote_parent_and_none_is_the_root() {
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    var parent = io.opentelemetry.api.trace.Span.fromContext(Traces.parent(traceparent)).getSpanContext();
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", parent.getTraceId());
    assertEquals("00f067aa0ba902b7", parent.getSpanId());
    assertTrue(parent.isRemote() && parent.isSampled());
    assertFalse(io.opentelemetry.api.trace.Span.fromContext(Traces.parent(null)).getSpanContext().isValid());
    assertNull(Traces.currentTraceparent(), "no span is current here");
  }
}
