package souk.gateway.routing;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import souk.common.api.ApiReply;
import souk.common.api.ApiRequest;
import souk.common.api.RouteSpec;
import souk.common.bus.ErrorCode;
import souk.common.bus.Requests;
import souk.common.bus.ServiceException;
import souk.gateway.http.Bearer;
import souk.gateway.http.Fallbacks;
import souk.gateway.http.JsonBody;
import souk.gateway.http.RequestIds;

import java.util.Map;

/**
 * Serves every {@code /api} route that a service declared: authenticates when the route asks for it, reads the JSON
 * body, sends an {@link ApiRequest} to the service with the action, caller and request id as headers, and writes the
 * {@link ApiReply} back. Paths no service declared go on to the gateway's own routes, and then to 404.
 */
public final class ApiProxy implements Handler<RoutingContext> {

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  private final RouteDirectory directory;
  private final ServiceCaller caller;
  private final Bearer bearer;
  private final long timeoutMs;

  public ApiProxy(RouteDirectory directory, ServiceCaller caller, Bearer bearer, long timeoutMs) {
    this.directory = directory;
    this.caller = caller;
    this.bearer = bearer;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    RouteTable table = directory.table();
    // the path the router matched on, dot segments resolved, as every other route sees it
    RouteTable.Match match = table.match(ctx.request().method().name(), ctx.normalizedPath());
    if (match instanceof RouteTable.Found found) {
      // metrics label by template (bounded), never by raw path
      ctx.request().routed(found.entry().spec().path());
      serve(ctx, found.entry(), found.params(), table.isLive(found.entry().service()));
    } else if (match instanceof RouteTable.WrongMethod wrong) {
      Fallbacks.methodNotAllowed(ctx, wrong.allowed());
    } else {
      ctx.next();
    }
  }

  private void serve(RoutingContext ctx, RouteTable.Entry entry, Map<String, String> params, boolean live) {
    RouteSpec spec = entry.spec();
    Future<String> caller = spec.auth() ? bearer.caller(ctx) : Future.succeededFuture(null);
    caller
      .compose(userId -> {
        if (!live) {
          return Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE, entry.service() + " has no live node"));
        }
        return send(ctx, entry, params, userId);
      })
      .onSuccess(reply -> write(ctx.response(), reply))
      .onFailure(failure -> Fallbacks.fail(ctx, failure));
  }

  private Future<Message<Buffer>> send(RoutingContext ctx, RouteTable.Entry entry, Map<String, String> params,
                                       String userId) {
    ApiRequest request = new ApiRequest(new JsonObject(Map.copyOf(params)), query(ctx), headers(ctx, entry.spec()),
      JsonBody.read(ctx));
    DeliveryOptions options = Requests.options(entry.spec().action(), RequestIds.of(ctx), userId, timeoutMs);
    return caller.ask(entry.service(), request.toJson(), options);
  }

  private static JsonObject query(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    try {
      ctx.queryParams().names().forEach(name -> query.put(name, ctx.queryParams().get(name)));
    } catch (RuntimeException badEncoding) {
      // vertx-web reports a malformed query (e.g. "%zz") as an HttpException, plain Vert.x as an IllegalArgument
      throw new ServiceException(ErrorCode.VALIDATION, "The query string is not properly encoded");
    }
    return query;
  }

  private static JsonObject headers(RoutingContext ctx, RouteSpec spec) {
    JsonObject headers = new JsonObject();
    for (String name : spec.headers()) {
      String value = ctx.request().getHeader(name);
      if (value != null) {
        headers.put(name, value);
      }
    }
    return headers;
  }

  // the service's JSON bytes go out as they came: the gateway neither parses nor re-encodes them
  static void write(HttpServerResponse response, Message<Buffer> reply) {
    for (Map.Entry<String, String> header : reply.headers()) {
      if (header.getKey().startsWith(ApiReply.HEADER_PREFIX)) {
        response.putHeader(header.getKey().substring(ApiReply.HEADER_PREFIX.length()), header.getValue());
      }
    }
    response.setStatusCode(ApiReply.status(reply));
    Buffer body = reply.body();
    if (body == null || body.length() == 0) {
      response.end();
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }
}
