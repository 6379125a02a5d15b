package souk.common.trace;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import souk.common.config.ConfigLoader;

import java.util.List;
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

  @Test
  void the_logging_exporter_starts_a_tracer_that_records_spans() {
    var sdk = Tracing.start("order-service", config(Map.of("SOUK_OTEL_EXPORTER", "logging"))).orElseThrow();
    try {
      var span = sdk.getTracer("test").spanBuilder("probe").startSpan();
      assertTrue(span.getSpanContext().isValid() && span.getSpanContext().isSampled(), "ratio 1 keeps every trace");
      span.end();
    } finally {
      sdk.close();
    }
  }

  @Test
  void a_client_asking_for_sampling_gets_the_configured_ratio_all_the_same() {
    var sampledByClient = Traces.parent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertEquals(SamplingDecision.DROP, decide(Tracing.sampler(0), sampledByClient));
    assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Tracing.sampler(1), sampledByClient));
    var notSampled = Traces.parent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    assertEquals(SamplingDecision.DROP, decide(Tracing.sampler(1), notSampled), "a parent's no is followed");
  }

  private static SamplingDecision decide(Sampler sampler, io.opentelemetry.context.Context parent) {
    return sampler.shouldSample(parent, "4bf92f3577b34da6a3ce929d0e0e4736", "GET", SpanKind.SERVER,
      Attributes.empty(), List.of()).getDecision();
  }
}
