package souk.common.outbox.impl;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import souk.common.trace.Traces;

import java.util.function.Supplier;

/**
 * The span of one outbox delivery, a child of the span that wrote the row (its {@code traceparent} column), so that
 * a saga message delivered seconds later, or after a restart, belongs to the trace of the request that caused it. The
 * event-bus request is sent with that span current: Vert.x's own span of the send, and the receiver's, follow it.
 * Rows written without a trace are delivered without a span.
 */
final class DeliverySpan {

  private DeliverySpan() {
  }

  static Future<Void> around(Row row, Supplier<Future<Void>> delivery) {
    String traceparent = row.getString("traceparent");
    if (traceparent == null) {
      return delivery.get();
    }
    Context parent = Traces.parent(traceparent);
    Span span = GlobalOpenTelemetry.getTracer("souk.outbox").spanBuilder("outbox " + row.getString("action"))
      .setParent(parent)
      .setSpanKind(SpanKind.PRODUCER)
      .setAttribute("messaging.system", "vertx-eventbus")
      .setAttribute("messaging.destination.name", row.getString("address"))
      .setAttribute("souk.outbox.message_id", row.getUUID("id").toString())
      .setAttribute("souk.outbox.attempt", row.getInteger("attempts") + 1L)
      .startSpan();
    Future<Void> sent;
    try (Scope ignored = parent.with(span).makeCurrent()) {
      sent = delivery.get();
    }
    return sent.onComplete(done -> {
      if (done.failed()) {
        span.setStatus(StatusCode.ERROR, String.valueOf(done.cause().getMessage()));
      }
      span.end();
    });
  }
}
