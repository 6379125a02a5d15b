package souk.it;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import souk.common.bus.Addresses;
import souk.common.bus.Headers;
import souk.common.config.NodeConfig;
import souk.common.node.HazelcastConfigs;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A second node of a kind joins the running cluster and takes its share of the requests. */
class ScaleOutIT {

  private static SoukCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new SoukCluster("ScaleOutIT").startAll();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void a_second_user_node_joins_and_both_answer_pings() throws Exception {
    cluster.start(SoukCluster.USER);
    cluster.awaitStatus("/ready", code -> code == 200
      && readyUserNodes() == 2, Duration.ofSeconds(60));

    // a client member of the same cluster sends pings to the shared address: Vert.x spreads them over both nodes
    NodeConfig client = new NodeConfig("scale-out-client", cluster.clusterName(), "127.0.0.1",
      cluster.clusterPort() + 10, List.of("127.0.0.1:" + cluster.clusterPort()), "", 0, 5);
    Vertx member = Vertx.builder().withClusterManager(new HazelcastClusterManager(HazelcastConfigs.load(client)))
      .buildClustered().await(60, TimeUnit.SECONDS);
    try {
      Set<String> answering = new HashSet<>();
      DeliveryOptions ping = new DeliveryOptions().addHeader(Headers.ACTION, Headers.PING).setSendTimeout(10_000);
      for (int i = 0; i < 20; i++) {
        Message<JsonObject> reply = member.eventBus().<JsonObject>request(Addresses.USER_SERVICE, new JsonObject(), ping)
          .await(15, TimeUnit.SECONDS);
        answering.add(reply.body().getString("nodeId"));
      }
      assertEquals(2, answering.size(), "both user nodes answered: " + answering);
    } finally {
      member.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static int readyUserNodes() {
    try {
      return ClusterLifecycleIT.checkData(cluster.get("/ready").bodyAsJsonObject(), "user-service")
        .getJsonArray("answered").size();
    } catch (Exception e) {
      return 0;
    }
  }
}
