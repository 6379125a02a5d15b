package souk.gateway.routing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.api.RouteSpec;
import souk.common.discovery.ServiceRegistry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Keeps the gateway's {@link RouteTable} in step with discovery: rebuilt when a record is announced or removed, and
 * periodically (a crashed node's record is swept without a word to anyone). The routes of a service whose last node
 * left are remembered, so that they answer 503 rather than 404.
 */
public final class RouteDirectory {

  /** How often the table is rebuilt even without announcements, in milliseconds. */
  public static final long DEFAULT_REFRESH_MS = 2_000;

  private static final Logger LOG = LoggerFactory.getLogger(RouteDirectory.class);

  private final Vertx vertx;
  private final ServiceRegistry registry;
  private final Map<String, List<RouteSpec>> known = new HashMap<>();
  private volatile RouteTable table = RouteTable.EMPTY;
  private MessageConsumer<JsonObject> announcements;
  private long timer = -1;
  private Future<Void> reading;
  private boolean readAgain;

  public RouteDirectory(Vertx vertx, ServiceRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  public RouteTable table() {
    return table;
  }

  public Future<Void> start() {
    announcements = vertx.eventBus().consumer(ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS, m -> refresh());
    timer = vertx.setPeriodic(DEFAULT_REFRESH_MS, id -> refresh());
    return refresh();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(timer);
    return announcements == null ? Future.succeededFuture() : announcements.unregister();
  }

  /**
   * Re-reads discovery. Reads never overlap: one asked for while another runs happens after it, so an older read can
   * never overwrite the table a newer one built (a stopping node must disappear, and stay gone).
   */
  public Future<Void> refresh() {
    if (reading != null) {
      readAgain = true;
      return reading;
    }
    reading = read().eventually(() -> {
      reading = null;
      if (readAgain) {
        readAgain = false;
        refresh();
      }
      return Future.succeededFuture();
    });
    return reading;
  }

  private Future<Void> read() {
    return registry.discovery().getRecords(record -> true)
      .map(records -> {
        Map<String, List<String>> liveNodes = new HashMap<>();
        for (Record record : registry.live(records)) {
          String nodeAddress = record.getMetadata().getString("nodeAddress");
          if (nodeAddress != null) {
            liveNodes.computeIfAbsent(record.getName(), k -> new ArrayList<>()).add(nodeAddress);
          }
          List<RouteSpec> routes = routes(record);
          if (!routes.isEmpty() && !routes.equals(known.put(record.getName(), routes))) {
            LOG.info("routes updated", kv("service", record.getName()), kv("routes", routes.size()));
          }
        }
        liveNodes.values().forEach(Collections::sort);
        table = RouteTable.of(known, liveNodes);
        return (Void) null;
      })
      // the table stays as it was; the next announcement or tick reads again
      .recover(e -> {
        LOG.warn("could not read discovery records", e);
        return Future.succeededFuture();
      });
  }

  private static List<RouteSpec> routes(Record record) {
    JsonArray routes = record.getMetadata() == null ? null : record.getMetadata().getJsonArray("routes");
    if (routes == null) {
      return List.of();
    }
    return routes.stream().map(r -> RouteSpec.fromJson((JsonObject) r)).toList();
  }
}
