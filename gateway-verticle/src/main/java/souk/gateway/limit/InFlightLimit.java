package souk.gateway.limit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.gateway.http.AccessLog;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Sheds what a gateway cannot serve in time: at most {@code max} {@code /api} requests in flight on this gateway at
 * once. One more is answered 503 with {@code Retry-After: 1} at once, before a service is asked, so it costs little
 * and changes nothing. The gateway counts a request once its body is in: a client sending its body slowly holds a
 * connection, not a slot; the requests already admitted keep their latency instead of
 * queueing behind it. Exported as {@code souk_gateway_in_flight} and {@code souk_gateway_shed_total}; a shed
 * request writes no access-log line of its own, and one WARN line at most every {@link #REPORT_EVERY_MS} counts them.
 */
public final class InFlightLimit implements Handler<RoutingContext> {

  /** Seconds a shed client is asked to wait: overload passes quickly or not at all, and the limiter spaces retries. */
  static final int RETRY_AFTER_SECONDS = 1;
  /** Least time between two lines reporting shed requests, milliseconds. */
  static final long REPORT_EVERY_MS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(InFlightLimit.class);
  // one answer for every shed request: it has no stack trace and never changes
  private static final ServiceException BUSY = new ServiceException(ErrorCode.UNAVAILABLE,
    "Souk is serving as many requests as it can; retry after " + RETRY_AFTER_SECONDS + " s")
    .retryAfter(RETRY_AFTER_SECONDS);

  private final int max;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter shed;
  private final AtomicLong lastReport = new AtomicLong();
  private final AtomicLong shedSinceReport = new AtomicLong();

  public InFlightLimit(int max, MeterRegistry metrics) {
    this.max = max;
    Gauge.builder("souk_gateway_in_flight", inFlight, AtomicInteger::get)
      .description("API requests this gateway is serving").register(metrics);
    this.shed = Counter.builder("souk_gateway_shed")
      .description("API requests refused with 503 because too many were in flight").register(metrics);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().closed() || ctx.response().ended()) {
      // the client left while an earlier handler (the rate limiter) was deciding: no slot to take, none to give back
      return;
    }
    if (inFlight.incrementAndGet() > max) {
      inFlight.decrementAndGet();
      shed.increment();
      report();
      AccessLog.notAnError(ctx);
      ctx.fail(BUSY);
      return;
    }
    // called once the answer is written or the connection is gone, whichever comes first
    ctx.addEndHandler(done -> inFlight.decrementAndGet());
    ctx.next();
  }

  private void report() {
    long count = shedSinceReport.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastReport.get();
    if (now - last >= REPORT_EVERY_MS && lastReport.compareAndSet(last, now)) {
      shedSinceReport.addAndGet(-count);
      LOG.warn("shedding load: requests refused with 503 because {} were in flight (SOUK_MAX_IN_FLIGHT)", max,
        kv("shed", count), kv("sinceMs", last == 0 ? 0 : now - last));
    }
  }

  /** Requests admitted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }
}
