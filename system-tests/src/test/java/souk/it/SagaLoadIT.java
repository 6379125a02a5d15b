package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two order nodes and two payment nodes take 200 orders placed at once; every order settles, and an SQL audit of
 * both databases finds no lost order, no order paid twice and no outbox row left behind.
 */
class SagaLoadIT {

  private static final int ORDERS = 200;
  private static final int SHOPPERS = 10;
  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster(SoukCluster.GATEWAY, SoukCluster.USER, SoukCluster.ORDER,
    SoukCluster.PAYMENT, SoukCluster.ORDER, SoukCluster.PAYMENT);
  private static final ShopClient shop = new ShopClient(cluster);

  @Test
  void two_hundred_concurrent_orders_all_settle_with_one_payment_each() throws Exception {
    List<Api.Account> shoppers = new ArrayList<>();
    for (int i = 0; i < SHOPPERS; i++) {
      shoppers.add(shop.signUp());
    }
    ExecutorService pool = Executors.newFixedThreadPool(32);
    List<java.util.concurrent.Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    try {
      for (int i = 0; i < ORDERS; i++) {
        Api.Account shopper = shoppers.get(i % SHOPPERS);
        JsonObject body = ShopClient.order(i % 4 == 0 ? "tok_chargeDeclined" : "tok_visa", 100 + i, 1 + i % 3);
        Callable<HttpResponse<Buffer>> place = () -> shop.place(shopper, body, "load-" + UUID.randomUUID());
        sent.add(pool.submit(place));
      }
      Set<UUID> accepted = new HashSet<>();
      for (var future : sent) {
        HttpResponse<Buffer> response = future.get(120, TimeUnit.SECONDS);
        assertEquals(201, response.statusCode(), response.bodyAsString());
        accepted.add(UUID.fromString(response.bodyAsJsonObject().getString("id")));
      }
      assertEquals(ORDERS, accepted.size());

      awaitSettled();
      auditOrders(accepted);
    } finally {
      pool.shutdownNow();
    }
  }

  private void awaitSettled() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    for (int i = 0; i < 240 && System.nanoTime() < deadline; i++) {
      long pending = shop.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE status = 'PENDING'");
      long orderOutbox = shop.count(SoukCluster.ORDER, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL");
      long paymentOutbox = shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL");
      if (pending == 0 && orderOutbox == 0 && paymentOutbox == 0) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
  }

  private void auditOrders(Set<UUID> accepted) throws Exception {
    Set<UUID> stored = new HashSet<>();
    shop.sql(SoukCluster.ORDER, "SELECT id FROM orders").forEach(row -> stored.add(row.getUUID("id")));
    assertEquals(accepted, stored, "lost or unexpected orders");

    assertEquals(0, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE status = 'PENDING'"),
      "orders stuck in PENDING");
    assertEquals(0, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL"),
      "stuck order outbox rows");
    assertEquals(0, shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL"),
      "stuck payment outbox rows");
    assertEquals(0, shop.count(SoukCluster.PAYMENT,
      "SELECT count(*) FROM (SELECT order_id FROM payment GROUP BY order_id HAVING count(*) > 1) twice"),
      "orders with two payments");
    assertEquals(ORDERS, shop.count(SoukCluster.PAYMENT, "SELECT count(DISTINCT order_id) FROM payment"),
      "orders without a payment");
    // both sides agree on every payment: the order shows the payment the payment service stored for it
    List<String> orderView = new ArrayList<>();
    shop.sql(SoukCluster.ORDER, "SELECT id, payment_id, payment_status, status FROM orders ORDER BY id")
      .forEach(row -> orderView.add(row.getUUID("id") + " " + row.getUUID("payment_id") + " "
        + row.getString("payment_status") + " " + expectedStatus(row.getString("payment_status"))
        .equals(row.getString("status"))));
    List<String> paymentView = new ArrayList<>();
    shop.sql(SoukCluster.PAYMENT, "SELECT order_id, id, status FROM payment ORDER BY order_id")
      .forEach(row -> paymentView.add(row.getUUID("order_id") + " " + row.getUUID("id") + " "
        + row.getString("status") + " true"));
    assertEquals(paymentView, orderView);
    assertEquals(ORDERS / 4, shop.count(SoukCluster.ORDER,
      "SELECT count(*) FROM orders WHERE cancellation_reason = 'payment_declined'"));
  }

  private static String expectedStatus(String paymentStatus) {
    return "SUCCEEDED".equals(paymentStatus) ? "CONFIRMED" : "CANCELLED";
  }
}
