package souk.gateway.http;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ServiceException;
import souk.gateway.routing.PathTemplate;

import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The one place a failed request is answered: handlers fail the routing context ({@code ctx.fail(...)}) with a
 * {@link ServiceException} (or an event-bus failure) or a bare status, or hand a failed service call to
 * {@link #fail(RoutingContext, Throwable)}, and this writes the problem+json. Also 404 for
 * an unknown path, 405 with {@code Allow} for a known path and the wrong method (whether the route is the gateway's
 * own or one a service declared), and a 500 without detail for a bug (logged with its request id, never shown).
 */
public final class Fallbacks {

  private static final Logger LOG = LoggerFactory.getLogger(Fallbacks.class);
  private static final String ALLOWED = "souk.allowed";

  private Fallbacks() {
  }

  public static void install(Router router) {
    router.errorHandler(404, ctx -> Problems.send(ctx, 404, "Not found", "No resource at this path"));
    router.errorHandler(405, ctx -> {
      String allowed = ctx.get(ALLOWED);
      ctx.response().putHeader(HttpHeaders.ALLOW, allowed != null ? allowed : allowed(router, ctx.request().path()));
      Problems.send(ctx, 405, "Method not allowed", "This resource does not accept " + ctx.request().method());
    });
    router.errorHandler(400, ctx -> Problems.send(ctx, 400, "Bad request", "The request could not be read"));
    router.errorHandler(411, ctx -> Problems.send(ctx, 411, "Length required", "The body must state its length"));
    router.errorHandler(413, ctx -> Problems.send(ctx, 413, "Payload too large", "The body exceeds the size limit"));
    router.errorHandler(415, ctx -> Problems.send(ctx, 415, "Unsupported media type", "The body must be application/json"));
    router.errorHandler(500, Fallbacks::internal);
    router.route().failureHandler(Fallbacks::failed);
  }

  /**
   * Fails {@code ctx} as a 405 for a path a service declared with other methods only: the answer is the same as for
   * the gateway's own routes.
   */
  public static void methodNotAllowed(RoutingContext ctx, Collection<String> allowed) {
    ctx.put(ALLOWED, String.join(", ", allowed));
    ctx.fail(405);
  }

  /**
   * A {@link ServiceException} or an event-bus failure is answered with its code. A bare status goes on to its
   * error handler above. A body that broke while it was read (a malformed chunk, say) fails the request with the
   * status it had, 200, for which vertx-web would log an error with a stack trace and answer 200: it is the
   * client's fault, a 400.
   */
  static void failed(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (answered(ctx, failure)) {
      return;
    }
    if (failure != null && ctx.statusCode() >= 200 && ctx.statusCode() < 400) {
      if (!ctx.response().headWritten() && !ctx.response().closed()) {
        Problems.send(ctx, 400, "Bad request", "The request body could not be read");
      }
      return;
    }
    ctx.next();
  }

  /**
   * Answers a failed service call as {@link #failed} would, without the router's second walk of its routes to find
   * the failure handler: every request the services turn down is answered through here. Any other failure goes to
   * the router.
   */
  public static void fail(RoutingContext ctx, Throwable failure) {
    if (!answered(ctx, failure)) {
      ctx.fail(failure);
    }
  }

  private static boolean answered(RoutingContext ctx, Throwable failure) {
    if (!(failure instanceof ServiceException) && !(failure instanceof ReplyException)) {
      return false;
    }
    if (!ctx.response().headWritten() && !ctx.response().closed()) {
      Problems.send(ctx, failure);
    }
    return true;
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
