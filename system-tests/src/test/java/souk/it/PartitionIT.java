package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network partition that heals: host A runs the gateway and a user node, host B a second user node, the order and
 * the payment node. While B is cut off, A's side serves reads with its own user node and refuses orders it cannot
 * finish (503); once the link is back, the halves merge and Souk serves everything again, with no stale record,
 * without restarting anything. The test prints how long each phase took.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PartitionIT {

  @RegisterExtension
  @Order(1)
  static final NetworkHosts network = new NetworkHosts(2);

  @RegisterExtension
  @Order(2)
  static final PrivatePostgres postgres = new PrivatePostgres(network.bridgeIp(), network.network());

  @RegisterExtension
  @Order(3)
  static final SoukCluster cluster = new SoukCluster()
    .across(network, postgres, kind -> switch (kind) {
      case SoukCluster.GATEWAY, SoukCluster.USER -> network.host(0);
      default -> network.host(1);
    })
    .env("SOUK_REQUEST_TIMEOUT_MS", "2000");

  private static final ShopClient shop = new ShopClient(cluster);
  private static Api.Account shopper;

  @Test
  @Order(1)
  void two_hosts_serve_with_a_user_node_on_each() throws Exception {
    cluster.start(SoukCluster.USER, network.host(1));
    cluster.awaitStatus("/ready", code -> code == 200 && cluster.answering("user-service") == 2, Duration.ofSeconds(90));
    shopper = shop.signUp();
    String id = shop.placed(shopper, ShopClient.order("tok_visa", 500, 1)).getString("id");
    shop.awaitOrder(shopper, id, o -> "CONFIRMED".equals(o.getString("status")));
  }

  @Test
  @Order(2)
  void while_cut_off_the_gateways_side_serves_reads_and_refuses_orders_it_cannot_finish() throws Exception {
    network.cut(1);
    long cut = System.nanoTime();
    awaitConsecutiveReads(5, Duration.ofSeconds(60));
    figure("reads served again by the gateway's side after the cut", cut);

    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    HttpResponse<Buffer> refused;
    do {
      refused = shop.place(shopper, ShopClient.order("tok_visa", 700, 1), null);
    } while (refused.statusCode() != 503 && System.nanoTime() < deadline);
    assertEquals(503, refused.statusCode(), "no order node on this side: " + refused.bodyAsString());
    assertTrue(Integer.parseInt(refused.getHeader("Retry-After")) >= 1);
  }

  @Test
  @Order(3)
  void after_the_link_returns_the_halves_merge_and_serve_everything_without_stale_records() throws Exception {
    network.restore(1);
    long restored = System.nanoTime();
    JsonObject ready = awaitWhole(Duration.ofSeconds(120));
    figure("merged and ready after the link returned", restored);
    assertEquals(5, ClusterLifecycleIT.checkData(ready, "cluster").getInteger("members"), ready.encode());
    assertEquals(2, ClusterLifecycleIT.checkData(ready, "user-service").getJsonArray("answered").size());
    // as a careful client does: an order refused with 503 is placed again after Retry-After, with the same key
    String key = UUID.randomUUID().toString();
    HttpResponse<Buffer> placed = shop.place(shopper, ShopClient.order("tok_visa", 900, 1), key);
    for (int retry = 0; placed.statusCode() == 503 && retry < 10; retry++) {
      TimeUnit.SECONDS.sleep(Math.max(1, Long.parseLong(placed.getHeader("Retry-After"))));
      placed = shop.place(shopper, ShopClient.order("tok_visa", 900, 1), key);
    }
    assertEquals(201, placed.statusCode(), placed.bodyAsString());
    String id = placed.bodyAsJsonObject().getString("id");
    shop.awaitOrder(shopper, id, o -> "CONFIRMED".equals(o.getString("status")));
    figure("an order placed after the merge confirmed", restored);
    awaitConsecutiveReads(10, Duration.ofSeconds(30));
  }

  /**
   * Waits for one {@code /ready} answer in which the cluster has its five members and every service all its nodes,
   * each with one record and answering, none stale and none silent; returns that answer.
   */
  private static JsonObject awaitWhole(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      HttpResponse<Buffer> response = cluster.get("/ready");
      last = response.bodyAsString();
      if (response.statusCode() == 200 && whole(response.bodyAsJsonObject())) {
        return response.bodyAsJsonObject();
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    throw new AssertionError("the cluster never became whole again: " + last);
  }

  private static boolean whole(JsonObject ready) {
    if (ClusterLifecycleIT.checkData(ready, "cluster").getInteger("members", 0) != 5) {
      return false;
    }
    Map<String, Integer> nodes = Map.of("user-service", 2, "order-service", 1, "payment-service", 1);
    for (Map.Entry<String, Integer> service : nodes.entrySet()) {
      JsonObject data = ClusterLifecycleIT.checkData(ready, service.getKey());
      JsonArray answered = data.getJsonArray("answered", new JsonArray());
      if (!data.getJsonArray("silent", new JsonArray()).isEmpty() || answered.size() != service.getValue()
        || answered.size() != data.getInteger("records", -1)) {
        return false;
      }
      // a breaker that opened during the cut must have let its probe through (half-open) or closed again
      if ("open".equals(data.getString("breaker"))) {
        return false;
      }
    }
    return true;
  }

  private static void awaitConsecutiveReads(int wanted, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int inARow = 0;
    while (inARow < wanted) {
      assertTrue(System.nanoTime() < deadline, "reads never succeeded " + wanted + " times in a row");
      inARow = shop.get(shopper, "/api/v1/users/me").statusCode() == 200 ? inARow + 1 : 0;
      if (inARow == 0) {
        TimeUnit.MILLISECONDS.sleep(250);
      }
    }
  }

  // the figures docs/reliability.md quotes, in the test's output
  private static void figure(String what, long sinceNanos) {
    System.out.printf("[figures] %s: %.1f s%n", what, (System.nanoTime() - sinceNanos) / 1e9);
  }
}
