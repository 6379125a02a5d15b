package souk.common.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.common.config.ConfigLoader;
import souk.common.config.PgConfig;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transactions whose first statement is sent behind BEGIN, against a real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class TransactionsTest {

  private static final PgConfig PG = PgConfig.of("souk_test_transactions", System.getenv());
  private static final String INSERT = "INSERT INTO tx_probe (id) VALUES ($1)";
  private static final String LOCK = "SELECT id FROM tx_probe WHERE id = $1 FOR UPDATE";
  private static final String LOCK_NOWAIT = LOCK + " NOWAIT";

  private Pool pool;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    pool = Databases.prepare(vertx, PG).await(60, TimeUnit.SECONDS);
    pool.query("CREATE TABLE IF NOT EXISTS tx_probe (id uuid PRIMARY KEY)").execute().await();
  }

  @AfterEach
  void stop() throws Exception {
    pool.close().await();
  }

  private long rows(UUID id) throws Exception {
    return pool.preparedQuery("SELECT count(*) FROM tx_probe WHERE id = $1").execute(Tuple.of(id)).await()
      .iterator().next().getLong(0);
  }

  @Test
  void the_first_statement_sent_behind_begin_is_rolled_back_with_the_rest() throws Exception {
    UUID id = UUID.randomUUID();
    IllegalStateException refused = assertThrows(IllegalStateException.class,
      () -> Transactions.run(pool, conn -> conn.preparedQuery(INSERT).execute(Tuple.of(id))
        .compose(rows -> Future.failedFuture(new IllegalStateException("refused")))).await());
    assertEquals("refused", refused.getMessage());
    assertEquals(0, rows(id), "the first statement ran outside the transaction");
  }

  @Test
  void a_failing_statement_rolls_back_the_earlier_ones_and_is_the_error() throws Exception {
    UUID taken = UUID.randomUUID();
    Transactions.run(pool, conn -> conn.preparedQuery(INSERT).execute(Tuple.of(taken))).await();
    UUID id = UUID.randomUUID();
    PgException duplicate = assertThrows(PgException.class,
      () -> Transactions.run(pool, conn -> conn.preparedQuery(INSERT).execute(Tuple.of(id))
        .compose(rows -> conn.preparedQuery(INSERT).execute(Tuple.of(taken)))).await());
    assertEquals("23505", duplicate.getSqlState());
    assertEquals(0, rows(id));
  }

  @Test
  void a_session_left_inside_a_transaction_is_ended_by_the_database_and_its_locks_released(Vertx vertx)
    throws Exception {
    UUID id = UUID.randomUUID();
    Transactions.run(pool, conn -> conn.preparedQuery(INSERT).execute(Tuple.of(id))).await();
    PgConfig quick = PgConfig.from(ConfigLoader.load(System.getenv(), "souk-defaults.json")
      .put("pgDatabase", PG.database()).put("pgIdleInTransactionSeconds", 1));
    // a node that took a row lock and then stopped: frozen, or cut off from the database
    SqlConnection frozen = PgConnection.connect(vertx, Databases.connectOptions(quick, PG.database())).await();
    frozen.query("BEGIN").execute().await();
    frozen.preparedQuery(LOCK).execute(Tuple.of(id)).await();
    PgException held = assertThrows(PgException.class, () -> pool.preparedQuery(LOCK_NOWAIT).execute(Tuple.of(id))
      .await());
    assertEquals("55P03", held.getSqlState(), "the row is locked by the frozen session");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    boolean released = false;
    while (!released && System.nanoTime() < deadline) {
      Thread.sleep(200);
      released = pool.preparedQuery(LOCK_NOWAIT).execute(Tuple.of(id)).transform(done -> Future.succeededFuture(
        done.succeeded())).await();
    }
    assertTrue(released, "the database ended the idle session and released its lock");
    Throwable ended = assertThrows(Throwable.class, () -> frozen.query("SELECT 1").execute().await());
    assertTrue(Unavailability.isTransient(ended), "the frozen node, back, meets a lost connection: " + ended);
  }

  @Test
  void work_that_succeeds_is_committed_and_gives_back_its_connection() throws Exception {
    // more transactions than the pool has connections: a connection kept would stall the loop
    for (int i = 0; i < PG.poolSize() * 3; i++) {
      UUID id = UUID.randomUUID();
      assertEquals(1, Transactions.run(pool, conn -> conn.preparedQuery(INSERT).execute(Tuple.of(id))
        .map(rows -> rows.rowCount())).await(10, TimeUnit.SECONDS));
      assertEquals(1, rows(id));
    }
    // and so does work that throws instead of returning a failed future, an error as well as an exception
    for (int i = 0; i < PG.poolSize(); i++) {
      assertThrows(IllegalArgumentException.class, () -> Transactions.run(pool, conn -> {
        throw new IllegalArgumentException("bug");
      }).await(10, TimeUnit.SECONDS));
      assertThrows(AssertionError.class, () -> Transactions.run(pool, conn -> {
        throw new AssertionError("bug");
      }).await(10, TimeUnit.SECONDS));
    }
    for (int i = 0; i < PG.poolSize(); i++) {
      Transactions.run(pool, conn -> conn.query("SELECT 1").execute()).await(10, TimeUnit.SECONDS);
    }
  }
}
