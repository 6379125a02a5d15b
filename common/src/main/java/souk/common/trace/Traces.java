package souk.common.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;

import java.util.List;

/**
 * W3C {@code traceparent} values of the span current on this Vert.x context, for what outlives the call that
 * started it (an outbox row, a response header), and back.
 */
public final class Traces {

  /** The W3C trace-context header. */
  public static final String TRACEPARENT = "traceparent";

  private static final TextMapGetter<String> SINGLE = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(String carrier) {
      return List.of(TRACEPARENT);
    }

    @Override
    public String get(String carrier, String key) {
      return TRACEPARENT.equals(key) ? carrier : null;
    }
  };

  private Traces() {
  }

  /** {@code 00-<trace id>-<span id>-<flags>} of the current span, or {@code null} when no span is current. */
  public static String currentTraceparent() {
    if (!Tracing.started()) {
      return null;
    }
    SpanContext span = Span.current().getSpanContext();
    if (!span.isValid()) {
      return null;
    }
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
  }

  /** The context whose remote parent {@code traceparent} names; the root context when it names none. */
  public static Context parent(String traceparent) {
    if (traceparent == null) {
      return Context.root();
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, SINGLE);
  }
}
