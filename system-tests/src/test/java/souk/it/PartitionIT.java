package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network partition that heals: host A runs the gateway and a user node, host B a second user node, the order and
 * the payment node. While B is cut off, A's side serves reads with its own user node and refuses orders it cannot
 * finish (503); once the link is back, the halves merge and Souk serves everything again, with no stale record,
 * without restarting anything. The test prints how long each phase took.
 */
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

  @Test
  void a_cut_host_is_worked_around_and_after_the_link_returns_the_halves_merge_and_serve_everything() throws Exception {
    // two hosts serve, with a user node on each
    cluster.start(SoukCluster.USER, network.host(1));
    cluster.awaitStatus("/ready", code -> code == 200 && cluster.answering("user-service") == 2, Duration.ofSeconds(90));
    Api.Account shopper = shop.signUp();
    String first = shop.placed(shopper, ShopClient.order("tok_visa", 500, 1)).getString("id");
    shop.awaitOrder(shopper, first, o -> "CONFIRMED".equals(o.getString("status")));

    // while B is cut off, the gateway's side serves reads and refuses orders it cannot finish
    network.cut(1);
    long cut = System.nanoTime();
    awaitConsecutiveReads(shopper, 5, Duration.ofSeconds(60));
    figure("reads served again by the gateway's side after the cut", cut);
    HttpResponse<Buffer> refused = Eventually.await("an order refused with 503: no order node on this side",
      Duration.ofSeconds(60), () -> shop.place(shopper, ShopClient.order("tok_visa", 700, 1), null),
      answer -> answer.statusCode() == 503);
    assertTrue(Integer.parseInt(refused.getHeader("Retry-After")) >= 1);

    // after the link returns, the halves merge and serve everything, with no stale record
    network.restore(1);
    long restored = System.nanoTime();
    JsonObject ready = awaitWhole(Duration.ofSeconds(120));
    figure("merged and ready after the link returned", restored);
    assertEquals(5, ClusterLifecycleIT.checkData(ready, "cluster").getInteger("members"), ready.encode());
    assertEquals(2, ClusterLifecycleIT.checkData(ready, "user-service").getJsonArray("answered").size());
    // as a careful client does: an order refused with 503 is placed again after Retry-After, with the same key
    String key = UUID.randomUUID().toString();
    HttpResponse<Buffer> placed = Eventually.retryingAfter("the order placed after the merge accepted",
      Duration.ofSeconds(60), () -> shop.place(shopper, ShopClient.order("tok_visa", 900, 1), key),
      answer -> answer.statusCode() != 503);
    assertEquals(201, placed.statusCode(), placed.bodyAsString());
    String id = placed.bodyAsJsonObject().getString("id");
    shop.awaitOrder(shopper, id, o -> "CONFIRMED".equals(o.getString("status")));
    figure("an order placed after the merge confirmed", restored);
    awaitConsecutiveReads(shopper, 10, Duration.ofSeconds(30));
  }

  /**
   * Waits for one {@code /ready} answer in which the cluster has its five members and every service all its nodes,
   * each with one record and answering, none stale and none silent; returns that answer.
   */
  private static JsonObject awaitWhole(Duration timeout) throws Exception {
    return Eventually.await("the cluster becoming whole again", timeout, () -> cluster.get("/ready"),
      response -> response.statusCode() == 200 && whole(response.bodyAsJsonObject())).bodyAsJsonObject();
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

  private static void awaitConsecutiveReads(Api.Account shopper, int wanted, Duration timeout) throws Exception {
    AtomicInteger inARow = new AtomicInteger();
    Eventually.await("reads succeeding " + wanted + " times in a row", timeout, () -> {
      // a read that fails, or throws, breaks the run
      int before = inARow.getAndSet(0);
      if (shop.get(shopper, "/api/v1/users/me").statusCode() != 200) {
        return 0;
      }
      inARow.set(before + 1);
      return before + 1;
    }, n -> n >= wanted);
  }

  // the figures docs/reliability.md quotes, in the test's output
  private static void figure(String what, long sinceNanos) {
    System.out.printf("[figures] %s: %.1f s%n", what, (System.nanoTime() - sinceNanos) / 1e9);
  }
}
