package souk.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import souk.common.discovery.ServiceRegistry;
import souk.common.node.Node;
import souk.common.ops.Probes;
import souk.gateway.http.AccessLog;
import souk.gateway.http.Fallbacks;
import souk.gateway.http.RequestIds;
import souk.gateway.ready.ServiceReadiness;

/** Wires the gateway: request ids and access log, probes, the API, and problem answers for everything else. */
public final class GatewayVerticle extends VerticleBase {

  private final Node node;
  private ServiceRegistry registry;
  private HttpServer server;

  public GatewayVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = GatewayConfig.from(node.rawConfig());
    registry = new ServiceRegistry(vertx, node.cluster());
    ServiceReadiness readiness = new ServiceReadiness(vertx, registry);
    Probes probes = new Probes(vertx, node.cluster(), node.metrics());
    config.requiredServices().forEach(service -> probes.check(service, () -> readiness.check(service)));

    Router router = Router.router(vertx);
    router.route().handler(new RequestIds()).handler(new AccessLog());
    probes.mount(router);
    Fallbacks.install(router);

    return vertx.createHttpServer()
      .requestHandler(router)
      .listen(config.httpPort(), config.httpHost())
      .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(() -> registry.close());
  }
}
