package souk.common.outbox;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import souk.common.trace.Traces;

/**
 * The transactional outbox: a message is written by the caller, in the caller's transaction, next to the state change
 * that causes it; an {@link OutboxRelay} delivers it once the transaction has committed. A rolled-back transaction
 * leaves no message, a committed one is delivered at least once.
 *
 * <p>Table {@code outbox}, created by the shared migration {@code db/common/V1__outbox.sql}. A message written while
 * a traced request is served keeps that request's W3C {@code traceparent}, and its delivery joins the trace.
 */
public final class Outbox {

  /** Header carrying the message id (a UUID), identical on every delivery of one message. */
  public static final String MESSAGE_ID = "x-message-id";

  private Outbox() {
  }

  private static final String COLUMNS = "id, address, action, payload, request_id, traceparent";

  /** How many of {@link #COLUMNS} a message fills; {@link #arguments} adds them in this order. */
  private static final int COLUMN_COUNT = COLUMNS.split(",").length;

  /**
   * Adds {@code message} using {@code connection}, which should be inside the transaction of the state change.
   *
   * @return the message, once the row is written (not yet committed)
   */
  public static Future<OutboxMessage> add(SqlClient connection, OutboxMessage message) {
    return connection
      .preparedQuery("INSERT INTO outbox (" + COLUMNS + ") VALUES (" + placeholders(0) + ")")
      .execute(arguments(Tuple.tuple(), message))
      .map(rows -> message);
  }

  /**
   * One statement that makes a state change and writes its message: {@code statement} (an {@code INSERT} or
   * {@code UPDATE ... RETURNING}, with parameters {@code $1..$parameters}) runs, and the message is written if and
   * only if it returned a row; the statement's rows are the result. Being one statement, it is atomic on its own: run
   * on a pool, the change and its message commit together in one round trip, with no {@code BEGIN} or
   * {@code COMMIT} of their own. Run it with the statement's arguments passed through {@link #arguments}.
   */
  public static String withMessage(String statement, int parameters) {
    return "WITH state AS (" + statement + "), message AS (INSERT INTO outbox (" + COLUMNS + ") SELECT "
      + placeholders(parameters) + " WHERE EXISTS (SELECT 1 FROM state)) SELECT * FROM state";
  }

  /** {@code $n+1, ..., $n+COLUMN_COUNT}: the parameters of a message's columns after {@code n} others. */
  private static String placeholders(int n) {
    StringBuilder values = new StringBuilder();
    for (int i = 1; i <= COLUMN_COUNT; i++) {
      values.append(i > 1 ? ", $" : "$").append(n + i);
    }
    return values.toString();
  }

  /** {@code arguments} followed by {@code message}'s columns, for {@link #add} or a {@link #withMessage} statement. */
  public static Tuple arguments(Tuple arguments, OutboxMessage message) {
    return arguments.addValue(message.id()).addValue(message.address()).addValue(message.action())
      .addValue(message.payload()).addValue(message.requestId()).addValue(Traces.currentTraceparent());
  }
}
