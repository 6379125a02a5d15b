package souk.common.outbox;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.common.db.TransactionGroups;
import souk.common.db.Transactions;

import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Gives an at-least-once message exactly one effect: the message id is recorded in {@code processed_message} in the
 * same transaction as the effect. A later (or concurrent) delivery of the same id finds it and is acknowledged with
 * no second effect; a failed effect rolls the record back, so the redelivery tries again.
 */
public final class IdempotentConsumer {

  private final Pool pool;
  private final TransactionGroups groups;

  public IdempotentConsumer(Pool pool) {
    this.pool = pool;
    this.groups = new TransactionGroups(pool);
  }

  /**
   * Runs {@code effect} in a transaction of its own unless {@code messageId} was processed before.
   *
   * @param duplicate the result to answer for a message already processed
   */
  public <T> Future<T> process(UUID messageId, Function<SqlConnection, Future<T>> effect, Supplier<T> duplicate) {
    return Transactions.run(pool, conn -> record(conn, messageId)
      .compose(first -> first ? effect.apply(conn) : Future.succeededFuture(duplicate.get())));
  }

  /**
   * Like {@link #process(UUID, Function, Supplier)}, for an effect that starts with a read (the row it is about to
   * change, locked): {@code read} is sent with the message id's record, in the same round trip, and runs whatever
   * the message; {@code effect} gets what it read, and runs only the first time. A duplicate's read is dropped, and
   * whatever it locked is released with its transaction.
   *
   * <p>Messages that arrive together on an event loop (a relay delivers its batch at once) share one transaction
   * ({@link TransactionGroups}), each answered after its commit; {@code key} names the row that {@code read} locks
   * and {@code effect} changes, and a transaction holds one message per key.
   */
  public <R, T> Future<T> process(UUID messageId, UUID key, Function<SqlConnection, Future<R>> read,
                                  BiFunction<SqlConnection, R, Future<T>> effect, Supplier<T> duplicate) {
    return groups.run(key, conn -> {
      Future<Boolean> recorded = record(conn, messageId);
      Future<R> found = read.apply(conn);
      return recorded.compose(first -> found.compose(
        value -> first ? effect.apply(conn, value) : Future.succeededFuture(duplicate.get())));
    });
  }

  /**
   * Records {@code messageId} in the caller's transaction: {@code true} the first time. A concurrent transaction
   * recording the same id waits for this one, then sees it.
   */
  public static Future<Boolean> record(SqlConnection conn, UUID messageId) {
    return conn.preparedQuery("INSERT INTO processed_message (message_id) VALUES ($1) ON CONFLICT DO NOTHING")
      .execute(Tuple.of(messageId))
      .map(rows -> rows.rowCount() == 1);
  }

  /** The {@link Outbox#MESSAGE_ID} of a delivered message; a message without a valid one is a validation failure. */
  public static UUID messageId(Message<?> message) {
    String raw = message.headers().get(Outbox.MESSAGE_ID);
    try {
      return UUID.fromString(raw);
    } catch (RuntimeException e) {
      throw new ServiceException(ErrorCode.VALIDATION, "A message id header is required");
    }
  }
}
