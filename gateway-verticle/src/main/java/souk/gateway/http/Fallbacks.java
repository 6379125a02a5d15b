package souk.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.gateway.routing.PathTemplate;

import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Problem answers for what no route handles: 404 for an unknown path, 405 with {@code Allow} for a known path and
 * the wrong method, and a 500 without detail for a bug (logged with its request id, never shown).
 */
public final class Fallbacks {

  private static final Logger LOG = LoggerFactory.getLogger(Fallbacks.class);

  private Fallbacks() {
  }

  public static void install(Router router) {
    router.errorHandler(404, ctx -> Problems.send(ctx, 404, "Not found", "No resource at this path"));
    router.errorHandler(405, ctx -> {
      ctx.response().putHeader(HttpHeaders.ALLOW, allowed(router, ctx.request().path()));
      Problems.send(ctx, 405, "Method not allowed", "This resource does not accept " + ctx.request().method());
    });
    router.errorHandler(400, ctx -> Problems.send(ctx, 400, "Bad request", "The request could not be read"));
    router.errorHandler(413, ctx -> Problems.send(ctx, 413, "Payload too large", "The body exceeds the size limit"));
    router.errorHandler(415, ctx -> Problems.send(ctx, 415, "Unsupported media type", "The body must be application/json"));
    router.errorHandler(500, Fallbacks::internal);
    router.route().failureHandler(Fallbacks::unreadableBody);
  }

  /**
   * A body that broke while it was read (a malformed chunk, say): vertx-web fails the request with the status it had,
   * 200, for which it would log an error with a stack trace and answer 200. It is the client's fault: a 400.
   */
  static void unreadableBody(RoutingContext ctx) {
    if (ctx.failure() != null && ctx.statusCode() >= 200 && ctx.statusCode() < 400) {
      if (!ctx.response().headWritten() && !ctx.response().closed()) {
        Problems.send(ctx, 400, "Bad request", "The request body could not be read");
      }
      return;
    }
    ctx.next();
  }

  private static void internal(RoutingContext ctx) {
    if (ctx.failure() != null) {
      LOG.error("unhandled failure", kv("requestId", RequestIds.of(ctx)), ctx.failure());
    }
    if (!ctx.response().headWritten()) {
      Problems.send(ctx, 500, "Internal error", "The request could not be completed");
    }
  }

  // the gateway's own routes are templates ("/api/v1/users/:id/summary") or prefixes ("/docs/*")
  private static boolean serves(Route route, String path) {
    String template = route.getPath();
    if (template == null || !template.startsWith("/")) {
      return false;
    }
    if (route.isExactPath()) {
      // vertx-web keeps a parameterised path as a regex, and the template too
      return new PathTemplate(template).match(path) != null;
    }
    return !route.isRegexPath() && path.startsWith(template);
  }

  private static String allowed(Router router, String path) {
    return router.getRoutes().stream()
      .filter(route -> serves(route, path))
      .map(Route::methods)
      .filter(Objects::nonNull)
      .flatMap(methods -> methods.stream().map(HttpMethod::name))
      .collect(Collectors.toCollection(TreeSet::new))
      .stream().collect(Collectors.joining(", "));
  }
}
