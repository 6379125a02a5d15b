package souk.common.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.Addresses;
import souk.common.bus.ServiceDispatcher;
import souk.common.discovery.ServiceRegistry;
import souk.common.ops.Probes;
import souk.common.outbox.DeadLetters;
import souk.common.outbox.OutboxBacklog;

import java.util.concurrent.TimeUnit;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The life of a service node around its business code, shared by every service verticle: consume requests, serve
 * the management probes and the outbox's dead letters, publish the discovery record; and in reverse on stop: unpublish (gateways stop choosing
 * this node), keep serving for {@link #UNPUBLISH_GRACE_MS}, then stop consuming, finish what is in flight, close the
 * server and the pool.
 */
public final class ServiceHost {

  /**
   * How long a stopping node keeps serving after removing its record, in milliseconds: long enough for the gateways
   * to notice (they re-read discovery on every announcement and at least every 2 s) and stop choosing it.
   */
  public static final long UNPUBLISH_GRACE_MS = 2_500;

  private static final Logger LOG = LoggerFactory.getLogger(ServiceHost.class);

  private final Vertx vertx;
  private final Node node;
  private final Pool pool;
  private final ServiceDispatcher dispatcher;
  private final ServiceRegistry registry;
  private HttpServer management;
  private DeadLetters deadLetters;
  private OutboxBacklog backlog;

  private ServiceHost(Vertx vertx, Node node, Pool pool, ServiceDispatcher dispatcher, ServiceRegistry registry) {
    this.vertx = vertx;
    this.node = node;
    this.pool = pool;
    this.dispatcher = dispatcher;
    this.registry = registry;
  }

  /**
   * @param metadata what the record tells others of this node (e.g. its HTTP routes); the node id and the
   *                 management port are added
   */
  public static Future<ServiceHost> start(Vertx vertx, Node node, Pool pool, ServiceDispatcher dispatcher,
                                          JsonObject metadata) {
    String service = node.config().service();
    ServiceHost host = new ServiceHost(vertx, node, pool, dispatcher, new ServiceRegistry(vertx, node.cluster()));
    Probes probes = new Probes(vertx, node.cluster(), node.metrics())
      .check("database", () -> pool.query("SELECT 1").execute().map(rows -> Status.OK()));
    host.deadLetters = new DeadLetters(vertx, pool, node.metrics()).start();
    host.backlog = new OutboxBacklog(vertx, pool, node.metrics()).start();
    return dispatcher.start()
      .compose(v -> probes.serve(vertx, node.config().clusterHost(), node.config().managementPort(),
        host.deadLetters::mount))
      .compose(server -> {
        host.management = server;
        JsonObject meta = metadata.copy().put("managementPort", server.actualPort())
          .put("nodeAddress", Addresses.nodeAddress(service, node.cluster().nodeId()));
        return host.registry.publish(service, service, meta);
      })
      .map(record -> {
        LOG.info("serving", kv("managementPort", host.management.actualPort()));
        return host;
      })
      .recover(e -> host.stop().transform(stopped -> Future.failedFuture(e)));
  }

  public Future<Void> stop() {
    if (deadLetters != null) {
      deadLetters.stop();
    }
    if (backlog != null) {
      backlog.stop();
    }
    long drainMs = TimeUnit.SECONDS.toMillis(node.config().shutdownSeconds());
    return registry.close()
      .compose(v -> vertx.timer(UNPUBLISH_GRACE_MS, TimeUnit.MILLISECONDS))
      .compose(v -> dispatcher.drain(drainMs))
      .eventually(() -> management == null ? Future.succeededFuture() : management.close())
      .eventually(pool::close);
  }
}
