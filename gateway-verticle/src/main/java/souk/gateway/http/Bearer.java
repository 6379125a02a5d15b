package souk.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.gateway.auth.Tokens;

/**
 * The caller of a protected route: the subject of a valid {@code Authorization: Bearer} token, or a 401. A token is
 * checked once per request: the rate limiter and the route share the outcome.
 */
public final class Bearer {

  private static final String PREFIX = "bearer ";
  private static final int MAX_TOKEN_LENGTH = 4_096;
  private static final String KEY = "souk.bearer";

  private final Tokens tokens;

  public Bearer(Tokens tokens) {
    this.tokens = tokens;
  }

  /** Whether the request offers a token at all (valid or not). */
  public static boolean offered(RoutingContext ctx) {
    return ctx.request().getHeader(HttpHeaders.AUTHORIZATION) != null;
  }

  public Future<String> caller(RoutingContext ctx) {
    Future<String> checked = ctx.get(KEY);
    if (checked == null) {
      checked = check(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
      ctx.put(KEY, checked);
    }
    return checked;
  }

  /** The subject of a valid token in an {@code Authorization} value ({@code Bearer <token>}), or a 401 failure. */
  public Future<String> check(String header) {
    if (header == null || header.length() <= PREFIX.length() || header.length() > MAX_TOKEN_LENGTH
      || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return Future.failedFuture(new ServiceException(ErrorCode.UNAUTHORIZED, "A bearer token is required"));
    }
    return tokens.verify(header.substring(PREFIX.length()).trim())
      .recover(e -> Future.failedFuture(new ServiceException(ErrorCode.UNAUTHORIZED, "The bearer token is not valid")));
  }
}
