package souk.gateway.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import souk.common.trace.Traces;

/**
 * Returns the W3C {@code traceparent} of the gateway's span of the request, so that a client can find its request's
 * trace (and name it when it reports a problem). Mounted only when the gateway traces.
 */
public final class TraceResponse implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    String traceparent = Traces.currentTraceparent();
    if (traceparent != null) {
      ctx.response().putHeader(Traces.TRACEPARENT, traceparent);
    }
    ctx.next();
  }
}
