package souk.common.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.TransactionRollbackException;

import java.util.function.Function;

/**
 * {@link Pool#withTransaction} without the wait for {@code BEGIN}: the work's first statement is sent right behind
 * it, on the same connection, instead of one round trip later. PostgreSQL runs them in order, so the statement is
 * inside the transaction; a connection that fails fails both. Commit on success, rollback on failure, connection
 * returned to the pool either way, as with {@code withTransaction}.
 */
public final class Transactions {

  private Transactions() {
  }

  public static <T> Future<T> run(Pool pool, Function<SqlConnection, Future<T>> work) {
    return pool.getConnection().compose(conn -> {
      Future<Transaction> begun = conn.begin();
      Future<T> done = start(work, conn);
      return begun
        .transform(started -> started.failed()
          // nothing to commit or roll back: wait for the work (it fails with the connection) and report BEGIN's error
          ? done.transform(ignored -> Future.<T>failedFuture(started.cause()))
          : done.compose(value -> started.result().commit().map(value),
            failure -> failure instanceof TransactionRollbackException ? Future.failedFuture(failure)
              : started.result().rollback().transform(ignored -> Future.failedFuture(failure))))
        .onComplete(finished -> conn.close());
    });
  }

  // anything thrown, errors included, fails the transaction: the connection must go back to the pool whatever happens
  private static <T> Future<T> start(Function<SqlConnection, Future<T>> work, SqlConnection conn) {
    try {
      return work.apply(conn);
    } catch (Throwable e) {
      return Future.failedFuture(e);
    }
  }
}
