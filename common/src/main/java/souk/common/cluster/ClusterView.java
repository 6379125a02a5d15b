package souk.common.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.UUID;

/** What this node knows of the cluster: its own id, the live members, and notice of members leaving. */
public final class ClusterView {

  // the Vert.x node id is not Hazelcast's member uuid: vertx-hazelcast keeps it in this member attribute
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastClusterManager manager;
  private final boolean insecure;

  /** @param insecure whether this node runs a reachable event bus without TLS ({@code SOUK_CLUSTER_INSECURE}) */
  public ClusterView(HazelcastClusterManager manager, boolean insecure) {
    this.manager = manager;
    this.insecure = insecure;
  }

  /** Whether this node's event bus is reachable from other hosts and unprotected; shown in {@code /ready}. */
  public boolean insecure() {
    return insecure;
  }

  public String nodeId() {
    return manager.getNodeId();
  }

  /** The Vert.x node id of a Hazelcast member, or {@code null} for a member that is not a Vert.x node. */
  public static String nodeId(Member member) {
    return member.getAttribute(NODE_ID_ATTRIBUTE);
  }

  public List<String> nodes() {
    return manager.getNodes();
  }

  public boolean isActive() {
    return manager.isActive();
  }

  // Hazelcast takes any number of membership listeners; Vert.x's own NodeListener slot is left to Vert.x
  public UUID addMembershipListener(MembershipListener listener) {
    return manager.getHazelcastInstance().getCluster().addMembershipListener(listener);
  }

  public void removeMembershipListener(UUID id) {
    if (manager.isActive()) {
      manager.getHazelcastInstance().getCluster().removeMembershipListener(id);
    }
  }
}
