package souk.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One HTTP server of the gateway, on the event loop of its own deployment. The gateway deploys one per event loop, all
 * on the same port, and Vert.x spreads the connections across them, so that the gateway's HTTP work is not held to
 * one core. Each front has a router of its own; what their handlers share (limits, breakers, tokens, the route table,
 * the bridge's bookkeeping) is safe to use from several loops.
 */
final class HttpFront extends VerticleBase {

  private final HttpServerOptions options;
  private final Supplier<Router> routers;
  private final int shutdownSeconds;
  private HttpServer server;

  HttpFront(HttpServerOptions options, Supplier<Router> routers, int shutdownSeconds) {
    this.options = options;
    this.routers = routers;
    this.shutdownSeconds = shutdownSeconds;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(options).requestHandler(routers.get()).listen().onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    // stop accepting, and answer the requests in flight before the event bus goes
    return server == null ? Future.succeededFuture() : server.shutdown(shutdownSeconds, TimeUnit.SECONDS);
  }
}
