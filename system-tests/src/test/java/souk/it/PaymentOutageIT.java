package souk.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The payment node dies (SIGKILL) in the middle of the saga: orders wait in the outbox and settle once a payment node
 * is back, each charged once; an order the user cancelled meanwhile is charged late and then refunded. A processor
 * slower than the outbox waits gets each charge twice and charges it once.
 */
class PaymentOutageIT {

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster();
  private static final ShopClient shop = new ShopClient(cluster);

  @Test
  void orders_settle_once_a_payment_node_is_back_and_a_late_success_after_cancel_is_refunded() throws Exception {
    Api.Account jo = shop.signUp();
    List<String> orders = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      orders.add(shop.placed(jo, ShopClient.order("tok_visa", 1_000 + i, 1)).getString("id"));
    }
    NodeProcess payment = cluster.nodes().stream().filter(n -> n.name().startsWith(SoukCluster.PAYMENT))
      .findFirst().orElseThrow();
    payment.kill();

    // placed while no payment node runs: its charge waits in the outbox, and the user cancels before it is charged
    for (int i = 0; i < 5; i++) {
      orders.add(shop.placed(jo, ShopClient.order("tok_visa", 2_000 + i, 1)).getString("id"));
    }
    String cancelledEarly = shop.placed(jo, ShopClient.order("tok_visa", 3_000, 1)).getString("id");
    JsonObject cancelled = shop.post(jo, "/api/v1/orders/" + cancelledEarly + "/cancel").bodyAsJsonObject();
    assertEquals("CANCELLED", cancelled.getString("status"));
    assertEquals(null, cancelled.getJsonObject("payment"), "not charged yet: no payment node");

    TimeUnit.SECONDS.sleep(2);
    cluster.start(SoukCluster.PAYMENT);
    cluster.awaitReady(Duration.ofSeconds(90));

    for (String id : orders) {
      JsonObject settled = shop.awaitOrder(jo, id, o -> !"PENDING".equals(o.getString("status")));
      assertEquals("CONFIRMED", settled.getString("status"), settled.encode());
    }
    JsonObject refunded = shop.awaitOrder(jo, cancelledEarly, ShopClient.paymentIs("REFUNDED"));
    assertEquals("CANCELLED", refunded.getString("status"));
    assertEquals("cancelled_by_user", refunded.getString("cancellationReason"));

    assertEquals(11, shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM payment WHERE user_id = $1", jo.uuid()));
    assertEquals(0, shop.count(SoukCluster.PAYMENT,
      "SELECT count(*) FROM (SELECT order_id FROM payment GROUP BY order_id HAVING count(*) > 1) twice"));
    assertEquals(0, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE status = 'PENDING'"));
  }

  @Test
  void charges_slower_than_the_relay_waits_are_redelivered_and_still_charged_once() throws Exception {
    // the processor now takes longer than the order outbox waits for an acknowledgement (5 s)
    cluster.node(SoukCluster.PAYMENT).stop();
    cluster.start(SoukCluster.PAYMENT, SoukCluster.Host.LOCAL, Map.of("SOUK_PAYMENT_PROVIDER_DELAY_MS", "6000"));
    cluster.awaitReady(Duration.ofSeconds(90));
    Api.Account kai = shop.signUp();
    List<String> orders = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      orders.add(shop.placed(kai, ShopClient.order("tok_visa", 4_000 + i, 1)).getString("id"));
    }
    for (String id : orders) {
      JsonObject settled = shop.awaitOrder(kai, id, o -> !"PENDING".equals(o.getString("status")));
      assertEquals("CONFIRMED", settled.getString("status"), settled.encode());
    }
    assertEquals(4, shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM payment WHERE user_id = $1", kai.uuid()));
    // every charge timed out at least once and was sent again: the redelivery waited for the first and did nothing
    assertEquals(4, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM outbox WHERE action = 'charge' "
      + "AND attempts >= 2 AND delivered_at IS NOT NULL AND payload->>'userId' = $1", kai.id()));
    assertEquals(0, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM outbox_dead_letter"));
  }
}
