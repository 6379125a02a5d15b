package souk.common.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Deletes rows that have served their purpose, periodically and in bounded batches, so that tables which only grow
 * (delivered outbox rows, processed message ids, expired idempotency keys) stay small. Several nodes may run it at
 * once: a row deleted twice is deleted once.
 */
public final class Retention {

  /** How long delivered outbox rows and processed message ids are kept, in hours (7 days). */
  public static final int SAGA_KEEP_HOURS = 7 * 24;
  /** Default time between two clean-ups ({@code SOUK_RETENTION_EVERY_MS}), in milliseconds (one hour). */
  public static final long DEFAULT_EVERY_MS = 3_600_000;
  /** Rows deleted per statement, and statements per table per run: at most their product per run. */
  static final int BATCH = 1_000;
  static final int MAX_BATCHES = 100;

  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  /**
   * Rows of {@code table} matching {@code condition} (SQL over the table's columns) are no longer needed.
   * Both are constants written in code, never input.
   */
  public record Purge(String table, String condition) {
    String statement() {
      return "DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table + " WHERE " + condition
        + " LIMIT " + BATCH + ")";
    }
  }

  /** The outbox and processed-message tables every saga participant has (see {@code db/common}). */
  public static final List<Purge> SAGA = List.of(
    new Purge("outbox", "delivered_at < now() - interval '" + SAGA_KEEP_HOURS + " hours'"),
    new Purge("processed_message", "processed_at < now() - interval '" + SAGA_KEEP_HOURS + " hours'"));

  private final Vertx vertx;
  private final Pool pool;
  private final List<Purge> purges;
  private final long everyMs;
  private long timer = -1;

  public Retention(Vertx vertx, Pool pool, List<Purge> purges, long everyMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.purges = List.copyOf(purges);
    this.everyMs = everyMs;
  }

  public Retention start() {
    timer = vertx.setPeriodic(everyMs, id -> runOnce());
    return this;
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** One clean-up of every table; the number of rows deleted. */
  public Future<Integer> runOnce() {
    Future<Integer> total = Future.succeededFuture(0);
    for (Purge purge : purges) {
      total = total.compose(sum -> purge(purge, 0, 0).map(deleted -> sum + deleted));
    }
    return total
      .onSuccess(deleted -> {
        if (deleted > 0) {
          LOG.info("old rows deleted", kv("rows", deleted));
        }
      })
      .onFailure(e -> LOG.warn("clean-up failed; trying again later", kv("error", String.valueOf(e.getMessage()))));
  }

  private Future<Integer> purge(Purge purge, int batches, int deleted) {
    return pool.query(purge.statement()).execute().compose(rows -> {
      int sum = deleted + rows.rowCount();
      return rows.rowCount() == BATCH && batches + 1 < MAX_BATCHES
        ? purge(purge, batches + 1, sum)
        : Future.succeededFuture(sum);
    });
  }
}
