package souk.order;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import souk.common.api.RouteSpec;
import souk.common.bus.ServiceDispatcher;
import souk.common.db.Databases;
import souk.common.db.PgFailures;
import souk.common.db.Retention;
import souk.common.node.Node;
import souk.common.node.ServiceHost;
import souk.common.outbox.IdempotentConsumer;
import souk.common.outbox.OutboxRelay;
import souk.common.outbox.OutboxRelayOptions;
import souk.common.outbox.impl.PgOutboxRelay;
import souk.order.api.OrderApi;
import souk.order.saga.OrderUpdates;
import souk.order.saga.PaymentResults;
import souk.order.service.OrderCommands;
import souk.order.service.OrderQueries;
import souk.order.store.IdempotencyStore;
import souk.order.store.OrderRepository;
import souk.order.store.OrderRetention;

/** Wires the order service: its database, outbox relay, event-bus actions and its place in discovery. */
public final class OrderVerticle extends VerticleBase {

  private final Node node;
  private ServiceHost host;
  private OutboxRelay relay;
  private Retention retention;

  public OrderVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    OrderConfig config = OrderConfig.from(node.rawConfig());
    return Databases.prepare(vertx, config.pg()).compose(pool -> {
      relay = new PgOutboxRelay(vertx, pool, OutboxRelayOptions.of(config.saga()));
      retention = new Retention(vertx, pool, OrderRetention.PURGES, config.saga().retentionEveryMs());
      OrderRepository orders = new OrderRepository();
      OrderUpdates updates = new OrderUpdates(vertx.eventBus());
      OrderApi api = new OrderApi(
        new OrderCommands(pool, orders, new IdempotencyStore(), updates, relay::nudge),
        new OrderQueries(pool, orders),
        new PaymentResults(new IdempotentConsumer(pool), orders, updates, relay::nudge));
      ServiceDispatcher dispatcher = api.register(
        new ServiceDispatcher(vertx, node.config().service(), node.cluster().nodeId(),
          node.config().accessLog(), PgFailures.INSTANCE));
      return ServiceHost.start(vertx, node, pool, dispatcher, RouteSpec.metadata(OrderApi.ROUTES));
    }).onSuccess(started -> {
      host = started;
      relay.start();
      retention.start();
    });
  }

  @Override
  public Future<?> stop() {
    if (retention != null) {
      retention.stop();
    }
    Future<Void> relayStopped = relay == null ? Future.succeededFuture() : relay.stop();
    return relayStopped.eventually(() -> host == null ? Future.succeededFuture() : host.stop());
  }
}
