package souk.payment.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import souk.common.outbox.Outbox;
import souk.common.outbox.OutboxMessage;
import souk.common.saga.PaymentStatus;
import souk.payment.domain.Payment;

import java.util.UUID;

/** SQL of the {@code payment} table. Each method runs on the client it is given: a pool or a transaction. */
public final class PaymentRepository {

  private static final String COLUMNS = "id, order_id, user_id, amount, currency, method, status";

  private static final String INSERT = Outbox.withMessage(
    "INSERT INTO payment (id, order_id, user_id, amount, currency, method, status) "
      + "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING RETURNING id", 7);

  private static final String MARK_REFUNDED = Outbox.withMessage(
    "UPDATE payment SET status = 'REFUNDED', refunded_at = now() WHERE id = $1 RETURNING id", 1);

  /**
   * Inserts the payment and {@code message} in one statement, unless its order already has a payment: then
   * neither, and {@code false}. A concurrent insert for the same order waits for the other transaction and then sees
   * its row.
   */
  public Future<Boolean> insert(SqlClient tx, Payment payment, OutboxMessage message) {
    return tx.preparedQuery(INSERT)
      .execute(Outbox.arguments(Tuple.of(payment.id(), payment.orderId(), payment.userId(), payment.amount(),
        payment.currency(), payment.method(), payment.status().name()), message))
      .map(rows -> rows.size() == 1);
  }

  public Future<Payment> findByOrderForUpdate(SqlClient tx, UUID orderId) {
    return tx.preparedQuery("SELECT " + COLUMNS + " FROM payment WHERE order_id = $1 FOR UPDATE")
      .execute(Tuple.of(orderId))
      .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
  }

  /** Marks the payment refunded and writes {@code message}, in one statement. */
  public Future<Void> markRefunded(SqlClient tx, UUID paymentId, OutboxMessage message) {
    return tx.preparedQuery(MARK_REFUNDED).execute(Outbox.arguments(Tuple.of(paymentId), message)).mapEmpty();
  }

  /** {@code {succeeded, totalCaptured: {currency: minor units}}} over the user's payments still captured. */
  public Future<JsonObject> capturedByUser(SqlClient client, UUID userId) {
    return client.preparedQuery("SELECT currency, count(*) AS n, sum(amount)::bigint AS total FROM payment "
        + "WHERE user_id = $1 AND status = 'SUCCEEDED' GROUP BY currency ORDER BY currency")
      .execute(Tuple.of(userId))
      .map(rows -> {
        long succeeded = 0;
        JsonObject totals = new JsonObject();
        for (Row row : rows) {
          succeeded += row.getLong("n");
          totals.put(row.getString("currency"), row.getLong("total"));
        }
        return new JsonObject().put("succeeded", succeeded).put("totalCaptured", totals);
      });
  }

  private static Payment map(Row row) {
    return new Payment(row.getUUID("id"), row.getUUID("order_id"), row.getUUID("user_id"), row.getLong("amount"),
      row.getString("currency"), row.getString("method"), PaymentStatus.valueOf(row.getString("status")));
  }
}
