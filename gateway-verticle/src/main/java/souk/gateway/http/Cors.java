package souk.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import souk.gateway.limit.TrustedProxies;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin requests: allowed only from the exact origins of {@code SOUK_CORS_ORIGINS}; none configured means
 * same-origin only. An allowed origin is echoed with the methods, headers and exposed headers the API uses; an origin
 * that is not allowed is never reflected and gets a 403. Requests without {@code Origin}, and same-origin ones (a
 * browser sends {@code Origin} on a same-origin POST too), pass untouched. The request's own origin is its scheme and
 * authority ({@code Host}, or HTTP/2's {@code :authority}); behind a trusted proxy that terminates TLS, the scheme is
 * the proxy's {@code X-Forwarded-Proto}.
 */
public final class Cors implements Handler<RoutingContext> {

  static final String ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
  static final String ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-Id";
  static final String EXPOSE_HEADERS = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, Location, "
    + "X-Request-Id, Idempotent-Replayed";
  /** How long a browser may cache a preflight answer, in seconds. */
  static final String MAX_AGE_SECONDS = "600";

  private static final String FORWARDED_PROTO = "X-Forwarded-Proto";

  private final Set<String> origins;
  private final TrustedProxies proxies;

  public Cors(List<String> origins, TrustedProxies proxies) {
    this.origins = Set.copyOf(origins);
    this.proxies = proxies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    MultiMap headers = ctx.response().headers();
    if (!origins.isEmpty()) {
      // the answer depends on Origin: caches must not hand one origin's answer to another
      headers.add(HttpHeaders.VARY, "Origin");
    }
    if (origin == null || sameOrigin(ctx.request(), origin)) {
      ctx.next();
      return;
    }
    if (!origins.contains(origin)) {
      Problems.send(ctx, 403, "Origin not allowed", "Cross-origin requests from this origin are not allowed");
      return;
    }
    headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    boolean preflight = ctx.request().method() == HttpMethod.OPTIONS
      && ctx.request().getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
    if (preflight) {
      headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS)
        .set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS)
        .set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
      ctx.response().setStatusCode(204).end();
      return;
    }
    headers.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
    ctx.next();
  }

  // the page's own origin is the scheme and authority this request came to
  private boolean sameOrigin(HttpServerRequest request, String origin) {
    HostAndPort authority = request.authority();
    return authority != null && origin.equals(scheme(request) + "://" + authority);
  }

  private String scheme(HttpServerRequest request) {
    String forwarded = proxies.isEmpty() ? null : request.getHeader(FORWARDED_PROTO);
    if (forwarded != null && request.remoteAddress() != null
      && proxies.isTrusted(request.remoteAddress().hostAddress())) {
      // the first entry is the scheme the client used, when proxies in a chain each add theirs
      int comma = forwarded.indexOf(',');
      String scheme = (comma < 0 ? forwarded : forwarded.substring(0, comma)).trim().toLowerCase(Locale.ROOT);
      if (scheme.equals("https") || scheme.equals("http")) {
        return scheme;
      }
    }
    return request.scheme();
  }
}
