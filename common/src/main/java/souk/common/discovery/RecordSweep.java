package souk.common.discovery;

import io.vertx.servicediscovery.Record;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Which discovery records belong to nodes that are no longer members of the cluster. */
public final class RecordSweep {

  /** Metadata key naming the cluster node that published a record. */
  public static final String NODE_ID = "nodeId";

  private RecordSweep() {
  }

  /** Records published by a node outside {@code liveNodes}; records without a node id are left alone. */
  public static List<Record> stale(Collection<Record> records, Set<String> liveNodes) {
    return records.stream()
      .filter(record -> {
        String nodeId = nodeId(record);
        return nodeId != null && !liveNodes.contains(nodeId);
      })
      .toList();
  }

  /** Records published by {@code nodeId}. */
  public static List<Record> ofNode(Collection<Record> records, String nodeId) {
    return records.stream().filter(record -> nodeId.equals(nodeId(record))).toList();
  }

  /** The node id in a record's metadata; {@code null} when absent or not a string (a malformed record). */
  public static String nodeId(Record record) {
    return record.getMetadata() != null && record.getMetadata().getValue(NODE_ID) instanceof String id ? id : null;
  }
}
