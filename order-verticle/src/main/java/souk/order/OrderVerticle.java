package souk.order;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import souk.common.bus.ServiceDispatcher;
import souk.common.config.PgConfig;
import souk.common.db.Databases;
import souk.common.node.Node;
import souk.common.node.ServiceHost;

/** Wires the order service: its database, its event-bus actions and its place in discovery. */
public final class OrderVerticle extends VerticleBase {

  private final Node node;
  private ServiceHost host;

  public OrderVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    PgConfig pg = PgConfig.from(node.rawConfig());
    return Databases.prepare(vertx, pg).compose(pool -> {
      ServiceDispatcher dispatcher = new ServiceDispatcher(vertx, node.config().service(), node.cluster().nodeId());
      return ServiceHost.start(vertx, node, pool, dispatcher, new JsonObject());
    }).onSuccess(started -> host = started);
  }

  @Override
  public Future<?> stop() {
    return host == null ? Future.succeededFuture() : host.stop();
  }
}
