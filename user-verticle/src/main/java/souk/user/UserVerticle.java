package souk.user;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.SqlClient;
import souk.common.api.RouteSpec;
import souk.common.bus.ServiceDispatcher;
import souk.common.db.Databases;
import souk.common.db.PgFailures;
import souk.common.node.Node;
import souk.common.node.ServiceHost;
import souk.user.api.UserApi;
import souk.user.service.HashingQueue;
import souk.user.service.PasswordHasher;
import souk.user.service.UserService;
import souk.user.store.ProfileCache;
import souk.user.store.ProfileInvalidation;
import souk.user.store.UserRepository;

import java.util.concurrent.TimeUnit;

/** Wires the user service: its database, its event-bus actions and its place in discovery. */
public final class UserVerticle extends VerticleBase {

  private final Node node;
  private ServiceHost host;
  private HashingQueue hashing;
  private SqlClient lookups;
  private ProfileInvalidation invalidation;

  public UserVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    UserConfig config = UserConfig.from(node.rawConfig());
    return Databases.prepare(vertx, config.pg()).compose(pool -> {
      ServiceDispatcher dispatcher = new ServiceDispatcher(vertx, node.config().service(), node.cluster().nodeId(),
        node.config().accessLog(), PgFailures.INSTANCE);
      PasswordHasher hasher = new PasswordHasher(config.bcryptCost());
      hashing = new HashingQueue(vertx, config.passwordHashThreads(), config.passwordHashQueue(), node.metrics());
      lookups = Databases.pipelined(vertx, config.pg());
      ProfileCache cache = new ProfileCache(config.userCacheSize(),
        TimeUnit.SECONDS.toNanos(config.userCacheTtlSeconds()), System::nanoTime, node.metrics());
      if (config.userCacheSize() > 0) {
        invalidation = ProfileInvalidation.start(vertx, config.pg(), cache);
      }
      UserRepository users = new UserRepository(pool, lookups, cache);
      new UserApi(new UserService(users, hasher, hashing)).register(dispatcher);
      return ServiceHost.start(vertx, node, pool, dispatcher, RouteSpec.metadata(UserApi.ROUTES));
    }).onSuccess(started -> host = started);
  }

  @Override
  public Future<?> stop() {
    Future<Void> stopped = host == null ? Future.succeededFuture() : host.stop();
    return stopped.eventually(() -> hashing == null ? Future.succeededFuture() : hashing.close())
      .eventually(() -> lookups == null ? Future.succeededFuture() : lookups.close())
      .eventually(() -> invalidation == null ? Future.succeededFuture() : invalidation.close());
  }
}
