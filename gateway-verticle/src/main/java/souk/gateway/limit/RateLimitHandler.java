package souk.gateway.limit;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.gateway.http.Bearer;

/**
 * Rate limits {@code /api}: one token bucket per client identity, which is the subject of a valid bearer token, else
 * the client's address. Every answer carries {@code RateLimit-Limit}, {@code RateLimit-Remaining} and
 * {@code RateLimit-Reset} (seconds until the bucket is full again); a refused request is a 429 with
 * {@code Retry-After} and goes no further, so it changes nothing.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {

  public static final String LIMIT = "RateLimit-Limit";
  public static final String REMAINING = "RateLimit-Remaining";
  public static final String RESET = "RateLimit-Reset";

  private final RateLimiter limiter;
  private final Bearer bearer;
  private final TrustedProxies proxies;

  public RateLimitHandler(RateLimiter limiter, Bearer bearer, TrustedProxies proxies) {
    this.limiter = limiter;
    this.bearer = bearer;
    this.proxies = proxies;
  }

  /** The client's address, through trusted proxies only. */
  public static String clientAddress(RoutingContext ctx, TrustedProxies proxies) {
    String peer = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    return proxies.client(peer, ctx.request().getHeader("X-Forwarded-For"));
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (Bearer.offered(ctx)) {
      // a forged or expired token counts against the address it came from
      bearer.caller(ctx).onComplete(checked -> admit(ctx, checked.succeeded()
        ? "user:" + checked.result()
        : "addr:" + clientAddress(ctx, proxies)));
    } else {
      admit(ctx, "addr:" + clientAddress(ctx, proxies));
    }
  }

  private void admit(RoutingContext ctx, String identity) {
    RateLimiter.Decision decision = limiter.acquire(identity);
    MultiMap headers = ctx.response().headers();
    headers.set(LIMIT, Integer.toString(decision.limit()));
    headers.set(REMAINING, Integer.toString(decision.remaining()));
    headers.set(RESET, Long.toString(decision.resetSeconds()));
    if (decision.allowed()) {
      ctx.next();
      return;
    }
    ctx.fail(new ServiceException(ErrorCode.TOO_MANY_REQUESTS,
      "Too many requests from this client; retry after " + decision.retryAfterSeconds() + " s")
      .retryAfter((int) decision.retryAfterSeconds()));
  }
}
