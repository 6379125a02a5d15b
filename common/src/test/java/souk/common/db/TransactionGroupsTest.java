package souk.common.db;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgException;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.common.config.PgConfig;
import souk.common.testing.OnContext;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group commit against a real PostgreSQL: what is submitted together commits together, and fails piece by piece. */
@ExtendWith(VertxExtension.class)
class TransactionGroupsTest {

  private static final PgConfig PG = PgConfig.of("souk_test_transaction_groups", System.getenv());
  private static final String INSERT = "INSERT INTO group_probe (id) VALUES ($1) RETURNING txid_current()";

  private Pool pool;
  private Context loop;
  private TransactionGroups groups;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    pool = Databases.prepare(vertx, PG).await(60, TimeUnit.SECONDS);
    pool.query("CREATE TABLE IF NOT EXISTS group_probe (id uuid PRIMARY KEY)").execute().await();
    loop = vertx.getOrCreateContext();
    groups = onLoop(() -> new TransactionGroups(pool));
  }

  @AfterEach
  void stop() throws Exception {
    pool.close().await();
  }

  @Test
  void statements_submitted_together_commit_in_one_transaction() throws Exception {
    List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    List<Long> transactions = new ArrayList<>();
    for (Future<Long> inserted : submitTogether(ids.stream().map(TransactionGroupsTest::insert).toList())) {
      transactions.add(inserted.await(10, TimeUnit.SECONDS));
    }
    assertEquals(1, transactions.stream().distinct().count(), "one transaction for the three: " + transactions);
    for (UUID id : ids) {
      assertEquals(1, rows(id));
    }
    long alone = submitTogether(List.of(insert(UUID.randomUUID()))).get(0).await(10, TimeUnit.SECONDS);
    assertNotEquals(transactions.get(0), alone, "a statement submitted on its own has its own transaction");
  }

  @Test
  void a_failing_piece_fails_alone_and_the_others_are_committed() throws Exception {
    UUID taken = UUID.randomUUID();
    submitTogether(List.of(insert(taken))).get(0).await(10, TimeUnit.SECONDS);
    UUID first = UUID.randomUUID();
    UUID last = UUID.randomUUID();
    List<Future<Long>> outcomes = submitTogether(List.of(insert(first), insert(taken), insert(last)));
    outcomes.get(0).await(10, TimeUnit.SECONDS);
    Throwable refused = failure(outcomes.get(1));
    assertTrue(refused instanceof PgException pg && "23505".equals(pg.getSqlState()), String.valueOf(refused));
    outcomes.get(2).await(10, TimeUnit.SECONDS);
    assertEquals(1, rows(first));
    assertEquals(1, rows(last));
  }

  @Test
  void a_commit_that_gets_no_answer_fails_every_piece_and_runs_none_again() throws Exception {
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    // the first piece's work succeeds, then has the group's connection ended before the COMMIT goes out: the commit
    // gets no answer, as when the connection is lost after the database committed. Its second statement is answered
    // after the other piece's insert (one connection answers in order): that one is done before the end
    Function<SqlClient, Future<Long>> endsTheConnection = client -> client
      .preparedQuery("INSERT INTO group_probe (id) VALUES ($1)").execute(Tuple.of(first))
      .compose(rows -> client.query("SELECT pg_backend_pid()").execute())
      .compose(rows -> pool.preparedQuery("SELECT pg_terminate_backend($1, 5000)")
        .execute(Tuple.of(rows.iterator().next().getInteger(0))))
      .map(rows -> 0L);
    List<Future<Long>> outcomes = submitTogether(List.of(endsTheConnection, insert(second)));
    for (Future<Long> outcome : outcomes) {
      Throwable lost = failure(outcome);
      assertTrue(Unavailability.isTransient(lost), "a lost connection, reported as such: " + lost);
    }
    // run again on their own, both inserts would have been made: the second one twice, had the commit gone through
    assertEquals(0, rows(first));
    assertEquals(0, rows(second));
    // and the groups go on working
    UUID after = UUID.randomUUID();
    submitTogether(List.of(insert(after), insert(UUID.randomUUID()))).get(0).await(10, TimeUnit.SECONDS);
    assertEquals(1, rows(after));
  }

  @Test
  void a_statement_whose_caller_stopped_waiting_before_it_started_is_a_timeout_and_writes_nothing() throws Exception {
    UUID late = UUID.randomUUID();
    UUID inTime = UUID.randomUUID();
    List<Future<Long>> outcomes = onLoop(() -> List.of(
      groups.runStatement(insert(late), System.nanoTime() - 1),
      groups.runStatement(insert(inTime), System.nanoTime() + TimeUnit.SECONDS.toNanos(30))));
    Throwable timedOut = failure(outcomes.get(0));
    assertTrue(timedOut instanceof ServiceException e && e.errorCode() == ErrorCode.TIMEOUT, String.valueOf(timedOut));
    outcomes.get(1).await(10, TimeUnit.SECONDS);
    assertEquals(0, rows(late));
    assertEquals(1, rows(inTime));
  }

  @Test
  void a_statement_whose_connection_came_after_its_deadline_is_not_sent(Vertx vertx) throws Exception {
    // a pool of its own: the shared one of this database (by name) already has its connections
    Pool single = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
      .connectingTo(Databases.connectOptions(PG, PG.database())).using(vertx).build();
    try {
      TransactionGroups small = onLoop(() -> new TransactionGroups(single));
      for (int pieces : new int[] {1, 2}) {
        // the pool's one connection is busy for longer than the caller waits: the database is slow
        SqlConnection busy = single.getConnection().await(10, TimeUnit.SECONDS);
        List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID()).subList(0, pieces);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        List<Future<Long>> outcomes = onLoop(() -> ids.stream()
          .map(id -> small.runStatement(insert(id), deadline)).toList());
        TimeUnit.MILLISECONDS.sleep(800);
        busy.close().await(10, TimeUnit.SECONDS);
        for (Future<Long> outcome : outcomes) {
          Throwable late = failure(outcome);
          assertTrue(late instanceof ServiceException e && e.errorCode() == ErrorCode.TIMEOUT, String.valueOf(late));
        }
        for (UUID id : ids) {
          assertEquals(0, rows(id), pieces + " piece(s): written after the caller stopped waiting");
        }
      }
    } finally {
      single.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void more_waiting_pieces_than_the_bound_are_refused_at_once_with_a_503() throws Exception {
    int over = 5;
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < TransactionGroups.MAX_WAITING + over; i++) {
      ids.add(UUID.randomUUID());
    }
    List<Future<Long>> outcomes = submitTogether(ids.stream().map(TransactionGroupsTest::insert).toList());
    int refused = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      CompletableFuture<Throwable> done = new CompletableFuture<>();
      outcomes.get(i).onComplete(result -> done.complete(result.cause()));
      Throwable cause = done.get(30, TimeUnit.SECONDS);
      if (cause != null) {
        assertTrue(cause instanceof ServiceException e && e.errorCode() == ErrorCode.UNAVAILABLE, String.valueOf(cause));
        assertEquals(0, rows(ids.get(i)));
        refused++;
      }
    }
    assertEquals(over, refused, "the pieces over the bound, and only those");
  }

  private static Function<SqlClient, Future<Long>> insert(UUID id) {
    return client -> client.preparedQuery(INSERT).execute(Tuple.of(id)).map(rows -> rows.iterator().next().getLong(0));
  }

  /** Submits the statements in one turn of the event loop, as a burst of requests arrives. */
  private List<Future<Long>> submitTogether(List<Function<SqlClient, Future<Long>>> statements) throws Exception {
    return onLoop(() -> statements.stream().map(groups::runStatement).toList());
  }

  private <T> T onLoop(Supplier<T> action) throws Exception {
    return OnContext.call(loop, action);
  }

  private static Throwable failure(Future<?> outcome) throws Exception {
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    outcome.onComplete(done -> failed.complete(done.cause()));
    Throwable cause = failed.get(10, TimeUnit.SECONDS);
    assertTrue(cause != null, "the piece succeeded");
    return cause;
  }

  private long rows(UUID id) throws Exception {
    return pool.preparedQuery("SELECT count(*) FROM group_probe WHERE id = $1").execute(Tuple.of(id)).await()
      .iterator().next().getLong(0);
  }
}
