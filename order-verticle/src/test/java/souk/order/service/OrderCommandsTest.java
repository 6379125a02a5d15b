package souk.order.service;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.common.api.ApiReply;
import souk.common.bus.Addresses;
import souk.common.bus.ErrorCode;
import souk.common.bus.Headers;
import souk.common.bus.ServiceException;
import souk.common.config.PgConfig;
import souk.common.db.Databases;
import souk.common.saga.PaymentStatus;
import souk.common.saga.SagaMessages;
import souk.order.domain.Order;
import souk.order.domain.OrderStatus;
import souk.order.saga.OrderUpdates;
import souk.order.store.IdempotencyStore;
import souk.order.store.OrderRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Placing and cancelling orders against the real PostgreSQL (a database of its own), without a cluster: the order and
 * its saga message are written together, an Idempotency-Key answers the first response again, a paid order that is
 * cancelled is refunded.
 */
@ExtendWith(VertxExtension.class)
class OrderCommandsTest {

  private static final PgConfig PG = PgConfig.of("souk_test_order_commands", System.getenv());

  private Pool pool;
  private OrderCommands commands;
  private final OrderRepository orders = new OrderRepository();
  private final AtomicInteger outboxWrites = new AtomicInteger();
  private final Promise<JsonObject> update = Promise.promise();
  private final UUID user = UUID.randomUUID();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    pool = Databases.prepare(vertx, PG).await();
    vertx.eventBus().<JsonObject>consumer(Addresses.ORDER_UPDATES, m -> {
      if (user.toString().equals(m.headers().get(Headers.USER_ID))) {
        update.tryComplete(m.body());
      }
    }).completion().await();
    commands = new OrderCommands(pool, orders, new IdempotencyStore(), new OrderUpdates(vertx.eventBus()),
      outboxWrites::incrementAndGet);
  }

  private static JsonObject body(int quantity) {
    return new JsonObject().put("items", new JsonArray().add(new JsonObject().put("sku", "TEA-1")
      .put("quantity", quantity).put("unitPrice", 450))).put("currency", "EUR").put("paymentMethod", "tok_visa");
  }

  private UUID place(String key, JsonObject body) throws Exception {
    ApiReply reply = commands.create(user, key, body, "r-1").await();
    return UUID.fromString(((JsonObject) reply.body()).getString("id"));
  }

  private long count(String sql, Object... params) throws Exception {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).await().iterator().next().getLong(0);
  }

  private long messages(String action, UUID orderId) throws Exception {
    return count("SELECT count(*) FROM outbox WHERE action = $1 AND payload->>'orderId' = $2", action,
      orderId.toString());
  }

  @Test
  void orders_placed_together_on_an_event_loop_are_committed_together_each_with_its_charge(Vertx vertx)
    throws Exception {
    Promise<List<Future<ApiReply>>> sent = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      List<Future<ApiReply>> replies = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        replies.add(commands.create(user, null, body(i), "r-" + i));
      }
      sent.complete(replies);
    });
    List<Future<ApiReply>> replies = sent.future().await();
    Future.all(replies).await();

    assertEquals(10, replies.stream().filter(reply -> reply.result().status() == 201).count());
    assertEquals(10, count("SELECT count(*) FROM orders WHERE user_id = $1", user));
    assertEquals(10, count("SELECT count(*) FROM outbox m JOIN orders o ON m.payload->>'orderId' = o.id::text "
      + "WHERE o.user_id = $1 AND m.action = $2", user, SagaMessages.CHARGE), "each order has its charge");
    assertEquals(1, count("SELECT count(DISTINCT xmin::text) FROM orders WHERE user_id = $1", user),
      "one transaction");
    assertEquals(10, outboxWrites.get());
  }

  @Test
  void a_placed_order_is_pending_with_its_total_and_its_charge_in_the_outbox() throws Exception {
    ApiReply reply = commands.create(user, null, body(2), "r-1").await();
    JsonObject order = (JsonObject) reply.body();
    assertEquals(201, reply.status());
    assertEquals("/api/v1/orders/" + order.getString("id"), reply.headers().getString("Location"));
    assertEquals(OrderStatus.PENDING.name(), order.getString("status"));
    assertEquals(900, order.getLong("total"));
    assertEquals(1, messages(SagaMessages.CHARGE, UUID.fromString(order.getString("id"))));
    assertEquals(1, outboxWrites.get());
  }

  @Test
  void an_order_whose_charge_cannot_be_written_is_not_placed() throws Exception {
    // the order and its charge are one statement: the database refusing the message must undo the order too
    String name = "refuse_charge_" + user.toString().replace("-", "");
    pool.query("CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      + "IF NEW.payload->>'userId' = '" + user + "' THEN RAISE EXCEPTION 'charge refused'; END IF; RETURN NEW; END $$")
      .execute().await();
    pool.query("CREATE TRIGGER " + name + " BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION " + name + "()")
      .execute().await();
    try {
      assertThrows(Exception.class, () -> commands.create(user, null, body(2), "r-1").await());
      assertEquals(0, count("SELECT count(*) FROM orders WHERE user_id = $1", user));
      assertEquals(0, outboxWrites.get());
    } finally {
      pool.query("DROP TRIGGER " + name + " ON outbox").execute().await();
      pool.query("DROP FUNCTION " + name + "()").execute().await();
    }
    place(null, body(2));
    assertEquals(1, count("SELECT count(*) FROM orders WHERE user_id = $1", user));
  }

  @Test
  void the_same_idempotency_key_and_body_return_the_first_order_without_a_second_charge() throws Exception {
    String key = UUID.randomUUID().toString();
    UUID first = place(key, body(2));
    ApiReply again = commands.create(user, key, body(2), "r-2").await();
    assertEquals(first.toString(), ((JsonObject) again.body()).getString("id"));
    assertEquals("true", again.headers().getString(OrderCommands.REPLAYED_HEADER));
    assertEquals(1, count("SELECT count(*) FROM orders WHERE user_id = $1", user));
    assertEquals(1, messages(SagaMessages.CHARGE, first));
    assertEquals(1, outboxWrites.get(), "a replay writes nothing");
  }

  @Test
  void the_same_idempotency_key_with_another_body_is_422() throws Exception {
    String key = UUID.randomUUID().toString();
    place(key, body(2));
    ServiceException reused = assertThrows(ServiceException.class,
      () -> commands.create(user, key, body(3), "r-2").await());
    assertEquals(ErrorCode.UNPROCESSABLE, reused.errorCode());
  }

  @Test
  void an_empty_key_and_a_key_one_longer_than_the_limit_are_400_and_the_limit_itself_is_taken() throws Exception {
    for (String key : new String[] {"", "k".repeat(OrderCommands.MAX_KEY_LENGTH + 1)}) {
      ServiceException refused = assertThrows(ServiceException.class,
        () -> commands.create(user, key, body(1), "r-1").await());
      assertEquals(ErrorCode.VALIDATION, refused.errorCode(), "key of " + key.length());
    }
    place("k".repeat(OrderCommands.MAX_KEY_LENGTH), body(1));
    assertEquals(1, count("SELECT count(*) FROM orders WHERE user_id = $1", user));
  }

  @Test
  void an_invalid_body_is_400_and_stores_nothing() throws Exception {
    ServiceException invalid = assertThrows(ServiceException.class,
      () -> commands.create(user, null, body(0), "r-1").await());
    assertEquals(ErrorCode.VALIDATION, invalid.errorCode());
    assertEquals("items[0].quantity", invalid.errors().getJsonObject(0).getString("field"));
    assertEquals(0, count("SELECT count(*) FROM orders WHERE user_id = $1", user));
  }

  @Test
  void cancelling_a_pending_order_cancels_it_without_a_refund_and_tells_the_browser() throws Exception {
    UUID id = place(null, body(1));
    Order cancelled = commands.cancel(user, id, "r-2").await();
    assertEquals(OrderStatus.CANCELLED, cancelled.status());
    assertEquals(OrderStatus.CANCELLED_BY_USER, cancelled.cancellationReason());
    assertEquals(0, messages(SagaMessages.REFUND, id));
    assertEquals(OrderStatus.CANCELLED.name(), update.future().await(5, TimeUnit.SECONDS).getString("status"));
  }

  @Test
  void cancelling_a_paid_order_writes_its_refund_to_the_outbox() throws Exception {
    UUID id = place(null, body(1));
    Order placed = orders.find(pool, id).await();
    orders.update(pool, placed.withStatus(OrderStatus.CONFIRMED)
      .withPayment(UUID.randomUUID(), PaymentStatus.SUCCEEDED, placed.total())).await();
    commands.cancel(user, id, "r-2").await();
    assertEquals(1, messages(SagaMessages.REFUND, id));
  }

  @Test
  void a_cancelled_order_cannot_be_cancelled_again_nor_another_users_nor_an_unknown_one() throws Exception {
    UUID id = place(null, body(1));
    commands.cancel(user, id, "r-2").await();
    assertEquals(ErrorCode.CONFLICT, assertThrows(ServiceException.class,
      () -> commands.cancel(user, id, "r-3").await()).errorCode());
    assertEquals(ErrorCode.FORBIDDEN, assertThrows(ServiceException.class,
      () -> commands.cancel(UUID.randomUUID(), id, "r-4").await()).errorCode());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(ServiceException.class,
      () -> commands.cancel(user, UUID.randomUUID(), "r-5").await()).errorCode());
    assertNull(orders.find(pool, UUID.randomUUID()).await());
  }
}
