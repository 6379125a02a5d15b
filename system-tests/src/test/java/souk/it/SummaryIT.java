package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The summary composed by the gateway from three services, whole and with services gone. One shopper's orders are
 * placed once for the class; the test that takes services away brings them back when it ends.
 */
class SummaryIT {

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster();
  private static final ShopClient shop = new ShopClient(cluster);
  private static final List<String> SERVICES = List.of("user-service", "order-service", "payment-service");
  private static Api.Account shopper;
  private static String declined;

  /** Six confirmed orders and one declined, the newest. */
  @BeforeAll
  static void placeOrders() throws Exception {
    shopper = shop.signUp();
    for (int i = 0; i < 6; i++) {
      JsonObject order = shop.placed(shopper, ShopClient.order("tok_visa", 1_000, 1));
      shop.awaitOrder(shopper, order.getString("id"), o -> "CONFIRMED".equals(o.getString("status")));
    }
    declined = shop.placed(shopper, ShopClient.order("tok_chargeDeclined", 1_000, 1)).getString("id");
    shop.awaitOrder(shopper, declined, o -> "CANCELLED".equals(o.getString("status")));
  }

  @Test
  void the_summary_joins_user_orders_and_payments() throws Exception {
    JsonObject summary = okSummary();
    assertEquals(shopper.id(), summary.getJsonObject("user").getString("id"));
    assertEquals(7, summary.getInteger("orderCount"));
    JsonArray recent = summary.getJsonArray("recentOrders");
    assertEquals(5, recent.size());
    assertEquals(declined, recent.getJsonObject(0).getString("id"), "newest first");
    assertEquals(6, summary.getJsonObject("payments").getInteger("succeeded"));
    assertEquals(6 * 1_150L, summary.getJsonObject("payments").getJsonObject("totalCaptured").getLong("EUR"));
    assertEquals(new JsonArray(), summary.getJsonArray("degraded"));
  }

  @Test
  void metrics_labels_stay_bounded_however_many_users_and_nodes() throws Exception {
    // an order of its own, so that the order node running now has sent to the payment service
    Api.Account buyer = shop.signUp();
    String id = shop.placed(buyer, ShopClient.order("tok_visa", 1_000, 1)).getString("id");
    shop.awaitOrder(buyer, id, o -> "CONFIRMED".equals(o.getString("status")));
    NodeProcess order = cluster.node("order");
    String metrics = cluster.client().get(order.managementPort(), "127.0.0.1", "/metrics").send()
      .await(10, TimeUnit.SECONDS).bodyAsString();
    assertTrue(metrics.contains("vertx_eventbus_sent_total"), "the event-bus meters are exported");
    // every call goes to a node's own address: a label per address would grow with every node ever started
    assertFalse(metrics.contains("address=\""), "no address label");
    assertFalse(metrics.contains("orders.updates." + buyer.id()), "no label per user");
  }

  @Test
  void another_users_summary_is_forbidden_and_a_token_is_required() throws Exception {
    Api.Account other = shop.signUp();
    assertEquals(403, shop.get(other, "/api/v1/users/" + shopper.id() + "/summary").statusCode());
    assertEquals(403, shop.get(other, "/api/v1/users/" + UUID.randomUUID() + "/summary").statusCode());
    assertEquals(401, shop.get(null, "/api/v1/users/" + shopper.id() + "/summary").statusCode());
  }

  @Test
  void as_services_go_the_summary_leaves_out_their_parts_and_without_users_there_is_none() throws Exception {
    try {
      // without payment nodes the summary is partial
      cluster.node("payment").kill();
      JsonObject partial = okSummary();
      assertNull(partial.getValue("payments"));
      assertEquals(7, partial.getInteger("orderCount"));
      assertEquals(new JsonArray().add("payment-service"), partial.getJsonArray("degraded"));

      // without order nodes either, only the user is left
      cluster.node("order").kill();
      JsonObject userOnly = okSummary();
      assertNull(userOnly.getValue("payments"));
      assertNull(userOnly.getValue("recentOrders"));
      assertNull(userOnly.getValue("orderCount"));
      assertEquals(shopper.id(), userOnly.getJsonObject("user").getString("id"));
      assertEquals(new JsonArray().add("order-service").add("payment-service"), userOnly.getJsonArray("degraded"));

      // without user nodes there is no summary: a request to the killed node may time out (504) until its record is
      // swept; from then on no node can answer: 503, to be retried
      cluster.node("user").kill();
      HttpResponse<Buffer> response = Eventually.await("the summary answering 503 once no user node is left",
        Duration.ofSeconds(60), () -> shop.get(shopper, "/api/v1/users/" + shopper.id() + "/summary"),
        answer -> answer.statusCode() == 503);
      assertEquals("application/problem+json", response.getHeader("Content-Type"));
      assertNotNull(response.getHeader("Retry-After"));
    } finally {
      // the other tests need every service
      for (String kind : List.of(SoukCluster.USER, SoukCluster.ORDER, SoukCluster.PAYMENT)) {
        if (cluster.nodes().stream().noneMatch(n -> n.name().startsWith(kind + "-") && n.isAlive())) {
          cluster.start(kind);
        }
      }
      // and with the killed nodes' records gone, so that no request goes to one of them
      Eventually.until("every service back with one record, of a live node", Duration.ofSeconds(120), () -> {
        HttpResponse<Buffer> ready = cluster.get("/ready");
        return ready.statusCode() == 200 && SERVICES.stream().allMatch(service ->
          ClusterLifecycleIT.checkData(ready.bodyAsJsonObject(), service).getInteger("records", -1) == 1);
      });
    }
  }

  private static JsonObject okSummary() throws Exception {
    HttpResponse<Buffer> response = shop.get(shopper, "/api/v1/users/" + shopper.id() + "/summary");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }
}
