package souk.common.trace;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * OpenTelemetry tracing of a node, off unless {@code SOUK_OTEL_EXPORTER} names an exporter: then the node gets a
 * tracer, and the HTTP server and client, the event bus and the PostgreSQL client report spans, W3C
 * {@code traceparent} carrying the trace between nodes.
 * <ul>
 *   <li>{@code SOUK_OTEL_EXPORTER}: empty (the default: no tracer at all), {@code otlp} (to the endpoint of the
 *       standard {@code OTEL_EXPORTER_OTLP_*} variables; OTLP over HTTP with protobuf unless
 *       {@code OTEL_EXPORTER_OTLP_PROTOCOL} says otherwise) or {@code logging} (one line per span, through
 *       {@code java.util.logging}, for a look without a collector).</li>
 *   <li>{@code SOUK_OTEL_SAMPLE_RATIO}: the share of traces started at this node that are recorded, 0 to 1 (default
 *       1); a trace that arrives sampled, or not, stays so.</li>
 * </ul>
 * Other standard {@code OTEL_*} variables apply (service name, resource attributes, batch delays).
 */
public final class Tracing {

  private static volatile boolean started;

  private Tracing() {
  }

  /** Whether the node's configuration turns tracing on. */
  public static boolean enabled(JsonObject config) {
    return !exporter(config).isEmpty();
  }

  /** The node's OpenTelemetry SDK, also made the global one; empty when tracing is off. */
  public static Optional<OpenTelemetrySdk> start(String service, JsonObject config) {
    String exporter = exporter(config);
    if (exporter.isEmpty()) {
      return Optional.empty();
    }
    if (!exporter.equals("otlp") && !exporter.equals("logging")) {
      throw new IllegalArgumentException("SOUK_OTEL_EXPORTER must be otlp or logging (or empty: no tracing), got '"
        + exporter + "'");
    }
    String ratio = sampleRatio(config);
    Map<String, String> defaults = Map.of(
      "otel.service.name", service,
      "otel.exporter.otlp.protocol", "http/protobuf");
    Map<String, String> fixed = Map.of(
      "otel.traces.exporter", exporter,
      "otel.metrics.exporter", "none",
      "otel.logs.exporter", "none",
      "otel.propagators", "tracecontext",
      "otel.traces.sampler", "parentbased_traceidratio",
      "otel.traces.sampler.arg", ratio);
    double byRatio = Double.parseDouble(ratio);
    started = true;
    return Optional.of(AutoConfiguredOpenTelemetrySdk.builder()
      .addPropertiesSupplier(() -> defaults)
      .addPropertiesCustomizer(properties -> fixed)
      .addSamplerCustomizer((configured, properties) -> sampler(byRatio))
      .setResultAsGlobal()
      .build()
      .getOpenTelemetrySdk());
  }

  /** Whether this node started a tracer: without one there is no span to look up. */
  public static boolean started() {
    return started;
  }

  /**
   * Sampling by trace id at the given ratio, whatever a remote parent asks: a client's {@code traceparent} that says
   * "sampled" cannot make the gateway trace every request it sends. A trace id gets the same answer on every node,
   * so a trace is kept or dropped as a whole; a parent that says "not sampled" is followed.
   */
  static Sampler sampler(double ratio) {
    Sampler byRatio = Sampler.traceIdRatioBased(ratio);
    return Sampler.parentBasedBuilder(byRatio).setRemoteParentSampled(byRatio).build();
  }

  private static String exporter(JsonObject config) {
    return config.getString("otelExporter", "").trim().toLowerCase(Locale.ROOT);
  }

  private static String sampleRatio(JsonObject config) {
    String raw = config.getString("otelSampleRatio", "1.0").trim();
    try {
      double ratio = Double.parseDouble(raw);
      if (ratio >= 0 && ratio <= 1) {
        return raw;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("SOUK_OTEL_SAMPLE_RATIO must be a number from 0 to 1, got '" + raw + "'");
  }
}
