package souk.common.outbox.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.RequestSender;
import souk.common.bus.Requests;
import souk.common.db.Transactions;
import souk.common.outbox.Outbox;
import souk.common.outbox.OutboxRelay;
import souk.common.outbox.OutboxRelayOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Polls the outbox in one transaction per batch: claim due rows with {@code FOR UPDATE SKIP LOCKED}, deliver them in
 * parallel, record each failure as it comes and every acknowledgement in one statement, commit. The row locks last
 * until the outcome is written, which is what keeps two relays from delivering one row at the same time; a relay that
 * dies mid-batch rolls back, and its rows are due again.
 */
public final class PgOutboxRelay implements OutboxRelay {

  private static final Logger LOG = LoggerFactory.getLogger(PgOutboxRelay.class);
  private static final int MAX_ERROR_LENGTH = 500;
  /**
   * The due rows in the order of {@code outbox_pending}, so that a claim reads one batch of the index and stops. A
   * second sort key made every claim read and sort every due row, and PostgreSQL keeps that plan for a statement
   * prepared on a small outbox: with a backlog, each poll got slower as the backlog grew. A row's {@code created_at}
   * equals its {@code next_attempt} until it is first retried, and a batch is delivered in parallel: there is no order
   * among rows due at the same instant to keep.
   */
  private static final String CLAIM = """
    SELECT id, address, action, payload, request_id, attempts, rejections, traceparent FROM outbox
    WHERE delivered_at IS NULL AND next_attempt <= now()
    ORDER BY next_attempt
    LIMIT $1
    FOR UPDATE SKIP LOCKED""";
  private static final String DELIVERED =
    "UPDATE outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1)";
  /**
   * Sent ahead of {@link #DELIVERED}: plan it for the outbox as it is now. Prepared while the table was small, a batch
   * of keys is cheapest found by reading the whole table, and PostgreSQL may keep that plan for the statement; the
   * outbox only grows, and until a VACUUM or ANALYZE of it nothing plans the statement again, so every batch would read
   * every row ever written (tens of milliseconds a batch, with the batch's rows locked).
   */
  private static final String PLAN_FOR_NOW = "SET LOCAL plan_cache_mode = force_custom_plan";
  private static final String FAILED = """
    UPDATE outbox SET attempts = attempts + 1, rejections = rejections + $4, last_error = $2,
      next_attempt = now() + $3::bigint * interval '1 millisecond'
    WHERE id = $1""";
  private static final String PARK = """
    WITH parked AS (DELETE FROM outbox WHERE id = $1 RETURNING *)
    INSERT INTO outbox_dead_letter (id, address, action, payload, request_id, created_at, attempts, last_error,
      traceparent)
    SELECT id, address, action, payload, request_id, created_at, attempts + 1, $2, traceparent FROM parked""";

  private final Vertx vertx;
  private final RequestSender sender;
  private final Pool pool;
  private final OutboxRelayOptions options;
  private boolean stopped = true;
  private boolean polling;
  private boolean pollAgain;
  private long timerId = -1;
  private Promise<Void> idle;

  public PgOutboxRelay(Vertx vertx, Pool pool, OutboxRelayOptions options) {
    this.vertx = vertx;
    this.sender = new RequestSender(vertx);
    this.pool = pool;
    this.options = options;
  }

  @Override
  public OutboxRelay start() {
    stopped = false;
    schedule(0);
    return this;
  }

  @Override
  public void nudge() {
    if (stopped) {
      return;
    }
    if (polling) {
      pollAgain = true;
      return;
    }
    vertx.cancelTimer(timerId);
    schedule(0);
  }

  @Override
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    if (!polling) {
      return Future.succeededFuture();
    }
    idle = Promise.promise();
    return idle.future();
  }

  private void schedule(long delayMs) {
    timerId = vertx.setTimer(Math.max(1, delayMs), id -> poll());
  }

  private void poll() {
    if (stopped || polling) {
      return;
    }
    polling = true;
    pollAgain = false;
    Transactions.run(pool, this::deliverBatch)
      .onFailure(e -> LOG.warn("outbox poll failed", kv("error", String.valueOf(e.getMessage()))))
      .onComplete(done -> {
        polling = false;
        if (stopped) {
          if (idle != null) {
            idle.tryComplete();
          }
          return;
        }
        boolean full = done.succeeded() && done.result() >= options.batchSize();
        schedule(full || pollAgain ? 0 : options.pollIntervalMs());
      });
  }

  private Future<Integer> deliverBatch(SqlConnection conn) {
    return conn.preparedQuery(CLAIM).execute(Tuple.of(options.batchSize())).compose(rows -> {
      List<UUID> delivered = new ArrayList<>(rows.size());
      List<Future<Void>> outcomes = new ArrayList<>(rows.size());
      for (Row row : rows) {
        outcomes.add(deliver(row).compose(
          ack -> {
            delivered.add(row.getUUID("id"));
            return Future.succeededFuture();
          },
          failure -> recordFailure(conn, row, failure)));
      }
      // the acknowledged rows of a batch are marked in one statement, not one each; join, not all: a failure is
      // reported only once every delivery is done, so that no late one writes on a connection already given back
      return Future.join(outcomes)
        .compose(all -> delivered.isEmpty() ? Future.succeededFuture() : markDelivered(conn, delivered))
        .map(marked -> rows.size());
    });
  }

  private static Future<Void> markDelivered(SqlConnection conn, List<UUID> ids) {
    // pipelined: both are sent at once and answered in order, so a failed SET (which aborts the transaction and the
    // UPDATE with it) is the failure reported
    return Future.all(conn.query(PLAN_FOR_NOW).execute(),
      conn.preparedQuery(DELIVERED).execute(Tuple.of(ids.toArray(UUID[]::new)))).mapEmpty();
  }

  private Future<Void> deliver(Row row) {
    DeliveryOptions delivery = Requests.options(row.getString("action"), row.getString("request_id"), null,
        options.sendTimeoutMs())
      .addHeader(Outbox.MESSAGE_ID, row.getUUID("id").toString());
    JsonObject payload = (JsonObject) row.getValue("payload");
    return DeliverySpan.around(row, () -> sender.request(row.getString("address"), payload, delivery).mapEmpty());
  }

  private Future<Void> recordFailure(SqlConnection conn, Row row, Throwable failure) {
    UUID id = row.getUUID("id");
    int failures = row.getInteger("attempts") + 1;
    boolean rejected = rejected(failure);
    String error = String.valueOf(failure.getMessage());
    String stored = error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error;
    if (rejected && row.getInteger("rejections") + 1 >= options.maxRejections()) {
      JsonObject payload = (JsonObject) row.getValue("payload");
      LOG.error("outbox message parked as a dead letter: its receiver refused it every time",
        kv("messageId", id), kv("address", row.getString("address")), kv("action", row.getString("action")),
        kv("orderId", payload.getValue("orderId")), kv("attempts", failures),
        kv("requestId", row.getString("request_id")), kv("error", error));
      return conn.preparedQuery(PARK).execute(Tuple.of(id, stored)).mapEmpty();
    }
    long delayMs = options.backoff().delayMs(failures);
    LOG.warn("outbox delivery failed", kv("messageId", id), kv("action", row.getString("action")),
      kv("attempts", failures), kv("retryInMs", delayMs), kv("requestId", row.getString("request_id")),
      kv("error", error));
    return conn.preparedQuery(FAILED).execute(Tuple.of(id, stored, delayMs, rejected ? 1 : 0)).mapEmpty();
  }

  /**
   * Whether the receiver took the message and refused it (or failed on it). A receiver that is absent, too slow, out
   * of breath, without its database, or that answers "not now" (a conflict: what the message needs is not visible
   * yet) refuses nothing: those messages wait for it however long it takes.
   */
  static boolean rejected(Throwable failure) {
    if (!(failure instanceof ReplyException reply) || reply.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return false;
    }
    int code = reply.failureCode();
    return code != ErrorCode.UNAVAILABLE.code() && code != ErrorCode.TIMEOUT.code()
      && code != ErrorCode.TOO_MANY_REQUESTS.code() && code != ErrorCode.CONFLICT.code();
  }
}
