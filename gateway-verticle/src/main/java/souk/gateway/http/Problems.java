package souk.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.Locale;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * RFC 9457 problem details: the only shape an error leaves the gateway in. Failures from the event bus are mapped
 * to HTTP here and nowhere else; nothing internal (stack traces, SQL, addresses) is ever written.
 */
public final class Problems {

  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  public static final String CONTENT_TYPE = "application/problem+json";
  /** Seconds a client is asked to wait before retrying a 503 or 429 that does not say otherwise. */
  public static final int RETRY_AFTER_SECONDS = 5;
  private static final String TYPE_PREFIX = "https://souk.dev/problems/";
  // compiled once: under overload every shed request is answered through here
  private static final Pattern NOT_SLUG = Pattern.compile("[^a-z0-9]+");

  private Problems() {
  }

  public static Future<Void> send(RoutingContext ctx, int status, String title, String detail) {
    return send(ctx, status, title, detail, null);
  }

  public static Future<Void> send(RoutingContext ctx, int status, String title, String detail, JsonArray errors) {
    return send(ctx, status, title, detail, errors, RETRY_AFTER_SECONDS);
  }

  private static Future<Void> send(RoutingContext ctx, int status, String title, String detail, JsonArray errors,
                                   int retryAfterSeconds) {
    JsonObject body = new JsonObject()
      .put("type", TYPE_PREFIX + slug(title))
      .put("title", title)
      .put("status", status)
      .put("detail", detail);
    if (errors != null && !errors.isEmpty()) {
      body.put("errors", errors);
    }
    if (status == 503 || status == 429) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds));
    }
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"souk\"");
    }
    return ctx.response()
      .setStatusCode(status)
      .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
      .end(body.toBuffer());
  }

  /** Answers with whatever a failed service call means: its own code, 503 when no node, 504 on timeout. */
  public static Future<Void> send(RoutingContext ctx, Throwable failure) {
    ServiceException problem = ServiceException.from(failure);
    ErrorCode code = problem.errorCode();
    if (code == ErrorCode.INTERNAL) {
      // the client learns nothing of it; the log must
      LOG.error("request failed", kv("requestId", RequestIds.of(ctx)), failure);
    }
    int retryAfter = problem.retryAfterSeconds() > 0 ? problem.retryAfterSeconds() : RETRY_AFTER_SECONDS;
    return send(ctx, code.httpStatus(), code.title(), problem.detail(), problem.errors(), retryAfter);
  }

  private static String slug(String title) {
    return NOT_SLUG.matcher(title.toLowerCase(Locale.ROOT)).replaceAll("-");
  }
}
