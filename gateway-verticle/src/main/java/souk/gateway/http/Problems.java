package souk.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * RFC 9457 problem details: the only shape an error leaves the gateway in. Failures from the event bus are mapped
 * to HTTP here and nowhere else; nothing internal (stack traces, SQL, addresses) is ever written.
 */
public final class Problems {

  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  public static final String CONTENT_TYPE = "application/problem+json";
  private static final CharSequence CONTENT_TYPE_VALUE = HttpHeaders.createOptimized(CONTENT_TYPE);
  /** Seconds a client is asked to wait before retrying a 503 or 429 that does not say otherwise. */
  public static final int RETRY_AFTER_SECONDS = 5;
  private static final String TYPE_PREFIX = "https://souk.dev/problems/";
  private static final Pattern NOT_SLUG = Pattern.compile("[^a-z0-9]+");
  /**
   * The document's start, {@code {"type":…,"title":…,"status":…,"detail":}}, for each status and title: under
   * overload every shed request is answered through here, and only the detail differs from one answer to the next.
   * Titles are constants of the code, never input, so the map stays as small as the table of problems.
   */
  private static final Map<Kind, String> HEADS = new ConcurrentHashMap<>();

  private record Kind(int status, String title) {
  }

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
    if (status == 503 || status == 429) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds));
    }
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"souk\"");
    }
    return ctx.response()
      .setStatusCode(status)
      .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE_VALUE)
      .end(body(status, title, detail, errors));
  }

  /** The problem document, its fields in the order RFC 9457 lists them; {@code errors} only when there are some. */
  static Buffer body(int status, String title, String detail, JsonArray errors) {
    StringBuilder json = new StringBuilder(256).append(HEADS.computeIfAbsent(new Kind(status, title), Problems::head));
    quote(json, detail);
    if (errors != null && !errors.isEmpty()) {
      json.append(",\"errors\":").append(errors.encode());
    }
    return Buffer.buffer(json.append('}').toString());
  }

  private static String head(Kind kind) {
    StringBuilder json = new StringBuilder("{\"type\":");
    quote(json, TYPE_PREFIX + slug(kind.title()));
    quote(json.append(",\"title\":"), kind.title());
    return json.append(",\"status\":").append(kind.status()).append(",\"detail\":").toString();
  }

  private static void quote(StringBuilder json, String text) {
    if (text == null) {
      json.append("null");
      return;
    }
    json.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, json);
    json.append('"');
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
