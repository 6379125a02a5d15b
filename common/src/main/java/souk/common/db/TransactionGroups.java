package souk.common.db;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.internal.SqlConnectionBase;
import io.vertx.sqlclient.spi.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Group commit for work that arrives together: pieces of work submitted on one event loop while it is busy (a relay's
 * batch of messages, a burst of requests) run in one transaction, their statements sent without waiting for each
 * other, with one {@code COMMIT} once every piece is done; each piece's future completes after that commit. On a
 * 2-core machine the round trips and commits are most of what the database spends per saga step, and a group of ten
 * costs about a third of ten transactions of one.
 *
 * <p>A group holds at most one piece per key (the row its work changes, read and locked first), so that no piece
 * reads a row another piece of the same transaction has changed, and its pieces start in the order of their keys,
 * so that two groups lock rows in one order. If anything in a group fails, nothing of it is committed and every piece
 * runs again on its own: one piece's failure is that piece's alone. A {@code COMMIT} whose answer never came (the
 * connection lost with it) is the exception: the group may have been committed, so no piece runs again (an insert
 * would be made twice), and each fails with that error, as a transaction of its own would. Work submitted off an event
 * loop, or from another event loop than the first, runs on its own at once.
 */
public final class TransactionGroups {

  /**
   * Pieces in one transaction at most: their records and reads (two statements each) about fill the connection's
   * pipelining limit (64); what is over it waits in the client for the first answers.
   */
  static final int MAX_GROUP = 32;
  /** Group transactions in flight at once; more work waits for one of them to end. */
  static final int MAX_GROUPS_IN_FLIGHT = 2;
  /**
   * Pieces waiting for a group at most; more are refused at once with a 503. While the database keeps up, a few
   * groups' worth wait at a time; this many means it does not, and waiting longer helps no caller.
   */
  static final int MAX_WAITING = 1_024;
  private static final Logger LOG = LoggerFactory.getLogger(TransactionGroups.class);

  private final Pool pool;
  private final ArrayDeque<Piece<?>> waiting = new ArrayDeque<>();
  private Thread loop;
  private Context context;
  private int groupsInFlight;
  private boolean flushQueued;

  /**
   * Made on the event loop whose work it groups (a verticle's start), the groups' own statements ({@code BEGIN},
   * {@code COMMIT}) run on that loop's context, outside any piece's trace; made elsewhere, on the first piece's.
   */
  public TransactionGroups(Pool pool) {
    this.pool = pool;
    Context current = Vertx.currentContext();
    if (current != null && current.isEventLoopContext()) {
      loop = Thread.currentThread();
      context = current;
    }
  }

  /**
   * Runs {@code work} in a transaction, shared with the other work submitted with it. {@code work} sends its
   * statements on the connection it is given, and neither begins nor ends a transaction on it.
   *
   * @param key the row {@code work} locks and changes; {@code null} for work that changes only rows of its own
   */
  public <T> Future<T> run(UUID key, Function<SqlConnection, Future<T>> work) {
    return submit(new Piece<>(key, work, pool -> Transactions.run(pool, work)));
  }

  /**
   * Like {@link #run(UUID, Function)}, for work that is a single statement changing only rows of its own (an insert):
   * alone, it runs without a transaction of its own (one round trip, its own commit).
   */
  public <T> Future<T> runStatement(Function<SqlClient, Future<T>> statement) {
    return runStatement(statement, Long.MAX_VALUE);
  }

  /**
   * Like {@link #runStatement(Function)}, for a caller that stops waiting at {@code deadlineNanos} (a
   * {@link System#nanoTime()} value): a statement that has not started by then never does, and fails with a timeout.
   */
  public <T> Future<T> runStatement(Function<SqlClient, Future<T>> statement, long deadlineNanos) {
    Piece<T> piece = new Piece<>(null, statement::apply, statement::apply);
    piece.deadlineNanos = deadlineNanos;
    return submit(piece);
  }

  private <T> Future<T> submit(Piece<T> piece) {
    Context current = Vertx.currentContext();
    // each message or request has a context of its own (for its trace); what matters is the event loop's thread
    if (current == null || !current.isEventLoopContext() || (loop != null && loop != Thread.currentThread())) {
      return piece.alone(pool);
    }
    if (waiting.size() >= MAX_WAITING) {
      return Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE,
        "The database is not keeping up; retry later"));
    }
    if (loop == null) {
      loop = Thread.currentThread();
      context = current;
    }
    piece.context = current;
    waiting.add(piece);
    queueFlush();
    return piece.result.future();
  }

  // once the event loop has handed out everything it read, so that what came together goes together
  private void queueFlush() {
    if (!flushQueued && groupsInFlight < MAX_GROUPS_IN_FLIGHT) {
      flushQueued = true;
      context.runOnContext(v -> {
        flushQueued = false;
        flush();
      });
    }
  }

  private void flush() {
    while (groupsInFlight < MAX_GROUPS_IN_FLIGHT && !waiting.isEmpty()) {
      List<Piece<?>> group = nextGroup();
      if (group.isEmpty()) {
        continue;
      }
      groupsInFlight++;
      run(group).onComplete(done -> {
        groupsInFlight--;
        if (!waiting.isEmpty()) {
          queueFlush();
        }
      });
    }
  }

  /**
   * The waiting pieces in arrival order, one per key; a second one for a key waits for the next group. A piece whose
   * caller has stopped waiting is answered with a timeout instead: run now, its work would be done for no one.
   */
  private List<Piece<?>> nextGroup() {
    List<Piece<?>> group = new ArrayList<>(Math.min(waiting.size(), MAX_GROUP));
    Set<UUID> keys = new HashSet<>();
    long now = System.nanoTime();
    for (Iterator<Piece<?>> it = waiting.iterator(); it.hasNext() && group.size() < MAX_GROUP; ) {
      Piece<?> piece = it.next();
      if (piece.expired(now)) {
        it.remove();
        piece.answerTimedOut();
      } else if (piece.key == null || keys.add(piece.key)) {
        group.add(piece);
        it.remove();
      }
    }
    group.sort(Comparator.comparing(piece -> piece.key, Comparator.nullsLast(Comparator.naturalOrder())));
    return group;
  }

  private Future<Void> run(List<Piece<?>> group) {
    if (group.size() == 1) {
      Piece<?> piece = group.get(0);
      return piece.alone(pool).onComplete(piece::answer).mapEmpty();
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("pieces in one transaction", kv("pieces", group.size()));
    }
    List<Piece<?>> started = new ArrayList<>(group.size());
    List<Future<?>> outcomes = new ArrayList<>(group.size());
    boolean[] ran = {false};
    return Transactions.run(pool, conn -> {
        ran[0] = true;
        // the connection may have been long in coming: a piece whose caller has stopped waiting since does not start
        long now = System.nanoTime();
        for (Piece<?> piece : group) {
          if (piece.expired(now)) {
            piece.answerTimedOut();
          } else {
            started.add(piece);
            outcomes.add(piece.start(conn));
          }
        }
        // join, not all: the transaction ends only once no piece can send another statement on its connection
        return Future.join(outcomes);
      })
      .transform(done -> {
        if (done.succeeded()) {
          for (int i = 0; i < started.size(); i++) {
            started.get(i).answer(outcomes.get(i));
          }
          return Future.succeededFuture();
        }
        // a group whose pieces had all expired when its connection came sent nothing: nothing to warn about
        if (ran[0] && !started.isEmpty() && commitInDoubt(outcomes, done.cause())) {
          LOG.warn("a group's commit got no answer: its pieces fail, none runs again", kv("pieces", started.size()),
            kv("error", String.valueOf(done.cause().getMessage())));
          started.forEach(piece -> piece.answer(done));
          return Future.succeededFuture();
        }
        // what did not start (no connection came) runs on its own, as does what started and was rolled back
        List<Piece<?>> again = ran[0] ? started : group;
        // the group's connection may have died under it (the database restarting, a network cut): the failure reaches
        // this loop while the client is still letting go of that connection, and a piece started now would be handed
        // the dead connection again; on the loop's next turn the pool has dropped it
        Promise<Void> nextTurn = Promise.promise();
        context.runOnContext(v -> nextTurn.complete());
        return nextTurn.future().compose(v -> {
          // a piece with a deadline checks it once it has its own connection (alone)
          List<Future<?>> alone = new ArrayList<>(again.size());
          for (Piece<?> piece : again) {
            alone.add(piece.alone(pool).onComplete(piece::answer));
          }
          return Future.join(alone).mapEmpty();
        });
      });
  }

  /**
   * Whether the group failed at its {@code COMMIT} without an answer from the database: every piece's work succeeded,
   * so the failure is the commit's, and it is not the database refusing the commit (an error it answered, which rolls
   * back, and the pieces may run again) but a lost connection or a timeout.
   */
  private static boolean commitInDoubt(List<Future<?>> outcomes, Throwable failure) {
    boolean refused = failure instanceof PgException pg && !Unavailability.isConnectionLost(pg.getSqlState());
    return !refused && outcomes.stream().allMatch(Future::succeeded);
  }

  /**
   * The group's connection as the piece's own. What a connection's statements answer comes back on the context it
   * was taken on, the group's: a piece's second statement, sent from there, would be outside the piece's trace, and
   * so would the trace context of the messages it writes to an outbox. Over the same connection, in the same
   * transaction, this one answers on the piece's context.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static SqlConnection ownView(SqlConnection conn, Context context) {
    if (context == null || !(conn instanceof SqlConnectionBase<?> shared)) {
      return conn;
    }
    return shared.driver().wrapConnection((ContextInternal) context, (ConnectionFactory) shared.factory(),
      shared.unwrap());
  }

  private static final class Piece<T> {

    final UUID key;
    final Function<SqlConnection, Future<T>> work;
    final Function<Pool, Future<T>> onItsOwn;
    final Promise<T> result = Promise.promise();
    /** Where the piece was submitted: its statements run there, in its own trace. */
    Context context;
    /** When its caller stops waiting, as a {@link System#nanoTime()} value. */
    long deadlineNanos = Long.MAX_VALUE;

    Piece(UUID key, Function<SqlConnection, Future<T>> work, Function<Pool, Future<T>> onItsOwn) {
      this.key = key;
      this.work = work;
      this.onItsOwn = onItsOwn;
    }

    boolean expired(long now) {
      return deadlineNanos != Long.MAX_VALUE && now - deadlineNanos > 0;
    }

    void answerTimedOut() {
      answer(Future.failedFuture(timedOut()));
    }

    private static ServiceException timedOut() {
      return new ServiceException(ErrorCode.TIMEOUT, "The request waited longer than its caller for the database");
    }

    Future<T> start(SqlConnection conn) {
      return onOwnContext(() -> work.apply(ownView(conn, context)));
    }

    Future<T> alone(Pool pool) {
      if (deadlineNanos == Long.MAX_VALUE) {
        return onOwnContext(() -> onItsOwn.apply(pool));
      }
      // a statement with a deadline takes its connection first: if that took too long, it is not sent at all
      return onOwnContext(() -> pool.withConnection(conn -> expired(System.nanoTime())
        ? Future.failedFuture(timedOut()) : work.apply(conn)));
    }

    // anything thrown fails the piece, not the group's bookkeeping
    private Future<T> onOwnContext(Supplier<Future<T>> action) {
      if (context == null || context == Vertx.currentContext()) {
        try {
          return action.get();
        } catch (Throwable e) {
          return Future.failedFuture(e);
        }
      }
      Promise<T> done = Promise.promise();
      context.runOnContext(v -> onOwnContext(action).onComplete(done));
      return done.future();
    }

    // the group ends on its own context: the piece's caller goes on on the piece's (its trace, its log lines)
    void answer(AsyncResult<?> outcome) {
      if (context != null && context != Vertx.currentContext()) {
        context.runOnContext(v -> complete(outcome));
      } else {
        complete(outcome);
      }
    }

    @SuppressWarnings("unchecked")
    private void complete(AsyncResult<?> outcome) {
      if (outcome.succeeded()) {
        result.tryComplete((T) outcome.result());
      } else {
        result.tryFail(outcome.cause());
      }
    }
  }
}
