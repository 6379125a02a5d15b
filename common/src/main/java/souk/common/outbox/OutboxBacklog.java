package souk.common.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the outbox relay has yet to deliver, for {@code /metrics} (refreshed every {@link #REFRESH_MS} ms):
 * {@code souk_outbox_pending}, the messages not yet acknowledged by their receiver, and
 * {@code souk_outbox_oldest_pending_seconds}, how long the oldest of them has waited (0 when none). A backlog that
 * grows, or an oldest message that keeps ageing, means a receiver is missing or refusing.
 */
public final class OutboxBacklog {

  /** How often the gauges are read from the database, in milliseconds. */
  public static final long REFRESH_MS = 5_000;
  private static final String BACKLOG = """
    SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::bigint
    FROM outbox WHERE delivered_at IS NULL""";

  private final Vertx vertx;
  private final Pool pool;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong oldestSeconds = new AtomicLong();
  private long timer = -1;

  public OutboxBacklog(Vertx vertx, Pool pool, MeterRegistry registry) {
    this.vertx = vertx;
    this.pool = pool;
    Gauge.builder("souk_outbox_pending", pending, AtomicLong::get)
      .description("Outbox messages not yet acknowledged by their receiver").register(registry);
    Gauge.builder("souk_outbox_oldest_pending_seconds", oldestSeconds, AtomicLong::get)
      .description("How long the oldest undelivered outbox message has waited, in seconds").baseUnit("seconds")
      .register(registry);
  }

  public OutboxBacklog start() {
    refresh();
    timer = vertx.setPeriodic(REFRESH_MS, id -> refresh());
    return this;
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /** Reads the backlog now; the gauges keep their last values when the database does not answer. */
  public Future<Void> refresh() {
    return pool.query(BACKLOG).execute().map(rows -> {
      Row row = rows.iterator().next();
      pending.set(row.getLong(0));
      oldestSeconds.set(row.getLong(1));
      return null;
    });
  }
}
