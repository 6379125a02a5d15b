package souk.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.Locale;

/**
 * Reads a request body as JSON: absent or empty is {@code null}; present with a type other than JSON is a 415;
 * unparseable (bad syntax, invalid UTF-8, trailing garbage) is a 400. The size limit (413) was enforced before, by
 * the body handler, without reading more than the limit.
 */
public final class JsonBody {

  private JsonBody() {
  }

  /** The parsed body (object, array, string, number, boolean or {@code null}); throws a {@link ServiceException}. */
  public static Object read(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      return null;
    }
    if (!isJson(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      throw new ServiceException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "The body must be application/json");
    }
    try {
      return Json.decodeValue(raw);
    } catch (DecodeException e) {
      throw new ServiceException(ErrorCode.VALIDATION, "The body is not valid JSON");
    }
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
  }
}
