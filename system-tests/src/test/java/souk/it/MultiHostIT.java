package souk.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Souk across hosts: three network namespaces with addresses of their own stand for three machines (gateway; user and
 * order; payment), PostgreSQL is reached over the network. The nodes find each other from SOUK_CLUSTER_MEMBERS, bind
 * only their host's address, and a host cut off the network is reported while its work waits for a reachable node.
 */
class MultiHostIT {

  @RegisterExtension
  @Order(1)
  static final NetworkHosts network = new NetworkHosts(3);

  @RegisterExtension
  @Order(2)
  static final PrivatePostgres postgres = new PrivatePostgres(network.bridgeIp(), network.network());

  @RegisterExtension
  @Order(3)
  static final SoukCluster cluster = new SoukCluster()
    .across(network, postgres, kind -> switch (kind) {
      case SoukCluster.GATEWAY -> network.host(0);
      case SoukCluster.PAYMENT -> network.host(2);
      default -> network.host(1);
    });

  private static final ShopClient shop = new ShopClient(cluster);

  @Test
  void nodes_on_three_hosts_form_one_cluster_and_settle_orders() throws Exception {
    JsonObject ready = cluster.awaitStatus("/ready", code -> code == 200, Duration.ofSeconds(10));
    assertEquals(4, ClusterLifecycleIT.checkData(ready, "cluster").getInteger("members"));
    Api.Account shopper = shop.signUp();
    String id = shop.placed(shopper, ShopClient.order("tok_visa", 900, 1)).getString("id");
    shop.awaitOrder(shopper, id, o -> "CONFIRMED".equals(o.getString("status")));
  }

  @Test
  void a_node_listens_on_its_host_address_only() throws Exception {
    NodeProcess user = cluster.node("user");
    var onHostAddress = cluster.client().get(user.managementPort(), network.host(1).ip(), "/health").send()
      .await(10, TimeUnit.SECONDS);
    assertEquals(200, onHostAddress.statusCode());
    List<String> curl = new ArrayList<>(network.host(1).prefix());
    curl.addAll(List.of("curl", "-s", "--max-time", "2", "http://127.0.0.1:" + user.managementPort() + "/health"));
    Process onLoopback = new ProcessBuilder(curl).start();
    assertNotEquals(0, onLoopback.waitFor(), "nothing listens on the host's loopback");
  }

  @Test
  void a_host_cut_off_is_reported_and_its_work_waits_for_a_reachable_node() throws Exception {
    network.cut(2);
    NodeProcess reachable = null;
    try {
      JsonObject down = cluster.awaitStatus("/ready", code -> code == 503, Duration.ofSeconds(15));
      assertEquals("DOWN", ClusterLifecycleIT.checkStatus(down, "payment-service"), down.encode());

      Api.Account shopper = shop.signUp();
      String id = shop.placed(shopper, ShopClient.order("tok_visa", 400, 2)).getString("id");
      // the relay has tried to deliver the charge, and failed: the order waits because no payment node is reachable,
      // not because nothing has happened yet
      Eventually.until("a failed delivery of the charge", Duration.ofSeconds(30), () -> shop.count(SoukCluster.ORDER,
        "SELECT count(*) FROM outbox WHERE payload->>'orderId' = $1 AND attempts > 0 AND delivered_at IS NULL",
        id) == 1);
      assertEquals("PENDING", shop.get(shopper, "/api/v1/orders/" + id).bodyAsJsonObject().getString("status"),
        "no payment node is reachable: the charge waits in the outbox");

      reachable = cluster.start(SoukCluster.PAYMENT, network.host(1));
      JsonObject order = shop.awaitOrder(shopper, id, o -> "CONFIRMED".equals(o.getString("status")));
      assertEquals(2 * 400 + 150, order.getJsonObject("payment").getLong("amount"), "both lines of the order");
      assertEquals(1, shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM payment WHERE user_id = $1",
        shopper.uuid()));
    } finally {
      // the cluster as the other tests expect it: the host back, its payment node merged in, no extra node
      network.restore(2);
      if (reachable != null) {
        reachable.stop();
      }
    }
    Eventually.until("the cut host's node merged back, and four members", Duration.ofSeconds(120), () -> {
      var ready = cluster.get("/ready");
      return ready.statusCode() == 200
        && ClusterLifecycleIT.checkData(ready.bodyAsJsonObject(), "cluster").getInteger("members", 0) == 4;
    });
  }
}
