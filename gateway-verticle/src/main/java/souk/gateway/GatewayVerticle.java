package souk.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import souk.common.discovery.ServiceRegistry;
import souk.common.node.Node;
import souk.common.ops.Probes;
import souk.gateway.aggregate.SummaryEndpoint;
import souk.gateway.auth.JwtSecrets;
import souk.gateway.auth.TokenEndpoint;
import souk.gateway.auth.Tokens;
import souk.gateway.http.AccessLog;
import souk.gateway.http.ApiDocs;
import souk.gateway.http.Bearer;
import souk.gateway.http.Fallbacks;
import souk.gateway.http.RequestIds;
import souk.gateway.http.SecurityHeaders;
import souk.gateway.ready.ServiceReadiness;
import souk.gateway.routing.ApiProxy;
import souk.gateway.routing.RouteDirectory;
import souk.gateway.routing.ServiceCaller;

import java.util.concurrent.TimeUnit;

/** Wires the gateway: request ids and access log, probes, the API, and problem answers for everything else. */
public final class GatewayVerticle extends VerticleBase {

  private final Node node;
  private ServiceRegistry registry;
  private RouteDirectory directory;
  private HttpServer server;

  public GatewayVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = GatewayConfig.from(node.rawConfig());
    registry = new ServiceRegistry(vertx, node.cluster());
    directory = new RouteDirectory(vertx, registry);
    ServiceReadiness readiness = new ServiceReadiness(vertx, registry);
    Probes probes = new Probes(vertx, node.cluster(), node.metrics());
    config.requiredServices().forEach(service -> probes.check(service, () -> readiness.check(service)));

    return JwtSecrets.resolve(vertx, config.jwtSecret())
      .map(secret -> new Tokens(vertx, secret, config.tokenTtlSeconds()))
      .compose(tokens -> directory.start().map(v -> router(config, probes, tokens)))
      .compose(router -> ApiDocs.mount(vertx, router).map(router))
      .compose(router -> vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(config.idleTimeoutSeconds()))
        .requestHandler(router)
        .listen(config.httpPort(), config.httpHost()))
      .onSuccess(s -> server = s);
  }

  private Router router(GatewayConfig config, Probes probes, Tokens tokens) {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIds()).handler(new AccessLog()).handler(new SecurityHeaders());
    probes.mount(router);
    Bearer bearer = new Bearer(tokens);
    ServiceCaller caller = new ServiceCaller(vertx, directory);
    router.route("/api/*").setName("/api")
      .handler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()))
      .handler(new ApiProxy(directory, caller, bearer, config.requestTimeoutMs()));
    router.post(TokenEndpoint.PATH).handler(new TokenEndpoint(caller, tokens, config.requestTimeoutMs()));
    router.get(SummaryEndpoint.PATH).handler(new SummaryEndpoint(caller, bearer, config.requestTimeoutMs(),
      config.aggregateTimeoutMs()));
    Fallbacks.install(router);
    return router;
  }

  @Override
  public Future<?> stop() {
    // stop accepting, and answer the requests in flight before the event bus goes
    Future<Void> closed = server == null ? Future.succeededFuture()
      : server.shutdown(node.config().shutdownSeconds(), TimeUnit.SECONDS);
    return closed.eventually(() -> directory.stop()).eventually(() -> registry.close());
  }
}
