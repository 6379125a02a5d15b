package souk.it;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.Headers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order saga through the gateway on a cluster of one node of each kind. */
class OrderSagaIT {

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster().env("SOUK_OUTBOX_MAX_REJECTIONS", "3");
  private static final ShopClient shop = new ShopClient(cluster);

  @Test
  void a_charge_the_payment_service_always_refuses_is_parked_reported_and_replayable() throws Exception {
    // a charge whose payload the payment service can never accept, as a bug in an older order node could write it
    UUID orderId = UUID.randomUUID();
    UUID messageId = UUID.randomUUID();
    cluster.sql(SoukCluster.ORDER, "INSERT INTO outbox (id, address, action, payload) VALUES ($1, $2, 'charge', $3)",
      messageId, Addresses.PAYMENT_SERVICE, new JsonObject().put("orderId", orderId.toString()).put("amount", "lots"));
    OutboxRelayIT.awaitTrue("the charge is parked", () -> parkedAt(messageId) != null);
    java.time.OffsetDateTime firstParked = parkedAt(messageId);

    int port = cluster.node(SoukCluster.ORDER).managementPort();
    HttpResponse<Buffer> list = cluster.client().get(port, "127.0.0.1", "/dead-letters").send()
      .await(10, TimeUnit.SECONDS);
    assertEquals(200, list.statusCode(), list.bodyAsString());
    JsonObject parked = list.bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
      .filter(item -> messageId.toString().equals(item.getString("id"))).findFirst().orElseThrow();
    assertEquals(orderId.toString(), parked.getJsonObject("payload").getString("orderId"), "the order is named");
    assertEquals(3, parked.getInteger("attempts"));
    OutboxRelayIT.awaitTrue("the parked message is counted", () -> metricsOf(port).contains("souk_outbox_dead_letters 1.0"));

    HttpResponse<Buffer> replay = cluster.client().post(port, "127.0.0.1", "/dead-letters/" + messageId + "/replay")
      .send().await(10, TimeUnit.SECONDS);
    assertEquals(202, replay.statusCode(), replay.bodyAsString());
    // still refused: parked again, with its attempts going on from where they were
    OutboxRelayIT.awaitTrue("parked again", () -> {
      java.time.OffsetDateTime again = parkedAt(messageId);
      return again != null && again.isAfter(firstParked);
    });
    assertEquals(6L, cluster.count(SoukCluster.ORDER, "SELECT attempts FROM outbox_dead_letter WHERE id = $1",
      messageId));
    assertEquals(404, cluster.client().post(port, "127.0.0.1", "/dead-letters/" + UUID.randomUUID() + "/replay")
      .send().await(10, TimeUnit.SECONDS).statusCode());
  }

  private static java.time.OffsetDateTime parkedAt(UUID messageId) {
    try {
      var rows = cluster.sql(SoukCluster.ORDER, "SELECT parked_at FROM outbox_dead_letter WHERE id = $1", messageId);
      return rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime(0);
    } catch (Exception e) {
      return null;
    }
  }

  private static String metricsOf(int port) {
    try {
      return cluster.client().get(port, "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
    } catch (Exception e) {
      return "";
    }
  }

  @Test
  void approved_payment_confirms_the_order() throws Exception {
    Api.Account alice = shop.signUp();
    HttpResponse<Buffer> response = shop.place(alice, ShopClient.order("tok_visa", 1250, 2), null);
    assertEquals(201, response.statusCode(), response.bodyAsString());
    JsonObject order = response.bodyAsJsonObject();
    assertEquals("/api/v1/orders/" + order.getString("id"), response.getHeader("Location"));
    assertEquals("PENDING", order.getString("status"));
    assertEquals(2 * 1250 + 150, order.getLong("total"));
    assertEquals(alice.id(), order.getString("userId"));

    JsonObject confirmed = shop.awaitOrder(alice, order.getString("id"), o -> !"PENDING".equals(o.getString("status")));
    assertEquals("CONFIRMED", confirmed.getString("status"));
    assertEquals("SUCCEEDED", confirmed.getJsonObject("payment").getString("status"));
    assertEquals(2650L, confirmed.getJsonObject("payment").getLong("amount"));
    assertEquals(1, shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM payment WHERE order_id = $1",
      UUID.fromString(order.getString("id"))));
  }

  @Test
  void declined_payment_cancels_the_order() throws Exception {
    Api.Account bob = shop.signUp();
    JsonObject order = shop.placed(bob, ShopClient.order("tok_chargeDeclined", 900, 1));

    JsonObject settled = shop.awaitOrder(bob, order.getString("id"), o -> !"PENDING".equals(o.getString("status")));
    assertEquals("CANCELLED", settled.getString("status"));
    assertEquals("payment_declined", settled.getString("cancellationReason"));
    assertEquals("DECLINED", settled.getJsonObject("payment").getString("status"));
  }

  @Test
  void cancelling_a_paid_order_refunds_it_and_a_second_cancel_is_a_conflict() throws Exception {
    Api.Account carol = shop.signUp();
    String id = shop.placed(carol, ShopClient.order("tok_visa", 500, 3)).getString("id");
    shop.awaitOrder(carol, id, o -> "CONFIRMED".equals(o.getString("status")));

    HttpResponse<Buffer> cancelled = shop.post(carol, "/api/v1/orders/" + id + "/cancel");
    assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
    assertEquals("CANCELLED", cancelled.bodyAsJsonObject().getString("status"));
    assertEquals("cancelled_by_user", cancelled.bodyAsJsonObject().getString("cancellationReason"));

    JsonObject refunded = shop.awaitOrder(carol, id, ShopClient.paymentIs("REFUNDED"));
    assertEquals("CANCELLED", refunded.getString("status"));
    assertEquals("REFUNDED", shop.sql(SoukCluster.PAYMENT, "SELECT status FROM payment WHERE order_id = $1",
      UUID.fromString(id)).iterator().next().getString("status"));
    assertEquals(409, shop.post(carol, "/api/v1/orders/" + id + "/cancel").statusCode());
  }

  @Test
  void orders_are_visible_to_their_owner_only() throws Exception {
    Api.Account owner = shop.signUp();
    Api.Account other = shop.signUp();
    String id = shop.placed(owner, ShopClient.order("tok_visa", 100, 1)).getString("id");

    assertEquals(200, shop.get(owner, "/api/v1/orders/" + id).statusCode());
    assertEquals(403, shop.get(other, "/api/v1/orders/" + id).statusCode());
    assertEquals(403, shop.post(other, "/api/v1/orders/" + id + "/cancel").statusCode());
    assertEquals(404, shop.get(owner, "/api/v1/orders/" + UUID.randomUUID()).statusCode());
    assertEquals(404, shop.get(owner, "/api/v1/orders/not-a-uuid").statusCode());
  }

  @Test
  void an_invalid_order_is_a_400_naming_each_field() throws Exception {
    Api.Account dave = shop.signUp();
    JsonObject body = new JsonObject().put("items", new JsonArray().add(new JsonObject().put("sku", "bad sku")
      .put("quantity", 0).put("unitPrice", 10))).put("currency", "EUR").put("paymentMethod", "tok_amex");
    HttpResponse<Buffer> response = shop.place(dave, body, null);

    assertEquals(400, response.statusCode(), response.bodyAsString());
    JsonArray errors = response.bodyAsJsonObject().getJsonArray("errors");
    List<String> fields = errors.stream().map(e -> ((JsonObject) e).getString("field")).toList();
    assertEquals(List.of("items[0].sku", "items[0].quantity", "paymentMethod"), fields);
    assertEquals(0, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE user_id = $1", dave.uuid()));
  }

  @Test
  void same_idempotency_key_returns_the_first_order_and_charges_once() throws Exception {
    Api.Account erin = shop.signUp();
    String key = "checkout-" + UUID.randomUUID();
    JsonObject body = ShopClient.order("tok_visa", 700, 1);
    HttpResponse<Buffer> first = shop.place(erin, body, key);
    assertEquals(201, first.statusCode(), first.bodyAsString());
    assertNull(first.getHeader("Idempotent-Replayed"));

    HttpResponse<Buffer> again = shop.place(erin, body, key);
    assertEquals(201, again.statusCode(), again.bodyAsString());
    assertEquals("true", again.getHeader("Idempotent-Replayed"));
    assertEquals(first.bodyAsJsonObject().getString("id"), again.bodyAsJsonObject().getString("id"));
    assertEquals(first.getHeader("Location"), again.getHeader("Location"));

    HttpResponse<Buffer> otherBody = shop.place(erin, ShopClient.order("tok_visa", 701, 1), key);
    assertEquals(422, otherBody.statusCode(), otherBody.bodyAsString());

    // the key is per user: another user's identical key is a new order
    Api.Account frank = shop.signUp();
    HttpResponse<Buffer> frankFirst = shop.place(frank, body, key);
    assertEquals(201, frankFirst.statusCode());
    assertNull(frankFirst.getHeader("Idempotent-Replayed"));

    String id = first.bodyAsJsonObject().getString("id");
    shop.awaitOrder(erin, id, o -> "CONFIRMED".equals(o.getString("status")));
    assertEquals(1, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE user_id = $1", erin.uuid()));
    assertEquals(1, shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM payment WHERE user_id = $1", erin.uuid()));
  }

  @Test
  void a_duplicate_while_the_first_request_is_in_flight_is_a_conflict() throws Exception {
    Api.Account gina = shop.signUp();
    String key = "in-flight-" + UUID.randomUUID();
    // hold the lock the first request would hold while it is being processed
    PgConnection holder = shop.connect(SoukCluster.ORDER);
    try {
      holder.preparedQuery("SELECT pg_advisory_lock(hashtextextended($1 || ':' || $2, 0))")
        .execute(Tuple.of(gina.id(), key)).await(10, TimeUnit.SECONDS);
      HttpResponse<Buffer> duplicate = shop.place(gina, ShopClient.order("tok_visa", 300, 1), key);
      assertEquals(409, duplicate.statusCode(), duplicate.bodyAsString());
    } finally {
      holder.close().await(10, TimeUnit.SECONDS);
    }
    HttpResponse<Buffer> after = shop.place(gina, ShopClient.order("tok_visa", 300, 1), key);
    assertEquals(201, after.statusCode(), after.bodyAsString());
  }

  @Test
  void concurrent_requests_with_one_key_make_one_order() throws Exception {
    Api.Account ivy = shop.signUp();
    String key = "burst-" + UUID.randomUUID();
    JsonObject body = ShopClient.order("tok_visa", 700, 3);
    List<CompletableFuture<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      burst.add(CompletableFuture.supplyAsync(() -> {
        try {
          return shop.place(ivy, body, key);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    int originals = 0;
    Set<String> orderIds = new HashSet<>();
    for (CompletableFuture<HttpResponse<Buffer>> call : burst) {
      HttpResponse<Buffer> response = call.get(60, TimeUnit.SECONDS);
      if (response.statusCode() == 201) {
        orderIds.add(response.bodyAsJsonObject().getString("id"));
        originals += response.getHeader("Idempotent-Replayed") == null ? 1 : 0;
      } else {
        assertEquals(409, response.statusCode(), response.bodyAsString());
      }
    }
    assertEquals(1, originals, "exactly one request created the order");
    assertEquals(1, orderIds.size(), "every 201 names the same order");
    assertEquals(1, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE user_id = $1", ivy.uuid()));
    String id = orderIds.iterator().next();
    shop.awaitOrder(ivy, id, o -> "CONFIRMED".equals(o.getString("status")));
    assertEquals(1, shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM payment WHERE user_id = $1", ivy.uuid()));
  }

  @Test
  void an_empty_or_too_long_idempotency_key_is_a_400() throws Exception {
    Api.Account hal = shop.signUp();
    assertEquals(400, shop.place(hal, ShopClient.order("tok_visa", 300, 1), "k".repeat(256)).statusCode());
    assertEquals(400, shop.place(hal, ShopClient.order("tok_visa", 300, 1), "").statusCode());
    assertEquals(0, shop.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE user_id = $1", hal.uuid()));
  }

  @Test
  void status_changes_are_published_and_summaries_answer_for_the_caller() throws Exception {
    Api.Account kim = shop.signUp();
    Vertx member = cluster.joinAsMember("order-saga-client", 0);
    try {
      BlockingQueue<JsonObject> updates = new LinkedBlockingQueue<>();
      // order nodes publish once for every gateway, naming the user in a header (gateways pass it on to browsers)
      member.eventBus().<JsonObject>consumer(Addresses.ORDER_UPDATES, m -> {
        if (kim.id().equals(m.headers().get(Headers.USER_ID))) {
          updates.add(m.body());
        }
      }).completion().await(10, TimeUnit.SECONDS);
      String confirmed = shop.placed(kim, ShopClient.order("tok_visa", 400, 2)).getString("id");
      JsonObject update = updates.poll(60, TimeUnit.SECONDS);
      assertNotNull(update, "no status update published");
      assertEquals(confirmed, update.getString("orderId"));
      assertEquals("CONFIRMED", update.getString("status"));
      assertNotNull(update.getString("at"));
      String declined = shop.placed(kim, ShopClient.order("tok_chargeDeclined", 100, 1)).getString("id");
      shop.awaitOrder(kim, declined, o -> "CANCELLED".equals(o.getString("status")));

      DeliveryOptions summary = new DeliveryOptions().addHeader(Headers.ACTION, Actions.SUMMARY)
        .addHeader(Headers.USER_ID, kim.id()).setSendTimeout(10_000);
      JsonObject orders = member.eventBus().<JsonObject>request(Addresses.ORDER_SERVICE, new JsonObject(), summary)
        .await(15, TimeUnit.SECONDS).body();
      assertEquals(2, orders.getLong("orderCount"));
      assertEquals(List.of(declined, confirmed), orders.getJsonArray("recentOrders").stream()
        .map(o -> ((JsonObject) o).getString("id")).toList());
      JsonObject payments = member.eventBus().<JsonObject>request(Addresses.PAYMENT_SERVICE, new JsonObject(), summary)
        .await(15, TimeUnit.SECONDS).body();
      assertEquals(1, payments.getLong("succeeded"));
      assertEquals(new JsonObject().put("EUR", 950), payments.getJsonObject("totalCaptured"));
    } finally {
      member.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void orders_are_listed_newest_first_page_by_page() throws Exception {
    Api.Account ida = shop.signUp();
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      placed.add(0, shop.placed(ida, ShopClient.order("tok_visa", 100 + i, 1)).getString("id"));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String path = "/api/v1/orders?limit=2" + (cursor == null ? "" : "&cursor=" + cursor);
      HttpResponse<Buffer> page = shop.get(ida, path);
      assertEquals(200, page.statusCode(), page.bodyAsString());
      JsonArray items = page.bodyAsJsonObject().getJsonArray("items");
      assertTrue(items.size() <= 2);
      items.forEach(o -> seen.add(((JsonObject) o).getString("id")));
      cursor = page.bodyAsJsonObject().getString("nextCursor");
      pages++;
    } while (cursor != null && pages < 10);

    assertEquals(3, pages);
    assertEquals(placed, seen, "every order once, newest first");
    JsonObject all = shop.get(ida, "/api/v1/orders").bodyAsJsonObject();
    assertEquals(5, all.getJsonArray("items").size());
    assertNull(all.getString("nextCursor"));
    assertEquals(400, shop.get(ida, "/api/v1/orders?limit=0").statusCode());
    assertEquals(400, shop.get(ida, "/api/v1/orders?limit=101").statusCode());
    assertEquals(400, shop.get(ida, "/api/v1/orders?cursor=bogus").statusCode());
    assertNotNull(shop.get(ida, "/api/v1/orders?limit=100").bodyAsJsonObject().getJsonArray("items"));
  }
}
