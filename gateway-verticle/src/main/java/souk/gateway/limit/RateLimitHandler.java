package souk.gateway.limit;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.gateway.auth.TokenEndpoint;
import souk.gateway.http.Bearer;

import java.util.List;

/**
 * Rate limits {@code /api}: one token bucket per client identity, which is the subject of a valid bearer token, else
 * the client's address. A sign-in is always charged to the address: tokens of several accounts must not buy a
 * password spray a budget each. Every answer carries {@code RateLimit-Limit}, {@code RateLimit-Remaining} and
 * {@code RateLimit-Reset} (seconds until the bucket is full again); a refused request is a 429 with
 * {@code Retry-After} and goes no further, so it changes nothing.
 */
public final class RateLimitHandler implements Handler<RoutingContext> {

  public static final String LIMIT = "RateLimit-Limit";
  public static final String REMAINING = "RateLimit-Remaining";
  public static final String RESET = "RateLimit-Reset";
  private static final String FORWARDED_FOR = "X-Forwarded-For";
  // made once as ASCII strings: hashed once and written as bytes, on every answer
  private static final CharSequence LIMIT_NAME = HttpHeaders.createOptimized(LIMIT);
  private static final CharSequence REMAINING_NAME = HttpHeaders.createOptimized(REMAINING);
  private static final CharSequence RESET_NAME = HttpHeaders.createOptimized(RESET);

  private final RateLimiter limiter;
  private final Bearer bearer;
  private final TrustedProxies proxies;

  public RateLimitHandler(RateLimiter limiter, Bearer bearer, TrustedProxies proxies) {
    this.limiter = limiter;
    this.bearer = bearer;
    this.proxies = proxies;
  }

  /**
   * The client's address, through trusted proxies only. A proxy may add a header line of its own rather than append
   * to the client's: every line counts, in order, so that the client's own line cannot be taken for the proxy's.
   */
  public static String clientAddress(RoutingContext ctx, TrustedProxies proxies) {
    String peer = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    if (proxies.isEmpty()) {
      return peer;
    }
    List<String> lines = ctx.request().headers().getAll(FORWARDED_FOR);
    return proxies.client(peer, lines.isEmpty() ? null : String.join(",", lines));
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (Bearer.offered(ctx) && !isSignIn(ctx)) {
      // a forged or expired token counts against the address it came from
      bearer.caller(ctx).onComplete(checked -> admit(ctx, checked.succeeded()
        ? "user:" + checked.result()
        : "addr:" + clientAddress(ctx, proxies)));
    } else {
      admit(ctx, "addr:" + clientAddress(ctx, proxies));
    }
  }

  // as the router matches it: a trailing slash reaches the same route
  private static boolean isSignIn(RoutingContext ctx) {
    if (ctx.request().method() != HttpMethod.POST) {
      return false;
    }
    String path = ctx.normalizedPath();
    return path.startsWith(TokenEndpoint.PATH) && (path.length() == TokenEndpoint.PATH.length()
      || path.length() == TokenEndpoint.PATH.length() + 1 && path.endsWith("/"));
  }

  private void admit(RoutingContext ctx, String identity) {
    RateLimiter.Decision decision = limiter.acquire(identity);
    MultiMap headers = ctx.response().headers();
    headers.set(LIMIT_NAME, Integer.toString(decision.limit()));
    headers.set(REMAINING_NAME, Integer.toString(decision.remaining()));
    headers.set(RESET_NAME, Long.toString(decision.resetSeconds()));
    if (decision.allowed()) {
      ctx.next();
      return;
    }
    ctx.fail(new ServiceException(ErrorCode.TOO_MANY_REQUESTS,
      "Too many requests from this client; retry after " + decision.retryAfterSeconds() + " s")
      .retryAfter((int) decision.retryAfterSeconds()));
  }
}
