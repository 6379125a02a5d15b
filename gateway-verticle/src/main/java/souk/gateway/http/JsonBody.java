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

  /** Deepest nesting of arrays and objects accepted; no Souk document comes close. */
  public static final int MAX_DEPTH = 32;

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
    if (depth(raw) > MAX_DEPTH) {
      throw new ServiceException(ErrorCode.VALIDATION, "The body nests arrays or objects more than " + MAX_DEPTH
        + " levels deep");
    }
    try {
      return Json.decodeValue(raw);
    } catch (DecodeException e) {
      throw new ServiceException(ErrorCode.VALIDATION, "The body is not valid JSON");
    }
  }

  /**
   * How deeply arrays and objects nest in {@code raw}, brackets inside strings aside. Counted on the bytes before
   * parsing: a deep document must not reach the parser, nor the encoders of every later hop.
   */
  static int depth(Buffer raw) {
    int depth = 0;
    int deepest = 0;
    boolean inString = false;
    for (int i = 0, n = raw.length(); i < n; i++) {
      byte b = raw.getByte(i);
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '[' || b == '{') {
        deepest = Math.max(deepest, ++depth);
      } else if (b == ']' || b == '}') {
        depth--;
      }
    }
    return deepest;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
  }
}
