package souk.user;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import souk.common.api.RouteSpec;
import souk.common.bus.ServiceDispatcher;
import souk.common.config.PgConfig;
import souk.common.db.Databases;
import souk.common.node.Node;
import souk.common.node.ServiceHost;

/** Wires the user service: its database, its event-bus actions and its place in discovery. */
public final class UserVerticle extends VerticleBase {

  private final Node node;
  private ServiceHost host;
  private HashingQueue hashing;

  public UserVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    PgConfig pg = PgConfig.from(node.rawConfig());
    return Databases.prepare(vertx, pg).compose(pool -> {
      ServiceDispatcher dispatcher = new ServiceDispatcher(vertx, node.config().service(), node.cluster().nodeId(),
        node.config().accessLog());
      PasswordHasher hasher = new PasswordHasher(node.rawConfig().getInteger("bcryptCost"));
      hashing = new HashingQueue(vertx, node.rawConfig().getInteger("passwordHashThreads"),
        node.rawConfig().getInteger("passwordHashQueue"), node.metrics());
      new UserApi(new UserService(new UserRepository(pool, Databases.pipelined(vertx, pg)), hasher, hashing)).register(dispatcher);
      return ServiceHost.start(vertx, node, pool, dispatcher, RouteSpec.metadata(UserApi.ROUTES));
    }).onSuccess(started -> host = started);
  }

  @Override
  public Future<?> stop() {
    Future<Void> stopped = host == null ? Future.succeededFuture() : host.stop();
    return stopped.eventually(() -> hashing == null ? Future.succeededFuture() : hashing.close());
  }
}
