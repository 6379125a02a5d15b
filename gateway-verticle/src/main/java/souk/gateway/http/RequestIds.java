package souk.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is sane (1..128 of letters, digits and
 * {@code . _ : -}), a new UUID otherwise. It is echoed on the response, passed on in event-bus headers and written in
 * every log line about the request.
 */
public final class RequestIds implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  private static final String KEY = "requestId";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  public static String of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /**
   * A random (version 4) UUID from {@link ThreadLocalRandom}: a request id is not a secret, and
   * {@link UUID#randomUUID()} takes a lock and reads the kernel's entropy on every call.
   */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low).toString();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String offered = ctx.request().getHeader(HEADER);
    String id = offered != null && SANE.matcher(offered).matches() ? offered : newId();
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER_NAME, id);
    ctx.next();
  }
}
