package souk.common.discovery;

import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecordSweepTest {

  private static Record record(String name, String nodeId) {
    JsonObject metadata = nodeId == null ? new JsonObject() : new JsonObject().put(RecordSweep.NODE_ID, nodeId);
    return new Record().setName(name).setRegistration(name + "-" + nodeId).setMetadata(metadata);
  }

  @Test
  void records_of_departed_nodes_are_stale() {
    Record live = record("user-service", "a");
    Record departed = record("order-service", "b");
    assertEquals(List.of(departed), RecordSweep.stale(List.of(live, departed), Set.of("a", "c")));
  }

  @Test
  void records_without_a_node_id_are_left_alone() {
    Record foreign = record("legacy", null);
    assertEquals(List.of(), RecordSweep.stale(List.of(foreign), Set.of()));
  }

  @Test
  void nothing_is_stale_when_every_node_is_live() {
    assertEquals(List.of(), RecordSweep.stale(List.of(record("x", "a"), record("y", "b")), Set.of("a", "b")));
  }

  @Test
  void records_of_one_node_are_found_for_removal() {
    Record a1 = record("user-service", "a");
    Record b = record("user-service", "b");
    assertEquals(List.of(a1), RecordSweep.ofNode(List.of(a1, b), "a"));
  }
}
