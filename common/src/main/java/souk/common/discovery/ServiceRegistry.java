package souk.common.discovery;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.cluster.ClusterView;

import java.util.HashSet;
import java.util.List;
import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * This node's view of service discovery: publishes its own record (with its node id in the metadata), removes it on
 * stop, and removes the records of nodes that left the cluster — at once when Hazelcast reports a member gone, and
 * by a periodic sweep for whatever that misses (a node that died while this one was starting, say). Every node runs
 * the clean-up; removing a record twice is harmless. The sweep also puts this node's own record back if the cluster
 * lost it (a network partition, a merge).
 */
public final class ServiceRegistry {

  /** How often records of departed nodes are swept, in milliseconds. */
  public static final long DEFAULT_SWEEP_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(ServiceRegistry.class);

  private final Vertx vertx;
  private final ClusterView cluster;
  private final ServiceDiscovery discovery;
  private final long sweepTimer;
  private final UUID membershipListener;
  private Record published;

  public ServiceRegistry(Vertx vertx, ClusterView cluster) {
    this(vertx, cluster, DEFAULT_SWEEP_MS);
  }

  public ServiceRegistry(Vertx vertx, ClusterView cluster, long sweepMs) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.discovery = ServiceDiscovery.create(vertx);
    this.sweepTimer = vertx.setPeriodic(sweepMs, id -> sweep());
    this.membershipListener = cluster.addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String nodeId = ClusterView.nodeId(event.getMember());
        if (nodeId != null) {
          vertx.runOnContext(v -> removeNode(nodeId));
        }
      }
    });
  }

  public ServiceDiscovery discovery() {
    return discovery;
  }

  /**
   * Publishes this node's record for {@code service}, reachable at {@code address}.
   *
   * @param metadata extra metadata (routes, management port); the node id is added
   */
  public Future<Record> publish(String service, String address, JsonObject metadata) {
    Record record = new Record()
      .setName(service)
      .setType("eventbus-service")
      .setLocation(new JsonObject().put("endpoint", address))
      .setMetadata(metadata.copy().put(RecordSweep.NODE_ID, cluster.nodeId()));
    return discovery.publish(record).onSuccess(r -> {
      published = r;
      LOG.info("published service record", kv("registration", r.getRegistration()));
    });
  }

  /** Every record of {@code service}, including those of a node that has left but is not yet swept. */
  public Future<List<Record>> records(String service) {
    return discovery.getRecords(record -> service.equals(record.getName()));
  }

  /** Of {@code records}, those whose node is a live cluster member. */
  public List<Record> live(List<Record> records) {
    var live = new HashSet<>(cluster.nodes());
    return records.stream().filter(r -> live.contains(RecordSweep.nodeId(r))).toList();
  }

  /** Removes this node's record, stops the sweep and closes discovery. */
  public Future<Void> close() {
    vertx.cancelTimer(sweepTimer);
    cluster.removeMembershipListener(membershipListener);
    // forgotten first, so that a sweep still under way cannot publish it again
    Record own = published;
    published = null;
    Future<Void> unpublished = own == null
      ? Future.succeededFuture()
      : discovery.unpublish(own.getRegistration())
        .onSuccess(v -> LOG.info("unpublished service record", kv("registration", own.getRegistration())))
        .recover(e -> Future.succeededFuture());
    return unpublished.eventually(() -> {
      discovery.close();
      return Future.succeededFuture();
    });
  }

  Future<Void> sweep() {
    return discovery.getRecords(r -> true, true)
      .compose(records -> unpublish(RecordSweep.stale(records, new HashSet<>(cluster.nodes())))
        .compose(v -> republishIfLost(records)))
      .recover(e -> Future.succeededFuture());
  }

  /**
   * Puts this node's record back when it is gone from the cluster's map while the node still serves: after a network
   * partition the side that held the record's map entries may be the other one, and after a merge the other side may
   * have removed it as the record of a departed node.
   */
  private Future<Void> republishIfLost(List<Record> records) {
    Record own = published;
    if (own == null || records.stream().anyMatch(r -> own.getRegistration().equals(r.getRegistration()))) {
      return Future.succeededFuture();
    }
    return discovery.update(own)
      .onSuccess(r -> LOG.warn("own service record was missing from discovery; published it again",
        kv("registration", own.getRegistration())))
      .mapEmpty();
  }

  private Future<Void> removeNode(String nodeId) {
    return discovery.getRecords(r -> true, true)
      .compose(records -> unpublish(RecordSweep.ofNode(records, nodeId)))
      .recover(e -> Future.succeededFuture());
  }

  private Future<Void> unpublish(List<Record> records) {
    return Future.join(records.stream()
        .map(record -> discovery.unpublish(record.getRegistration())
          .onSuccess(v -> LOG.info("removed record of departed node",
            kv("service", record.getName()), kv("departedNode", RecordSweep.nodeId(record)))))
        .toList())
      .mapEmpty();
  }
}
