package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The summary composed by the gateway from three services, whole and with services gone. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SummaryIT {

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster();
  private static final ShopClient shop = new ShopClient(cluster);
  private static Api.Account shopper;

  @BeforeAll
  static void signUp() throws Exception {
    shopper = shop.signUp();
  }

  @Test
  @Order(1)
  void the_summary_joins_user_orders_and_payments() throws Exception {
    for (int i = 0; i < 6; i++) {
      JsonObject order = shop.placed(shopper, ShopClient.order("tok_visa", 1_000, 1));
      shop.awaitOrder(shopper, order.getString("id"), o -> "CONFIRMED".equals(o.getString("status")));
    }
    JsonObject declined = shop.placed(shopper, ShopClient.order("tok_chargeDeclined", 1_000, 1));
    shop.awaitOrder(shopper, declined.getString("id"), o -> "CANCELLED".equals(o.getString("status")));

    HttpResponse<Buffer> response = shop.get(shopper, "/api/v1/users/" + shopper.id() + "/summary");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonObject summary = response.bodyAsJsonObject();
    assertEquals(shopper.id(), summary.getJsonObject("user").getString("id"));
    assertEquals(7, summary.getInteger("orderCount"));
    JsonArray recent = summary.getJsonArray("recentOrders");
    assertEquals(5, recent.size());
    assertEquals(declined.getString("id"), recent.getJsonObject(0).getString("id"), "newest first");
    assertEquals(6, summary.getJsonObject("payments").getInteger("succeeded"));
    assertEquals(6 * 1_150L, summary.getJsonObject("payments").getJsonObject("totalCaptured").getLong("EUR"));
    assertEquals(new JsonArray(), summary.getJsonArray("degraded"));
  }

  @Test
  @Order(2)
  void metrics_labels_stay_bounded_however_many_users_and_nodes() throws Exception {
    NodeProcess order = cluster.node("order");
    String metrics = cluster.client().get(order.managementPort(), "127.0.0.1", "/metrics").send()
      .await(10, TimeUnit.SECONDS).bodyAsString();
    assertTrue(metrics.contains("address=\"payment-service\""), "service addresses are labels");
    assertFalse(metrics.contains("orders.updates." + shopper.id()), "no label per user");
    assertFalse(metrics.matches("(?s).*address=\"[^\"]*\\.node\\.[^\"]*\".*"), "no label per node");
    assertFalse(metrics.matches("(?s).*address=\"__vertx\\.reply[^\"]*\".*"), "no label per reply");
  }

  @Test
  @Order(3)
  void another_users_summary_is_forbidden_and_a_token_is_required() throws Exception {
    Api.Account other = shop.signUp();
    assertEquals(403, shop.get(other, "/api/v1/users/" + shopper.id() + "/summary").statusCode());
    assertEquals(403, shop.get(other, "/api/v1/users/" + UUID.randomUUID() + "/summary").statusCode());
    assertEquals(401, shop.get(null, "/api/v1/users/" + shopper.id() + "/summary").statusCode());
  }

  @Test
  @Order(4)
  void without_payment_nodes_the_summary_is_partial() throws Exception {
    cluster.node("payment").kill();
    JsonObject summary = okSummary();
    assertNull(summary.getValue("payments"));
    assertEquals(7, summary.getInteger("orderCount"));
    assertEquals(new JsonArray().add("payment-service"), summary.getJsonArray("degraded"));
  }

  @Test
  @Order(5)
  void without_order_nodes_either_only_the_user_is_left() throws Exception {
    cluster.node("order").kill();
    JsonObject summary = okSummary();
    assertNull(summary.getValue("payments"));
    assertNull(summary.getValue("recentOrders"));
    assertNull(summary.getValue("orderCount"));
    assertEquals(shopper.id(), summary.getJsonObject("user").getString("id"));
    assertEquals(new JsonArray().add("order-service").add("payment-service"), summary.getJsonArray("degraded"));
  }

  @Test
  @Order(6)
  void without_user_nodes_there_is_no_summary() throws Exception {
    cluster.node("user").kill();
    // a request to the killed node may time out (504) until its record is swept; from then on no node can answer:
    // 503, to be retried
    HttpResponse<Buffer> response = Eventually.await("the summary answering 503 once no user node is left",
      Duration.ofSeconds(60), () -> shop.get(shopper, "/api/v1/users/" + shopper.id() + "/summary"),
      answer -> answer.statusCode() == 503);
    assertEquals("application/problem+json", response.getHeader("Content-Type"));
    assertNotNull(response.getHeader("Retry-After"));
  }

  private static JsonObject okSummary() throws Exception {
    HttpResponse<Buffer> response = shop.get(shopper, "/api/v1/users/" + shopper.id() + "/summary");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

}
