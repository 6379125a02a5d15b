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

  /**
   * Adds {@code message} using {@code connection}, which should be inside the transaction of the state change.
   *
   * @return the message, once the row is written (not yet committed)
   */
  public static Future<OutboxMessage> add(SqlClient connection, OutboxMessage message) {
    return connection
      .preparedQuery("INSERT INTO outbox (id, address, action, payload, request_id, traceparent) "
        + "VALUES ($1, $2, $3, $4, $5, $6)")
      .execute(Tuple.of(message.id(), message.address(), message.action(), message.payload(), message.requestId(),
        Traces.currentTraceparent()))
      .map(rows -> message);
  }
}
