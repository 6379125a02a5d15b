package souk.payment;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
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
import souk.payment.api.PaymentApi;
import souk.payment.provider.SimulatedProvider;
import souk.payment.service.PaymentService;
import souk.payment.store.PaymentRepository;

/** Wires the payment service: its database, outbox relay, event-bus actions and its place in discovery. */
public final class PaymentVerticle extends VerticleBase {

  private final Node node;
  private ServiceHost host;
  private OutboxRelay relay;
  private Retention retention;

  public PaymentVerticle(Node node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    PaymentConfig config = PaymentConfig.from(node.rawConfig());
    return Databases.prepare(vertx, config.pg()).compose(pool -> {
      relay = new PgOutboxRelay(vertx, pool, OutboxRelayOptions.of(config.saga()));
      retention = new Retention(vertx, pool, Retention.SAGA, config.saga().retentionEveryMs());
      PaymentService payments = new PaymentService(pool, new IdempotentConsumer(pool), new PaymentRepository(),
        new SimulatedProvider(vertx, config.providerDelayMs()), relay::nudge);
      ServiceDispatcher dispatcher = new PaymentApi(payments).register(
        new ServiceDispatcher(vertx, node.config().service(), node.cluster().nodeId(),
          node.config().accessLog(), PgFailures.INSTANCE));
      // no HTTP routes: the payment service is reached by the saga and the gateway's summary only
      return ServiceHost.start(vertx, node, pool, dispatcher, new JsonObject());
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
