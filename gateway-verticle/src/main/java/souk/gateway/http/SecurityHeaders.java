package souk.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers every answer carries: no content sniffing, no framing, no referrer; HTTPS answers tell browsers to keep to
 * HTTPS; and API answers (personal data, tokens) are never stored by caches.
 */
public final class SecurityHeaders implements Handler<RoutingContext> {

  @Override
  public void handle(RoutingContext ctx) {
    MultiMap headers = ctx.response().headers();
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "no-referrer");
    if (ctx.request().isSSL()) {
      headers.set("Strict-Transport-Security", Https.HSTS);
    }
    // the path the router matches on: "/./api/..." is an API request too
    if (ctx.normalizedPath().startsWith("/api/")) {
      headers.set("Cache-Control", "no-store");
    }
    ctx.next();
  }
}
