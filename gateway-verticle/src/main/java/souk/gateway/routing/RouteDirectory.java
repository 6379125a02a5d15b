package souk.gateway.routing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Keeps the gateway's {@link RouteTable} in step with discovery: rebuilt when a record is announced or removed, and
 * periodically (a crashed node's record is swept without a word to anyone). The routes of a service whose last node
 * left are remembered, so that they answer 503 rather than 404.
 */
public final class RouteDirectory {

  /** How often the table is rebuilt even without announcements, in milliseconds. */
  public static final long DEFAULT_REFRESH_MS = 2_000;
  /**
   * How long one read of discovery may take before the next may start. A read can hang on the cluster's map while a
   * member is leaving; it must not hold every later read back.
   */
  static final long READ_TIMEOUT_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(RouteDirectory.class);

  private final Vertx vertx;
  private final ServiceRegistry registry;
  private final Map<String, List<RouteSpec>> known = new HashMap<>();
  // registrations of records already reported as malformed
  private final Set<String> warned = new HashSet<>();
  private volatile RouteTable table = RouteTable.EMPTY;
  private MessageConsumer<JsonObject> announcements;
  private long timer = -1;
  private Future<Void> reading;
  // reads are numbered; a read that ends after a newer one has built the table is discarded
  private long reads;
  private long applied;
  private boolean readAgain;

  public RouteDirectory(Vertx vertx, ServiceRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  public RouteTable table() {
    return table;
  }

  /** Serves {@code routes} until the next read of discovery: how tests give the gateway routes without a cluster. */
  void use(RouteTable routes) {
    table = routes;
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
    // marked as reading before the read starts: a read that ends at once must still clear the mark, or the table
    // would never be read again
    Promise<Void> done = Promise.promise();
    reading = done.future();
    read(++reads).timeout(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(read -> {
      if (read.failed()) {
        LOG.warn("reading discovery records took too long; reading again", kv("timeoutMs", READ_TIMEOUT_MS));
      }
      reading = null;
      done.complete();
      if (readAgain) {
        readAgain = false;
        refresh();
      }
    });
    return done.future();
  }

  private Future<Void> read(long number) {
    return registry.discovery().getRecords(record -> true)
      .map(records -> {
        if (number < applied) {
          return (Void) null;
        }
        applied = number;
        Map<String, List<String>> liveNodes = new HashMap<>();
        warned.retainAll(records.stream().map(Record::getRegistration).toList());
        for (Record record : registry.live(records)) {
          Object nodeAddress = record.getMetadata().getValue("nodeAddress");
          if (record.getName() == null) {
            continue;
          }
          if (nodeAddress instanceof String address) {
            liveNodes.computeIfAbsent(record.getName(), k -> new ArrayList<>()).add(address);
          }
          Declared declared = declared(record);
          if (declared.invalid() > 0 && warned.add(record.getRegistration())) {
            LOG.warn("ignoring malformed routes in a discovery record", kv("service", record.getName()),
              kv("registration", record.getRegistration()), kv("ignored", declared.invalid()));
          }
          List<RouteSpec> routes = declared.routes();
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

  /** The valid routes a record declares, and how many malformed ones were left out. */
  record Declared(List<RouteSpec> routes, int invalid) {
  }

  /**
   * Reads a record's routes. A malformed route (or routes entry) is left out: one bad record must not keep every later
   * record from being read.
   */
  static Declared declared(Record record) {
    Object routes = record.getMetadata() == null ? null : record.getMetadata().getValue("routes");
    if (routes == null) {
      return new Declared(List.of(), 0);
    }
    if (!(routes instanceof JsonArray array)) {
      return new Declared(List.of(), 1);
    }
    List<RouteSpec> valid = new ArrayList<>();
    for (Object route : array) {
      RouteSpec spec = route instanceof JsonObject json ? parse(json) : null;
      if (spec != null) {
        valid.add(spec);
      }
    }
    return new Declared(List.copyOf(valid), array.size() - valid.size());
  }

  static RouteSpec parse(JsonObject json) {
    try {
      RouteSpec spec = RouteSpec.fromJson(json);
      if (spec.method() == null || !spec.method().matches("[A-Z]{1,16}") || spec.action() == null
        || spec.action().isEmpty()) {
        return null;
      }
      new PathTemplate(spec.path());
      return spec;
    } catch (RuntimeException malformed) {
      return null;
    }
  }
}
