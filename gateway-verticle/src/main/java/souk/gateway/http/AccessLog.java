package souk.gateway.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static net.logstash.logback.argument.StructuredArguments.kv;

/** One JSON log line per answered request, with its request id, route template, status and duration. */
public final class AccessLog implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger("souk.access");

  @Override
  public void handle(RoutingContext ctx) {
    long began = System.nanoTime();
    ctx.addEndHandler(done -> LOG.info("request",
      kv("requestId", RequestIds.of(ctx)),
      kv("method", ctx.request().method().name()),
      kv("path", ctx.request().path()),
      kv("status", ctx.response().getStatusCode()),
      kv("durationMs", (System.nanoTime() - began) / 1_000_000)));
    ctx.next();
  }
}
