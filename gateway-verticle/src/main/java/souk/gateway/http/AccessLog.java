package souk.gateway.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.log.AccessLogMode;
import souk.common.ops.Probes;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One log line per answered request, with its request id, method, path, status and duration: for every request
 * ({@code SOUK_ACCESS_LOG=all}), for 5xx answers only ({@code errors}, the default) or never ({@code off}).
 */
public final class AccessLog implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger("souk.access");
  private static final String UNLOGGED = "souk.unlogged";

  private final AccessLogMode mode;

  public AccessLog(AccessLogMode mode) {
    this.mode = mode;
  }

  /**
   * Keeps a request's 5xx answer out of the {@code errors} lines: for refusals made on purpose that are counted and
   * reported in bulk, where a line each would add work in the very moment there is too much of it.
   */
  public static void notAnError(RoutingContext ctx) {
    ctx.put(UNLOGGED, Boolean.TRUE);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (mode != AccessLogMode.OFF) {
      long began = System.nanoTime();
      ctx.addEndHandler(done -> {
        int status = ctx.response().getStatusCode();
        // a 503 from /ready is the probe's answer (not ready yet), not a failure
        boolean failed = status >= 500 && !Probes.READY.equals(ctx.request().path()) && ctx.get(UNLOGGED) == null;
        if (mode.logs(failed)) {
          LOG.info("request",
            kv("requestId", RequestIds.of(ctx)),
            kv("method", ctx.request().method().name()),
            kv("path", ctx.request().path()),
            kv("status", status),
            kv("durationMs", (System.nanoTime() - began) / 1_000_000));
        }
      });
    }
    ctx.next();
  }
}
