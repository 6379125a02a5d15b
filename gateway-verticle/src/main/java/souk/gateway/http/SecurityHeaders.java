package souk.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers every answer carries: no content sniffing, no framing, no referrer; HTTPS answers tell browsers to keep to
 * HTTPS; and API answers (personal data, tokens) are never stored by caches.
 */
public final class SecurityHeaders implements Handler<RoutingContext> {

  // made once as ASCII strings: hashed once and written as bytes, on every answer
  private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence TRANSPORT_SECURITY = HttpHeaders.createOptimized("Strict-Transport-Security");
  private static final CharSequence HSTS = HttpHeaders.createOptimized(Https.HSTS);
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private final boolean https;

  /**
   * @param https whether the server speaks HTTPS, when every answer carries HSTS; known from the configuration, since
   *              asking each request costs a look through its connection's handlers
   */
  public SecurityHeaders(boolean https) {
    this.https = https;
  }

  @Override
  public void handle(RoutingContext ctx) {
    MultiMap headers = ctx.response().headers();
    headers.set(CONTENT_TYPE_OPTIONS, NOSNIFF);
    headers.set(FRAME_OPTIONS, DENY);
    headers.set(REFERRER_POLICY, NO_REFERRER);
    if (https) {
      headers.set(TRANSPORT_SECURITY, HSTS);
    }
    // the path the router matches on: "/./api/..." is an API request too
    if (ctx.normalizedPath().startsWith("/api/")) {
      headers.set(HttpHeaders.CACHE_CONTROL, NO_STORE);
    }
    ctx.next();
  }
}
