package souk.gateway.ready;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.servicediscovery.Record;
import souk.common.bus.Actions;
import souk.common.bus.Requests;
import souk.common.discovery.RecordSweep;
import souk.common.discovery.ServiceRegistry;
import souk.gateway.routing.Breakers;
import souk.gateway.routing.RouteDirectory;

import java.util.List;

/**
 * Whether a service kind can serve: at least one node with a live discovery record answers {@code ping} on its own
 * address. Each node is pinged on its own, so a node that died but is not yet dropped from the cluster cannot make
 * the check flap; the check's data lists the nodes that answered and those that did not, and the state of this
 * gateway's circuit breaker for the service.
 */
public final class ServiceReadiness {

  /** How long a node has to answer a readiness ping, in milliseconds. */
  public static final long PING_TIMEOUT_MS = 1_500;

  private final Vertx vertx;
  private final ServiceRegistry registry;
  private final Breakers breakers;
  private final RouteDirectory directory;

  public ServiceReadiness(Vertx vertx, ServiceRegistry registry, Breakers breakers, RouteDirectory directory) {
    this.vertx = vertx;
    this.registry = registry;
    this.breakers = breakers;
    this.directory = directory;
  }

  /**
   * Also KO while this gateway's route table has no live node of the service yet: a node that answers pings but whose
   * routes the gateway has not read would answer its clients 404.
   */
  public Future<Status> check(String service) {
    return nodes(service).map(status -> {
      JsonObject data = status.getData() == null ? new JsonObject() : status.getData();
      data.put("breaker", breakers.state(service));
      if (status.isOk() && !directory.table().isLive(service)) {
        return Status.KO(data.put("reason", "routes not read yet"));
      }
      return status.setData(data);
    });
  }

  private Future<Status> nodes(String service) {
    return registry.records(service).compose(all -> {
      List<Record> records = registry.live(all);
      if (records.isEmpty()) {
        return Future.succeededFuture(Status.KO(new JsonObject().put("reason", "no live node").put("records", all.size())));
      }
      List<Future<String>> pings = records.stream().map(this::ping).toList();
      return Future.join(pings).transform(done -> {
        JsonArray answered = new JsonArray();
        JsonArray silent = new JsonArray();
        for (int i = 0; i < pings.size(); i++) {
          String nodeId = RecordSweep.nodeId(records.get(i));
          (pings.get(i).succeeded() ? answered : silent).add(nodeId);
        }
        JsonObject data = new JsonObject().put("answered", answered).put("silent", silent).put("records", all.size());
        if (answered.isEmpty()) {
          data.put("reason", "no node answers ping");
        }
        return Future.succeededFuture(answered.isEmpty() ? Status.KO(data) : Status.OK(data));
      });
    });
  }

  private Future<String> ping(Record record) {
    if (!(record.getMetadata().getValue("nodeAddress") instanceof String address)) {
      return Future.failedFuture("record without a node address");
    }
    DeliveryOptions options = Requests.options(Actions.PING, null, null, PING_TIMEOUT_MS);
    return vertx.eventBus().<JsonObject>request(address, new JsonObject(), options)
      .map(reply -> reply.body().getString("nodeId"));
  }
}
