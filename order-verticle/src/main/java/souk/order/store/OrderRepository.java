package souk.order.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import souk.common.outbox.Outbox;
import souk.common.outbox.OutboxMessage;
import souk.common.saga.PaymentStatus;
import souk.order.domain.NewOrder;
import souk.order.domain.Order;
import souk.order.domain.OrderStatus;
import souk.order.domain.PageCursor;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of the {@code orders} table. Each method runs on the client it is given: a pool or a transaction. */
public final class OrderRepository {

  private static final String COLUMNS = "id, user_id, status, items, total, currency, payment_method, "
    + "cancellation_reason, payment_id, payment_status, payment_amount, created_at, updated_at";

  private static final String INSERT = Outbox.withMessage(
    "INSERT INTO orders (id, user_id, status, items, total, currency, payment_method) "
      + "VALUES ($1, $2, 'PENDING', $3, $4, $5, $6) RETURNING " + COLUMNS, 6);

  private static final String UPDATE = "UPDATE orders SET status = $2, cancellation_reason = $3, payment_id = $4, "
    + "payment_status = $5, payment_amount = $6, updated_at = clock_timestamp() WHERE id = $1 RETURNING " + COLUMNS;

  private static final String UPDATE_WITH_MESSAGE = Outbox.withMessage(UPDATE, 6);

  /**
   * Inserts a PENDING order and its first saga message in one statement (so, run on a pool, in one round trip and
   * one transaction of its own); the database stamps the times (one clock for every node).
   */
  public Future<Order> insert(SqlClient client, UUID id, UUID userId, NewOrder order, OutboxMessage message) {
    return client.preparedQuery(INSERT)
      .execute(Outbox.arguments(
        Tuple.of(id, userId, order.itemsJson(), order.total(), order.currency(), order.paymentMethod()), message))
      .map(rows -> map(rows.iterator().next()));
  }

  public Future<Order> find(SqlClient client, UUID id) {
    return client.preparedQuery("SELECT " + COLUMNS + " FROM orders WHERE id = $1").execute(Tuple.of(id))
      .map(OrderRepository::first);
  }

  /** The order, locked until the caller's transaction ends: status changes are serialised per order. */
  public Future<Order> findForUpdate(SqlClient client, UUID id) {
    return client.preparedQuery("SELECT " + COLUMNS + " FROM orders WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
      .map(OrderRepository::first);
  }

  /** Up to {@code limit} orders of the user, newest first, strictly after {@code after} when given. */
  public Future<List<Order>> listByUser(SqlClient client, UUID userId, PageCursor after, int limit) {
    if (after == null) {
      return client.preparedQuery("SELECT " + COLUMNS + " FROM orders WHERE user_id = $1 "
          + "ORDER BY created_at DESC, id DESC LIMIT $2")
        .execute(Tuple.of(userId, limit)).map(OrderRepository::all);
    }
    return client.preparedQuery("SELECT " + COLUMNS + " FROM orders WHERE user_id = $1 AND (created_at, id) < ($2, $3) "
        + "ORDER BY created_at DESC, id DESC LIMIT $4")
      .execute(Tuple.of(userId, after.createdAt().atOffset(ZoneOffset.UTC), after.id(), limit))
      .map(OrderRepository::all);
  }

  public Future<Long> countByUser(SqlClient client, UUID userId) {
    return client.preparedQuery("SELECT count(*) AS n FROM orders WHERE user_id = $1").execute(Tuple.of(userId))
      .map(rows -> rows.iterator().next().getLong("n"));
  }

  /** Stores status and payment of {@code order}; returns it with the new {@code updatedAt}. */
  public Future<Order> update(SqlClient client, Order order) {
    return client.preparedQuery(UPDATE).execute(updateArguments(order)).map(OrderRepository::first);
  }

  /**
   * Like {@link #update(SqlClient, Order)}, and writes {@code message} in the same statement if it is not null (and
   * the order exists).
   */
  public Future<Order> update(SqlClient client, Order order, OutboxMessage message) {
    if (message == null) {
      return update(client, order);
    }
    return client.preparedQuery(UPDATE_WITH_MESSAGE).execute(Outbox.arguments(updateArguments(order), message))
      .map(OrderRepository::first);
  }

  private static Tuple updateArguments(Order order) {
    return Tuple.of(order.id(), order.status().name(), order.cancellationReason(), order.paymentId(),
      order.paymentStatus() == null ? null : order.paymentStatus().name(), order.paymentAmount());
  }

  private static Order first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : map(rows.iterator().next());
  }

  private static List<Order> all(RowSet<Row> rows) {
    List<Order> orders = new ArrayList<>(rows.size());
    rows.forEach(row -> orders.add(map(row)));
    return orders;
  }

  private static Order map(Row row) {
    return new Order(row.getUUID("id"), row.getUUID("user_id"), OrderStatus.valueOf(row.getString("status")),
      (JsonArray) row.getValue("items"), row.getLong("total"), row.getString("currency"),
      row.getString("payment_method"), row.getString("cancellation_reason"), row.getUUID("payment_id"),
      PaymentStatus.parse(row.getString("payment_status")), row.getLong("payment_amount"),
      row.getOffsetDateTime("created_at").toInstant(), row.getOffsetDateTime("updated_at").toInstant());
  }
}
