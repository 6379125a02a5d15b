package souk.common.trace;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the current span's {@code traceId} and {@code spanId} in the MDC of every log call, so that each line a
 * node writes while it works on a traced request names the trace next to the request id. Runs in the calling
 * thread, before the asynchronous appenders copy the MDC. Installed only when tracing is on.
 */
public final class TraceIdsInLogs extends TurboFilter {

  public static final String TRACE_ID = "traceId";
  public static final String SPAN_ID = "spanId";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid()) {
      MDC.put(TRACE_ID, span.getTraceId());
      MDC.put(SPAN_ID, span.getSpanId());
    } else {
      MDC.remove(TRACE_ID);
      MDC.remove(SPAN_ID);
    }
    return FilterReply.NEUTRAL;
  }
}
