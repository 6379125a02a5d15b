package souk.gateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import souk.common.discovery.ServiceRegistry;
import souk.common.node.Node;
import souk.common.ops.Probes;
import souk.common.trace.Tracing;
import souk.gateway.aggregate.SummaryEndpoint;
import souk.gateway.auth.JwtSecrets;
import souk.gateway.auth.TokenEndpoint;
import souk.gateway.auth.Tokens;
import souk.gateway.bridge.OrderUpdatesBridge;
import souk.gateway.http.Console;
import souk.gateway.http.AccessLog;
import souk.gateway.http.ApiDocs;
import souk.gateway.http.Bearer;
import souk.gateway.http.Cors;
import souk.gateway.http.Fallbacks;
import souk.gateway.http.Https;
import souk.gateway.http.RequestIds;
import souk.gateway.http.SecurityHeaders;
import souk.gateway.http.TraceResponse;
import souk.gateway.limit.BodyGuard;
import souk.gateway.limit.InFlightLimit;
import souk.gateway.limit.Limits;
import souk.gateway.limit.RateLimitHandler;
import souk.gateway.limit.TrustedProxies;
import souk.gateway.ready.ServiceReadiness;
import souk.gateway.routing.ApiProxy;
import souk.gateway.routing.Breakers;
import souk.gateway.routing.RouteDirectory;
import souk.gateway.routing.ServiceCaller;

import java.util.function.Supplier;

/**
 * Wires the gateway: request ids, access log, CORS, probes, then the rate-limited API behind circuit breakers, the
 * browser bridge and the console, and problem answers for everything else.
 */
public final class GatewayVerticle extends VerticleBase {

  private final Node node;
  private ServiceRegistry registry;
  private RouteDirectory directory;
  private Limits limits;
  private String fronts;

  public GatewayVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = GatewayConfig.from(node.rawConfig());
    registry = new ServiceRegistry(vertx, node.cluster());
    directory = new RouteDirectory(vertx, registry);
    GatewayConfig.Protection protection = config.limits();
    limits = new Limits(vertx, node.cluster().nodeId(), node.metrics(), protection.ratePerSecond(), protection.burst(),
      protection.loginPerMinute(), protection.maxIdentities(), protection.syncMs());
    Breakers breakers = new Breakers(config.breakers().maxFailures(), config.breakers().resetMs(), node.metrics());
    ServiceReadiness readiness = new ServiceReadiness(vertx, registry, breakers, directory);
    Probes probes = new Probes(vertx, node.cluster(), node.metrics());
    config.requiredServices().forEach(service -> probes.check(service, () -> readiness.check(service)));

    return JwtSecrets.resolve(vertx, config.jwtSecret(), node.config().clusterHost())
      .map(secret -> new Tokens(vertx, secret, config.jwtPreviousSecrets(), config.tokenTtlSeconds(),
        config.jwtLeewaySeconds()))
      .compose(tokens -> Future.all(directory.start(), limits.start()).compose(v -> ApiDocs.load(vertx))
        .map(docs -> routers(config, probes, tokens, new ServiceCaller(vertx, directory, breakers), docs)))
      .compose(routers -> {
        HttpServerOptions options = Https.serverOptions(config.tlsCert(), config.tlsKey(), config.idleTimeoutSeconds())
          .setHost(config.httpHost())
          .setPort(config.httpPort())
          .setMaxWebSocketFrameSize(config.bridge().maxFrameBytes())
          .setMaxWebSocketMessageSize(config.bridge().maxFrameBytes())
          .setTracingPolicy(TracingPolicy.ALWAYS);
        int shutdownSeconds = node.config().shutdownSeconds();
        return vertx.deployVerticle(() -> new HttpFront(options, routers, shutdownSeconds),
          new DeploymentOptions().setInstances(node.config().eventLoopThreads()));
      })
      .onSuccess(id -> fronts = id);
  }

  /**
   * What each front's router is made of. The handlers are made once and shared by every front (they are safe across
   * event loops); the SockJS bridge and the static files get one instance per router, since vertx-web's keep state
   * for one event loop.
   */
  private Supplier<Router> routers(GatewayConfig config, Probes probes, Tokens tokens, ServiceCaller caller,
                                   ApiDocs docs) {
    TrustedProxies proxies = TrustedProxies.of(config.limits().trustedProxies());
    boolean tracing = Tracing.enabled(node.rawConfig());
    RequestIds requestIds = new RequestIds();
    AccessLog accessLog = new AccessLog(node.config().accessLog());
    SecurityHeaders securityHeaders = new SecurityHeaders(Https.enabled(config.tlsCert(), config.tlsKey()));
    Cors cors = new Cors(config.limits().corsOrigins(), proxies);
    Bearer bearer = new Bearer(tokens);
    RateLimitHandler rateLimit = new RateLimitHandler(limits.api(), bearer, proxies);
    InFlightLimit inFlight = new InFlightLimit(config.limits().maxInFlight(), node.metrics());
    BodyGuard bodies = new BodyGuard(vertx, config.limits().maxInFlight(), config.limits().bodyTimeoutMs());
    ApiProxy api = new ApiProxy(directory, caller, bearer, config.requestTimeoutMs());
    TokenEndpoint token = new TokenEndpoint(caller, tokens, config.requestTimeoutMs(), limits.login(), proxies);
    SummaryEndpoint summary = new SummaryEndpoint(caller, bearer, config.requestTimeoutMs(),
      config.aggregateTimeoutMs());
    OrderUpdatesBridge bridge = OrderUpdatesBridge.create(vertx, bearer, config.bridge(), proxies);
    return () -> {
      Router router = Router.router(vertx);
      if (tracing) {
        router.route().handler(new TraceResponse());
      }
      router.route().handler(requestIds).handler(accessLog).handler(securityHeaders).handler(cors);
      probes.mount(router);
      // a client over its own share gets its 429 before its body is read (vertx-web wants a body handler first on
      // its route, hence two routes); bodies still arriving are bounded in number and time; what the gateway as a
      // whole cannot serve is shed with 503 once the body is in: a slot is held while services work, never while a
      // client takes its time sending
      router.route("/api/*").setName("/api").handler(rateLimit).handler(bodies.arriving());
      router.route("/api/*").setName("/api")
        .handler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()))
        .handler(bodies.arrived())
        .handler(inFlight)
        .handler(api);
      router.post(TokenEndpoint.PATH).handler(token);
      router.get(SummaryEndpoint.PATH).handler(summary);
      bridge.mount(router);
      Console.mount(router);
      docs.mount(router);
      Fallbacks.install(router);
      return router;
    };
  }

  @Override
  public Future<?> stop() {
    // the HTTP fronts are this deployment's children: Vert.x stops them first, and each stops accepting and answers
    // the requests in flight (HttpFront.stop) before the event bus goes
    Future<Void> closed = fronts == null || !vertx.deploymentIDs().contains(fronts) ? Future.succeededFuture()
      : vertx.undeploy(fronts);
    return closed.eventually(() -> directory.stop()).eventually(() -> limits.stop())
      .eventually(() -> registry.close());
  }
}
