package souk.gateway.limit;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.gateway.http.AccessLog;
import souk.gateway.http.Problems;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the API requests whose bodies are still arriving: at most {@code max} on this gateway at once (one more is a
 * 503 with {@code Retry-After: 1}), and each has {@code timeoutMs} to arrive in full, after which it is a 408 and its
 * HTTP/1.x connection is closed (an HTTP/2 stream is cancelled). A request with no body to wait for (a GET) is not
 * counted. With {@link InFlightLimit} after the body handler, this is what keeps slow senders from holding the
 * gateway's memory: at most {@code max} bodies of {@code SOUK_BODY_LIMIT_BYTES} are being buffered, none for longer
 * than {@code timeoutMs}.
 *
 * <p>{@link #arriving()} goes before the body handler and {@link #arrived()} right after it, on the same route.
 */
public final class BodyGuard {

  private static final String KEY = "souk.body";
  /** HTTP/2's CANCEL error code, for a stream whose body did not arrive in time. */
  private static final long CANCEL = 0x8;
  private static final ServiceException BUSY = new ServiceException(ErrorCode.UNAVAILABLE,
    "Souk is receiving as many request bodies as it can; retry after " + InFlightLimit.RETRY_AFTER_SECONDS + " s")
    .retryAfter(InFlightLimit.RETRY_AFTER_SECONDS);

  private final Vertx vertx;
  private final int max;
  private final long timeoutMs;
  private final AtomicInteger receiving = new AtomicInteger();

  public BodyGuard(Vertx vertx, int max, long timeoutMs) {
    this.vertx = vertx;
    this.max = max;
    this.timeoutMs = timeoutMs;
  }

  public Handler<RoutingContext> arriving() {
    return ctx -> {
      if (!bodyToCome(ctx.request())) {
        ctx.next();
        return;
      }
      if (receiving.incrementAndGet() > max) {
        receiving.decrementAndGet();
        AccessLog.notAnError(ctx);
        ctx.fail(BUSY);
        return;
      }
      // the timer fires on this request's event loop, where its other handlers run: no race with arrived()
      Arrival arrival = new Arrival();
      arrival.timer = vertx.setTimer(timeoutMs, id -> {
        if (release(arrival)) {
          timedOut(ctx);
        }
      });
      ctx.put(KEY, arrival);
      // the client may leave before its body is in
      ctx.addEndHandler(done -> release(arrival));
      ctx.next();
    };
  }

  public Handler<RoutingContext> arrived() {
    return ctx -> {
      Arrival arrival = ctx.get(KEY);
      if (arrival != null) {
        release(arrival);
      }
      ctx.next();
    };
  }

  /** Requests whose bodies are arriving now. */
  public int receiving() {
    return receiving.get();
  }

  // a GET carries no body: nothing to count, no timer on the common path
  private static boolean bodyToCome(HttpServerRequest request) {
    if (request.isEnded()) {
      return false;
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return !length.equals("0");
    }
    if (request.version() == HttpVersion.HTTP_2) {
      // HTTP/2 hands over a request before its end of stream is read, and may send a body without a length: only
      // the methods that carry none are taken at their word
      HttpMethod method = request.method();
      return method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS
        && method != HttpMethod.DELETE;
    }
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  private boolean release(Arrival arrival) {
    if (arrival.released) {
      return false;
    }
    arrival.released = true;
    vertx.cancelTimer(arrival.timer);
    receiving.decrementAndGet();
    return true;
  }

  private static void timedOut(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (ctx.request().version() == HttpVersion.HTTP_2) {
      // the stream is cancelled, so that nothing more of its body is taken in; the connection's other streams go on
      ctx.response().reset(CANCEL);
      return;
    }
    // the rest of the body would be read as the next request: the connection ends with this answer
    ctx.response().putHeader("Connection", "close");
    Problems.send(ctx, 408, "Request Timeout", "The request body did not arrive in time")
      .onComplete(sent -> ctx.request().connection().close());
  }

  private static final class Arrival {
    long timer;
    boolean released;
  }
}
