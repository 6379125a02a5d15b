package souk.common.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The messages the outbox relay parked because their receiver refused them every time ({@code outbox_dead_letter}),
 * for the operator, on the node's management port:
 * <ul>
 *   <li>{@code GET /dead-letters}: the newest 100, with their payload (which names the order concerned), attempts and
 *       last error;</li>
 *   <li>{@code POST /dead-letters/<id>/replay}: puts the message back in the outbox, due now, with its id (receivers
 *       stay idempotent) and a fresh count of refusals; 202, or 404 for an id that is not parked.</li>
 * </ul>
 * {@code souk_outbox_dead_letters} in {@code /metrics} is how many are parked (refreshed every few seconds).
 */
public final class DeadLetters {

  public static final String PATH = "/dead-letters";
  static final long REFRESH_MS = 5_000;
  private static final int LIST_LIMIT = 100;
  private static final String LIST = """
    SELECT id, address, action, payload, request_id, created_at, attempts, last_error, parked_at
    FROM outbox_dead_letter ORDER BY parked_at DESC LIMIT $1""";
  private static final String REPLAY = """
    WITH replayed AS (DELETE FROM outbox_dead_letter WHERE id = $1 RETURNING *)
    INSERT INTO outbox (id, address, action, payload, request_id, created_at, attempts, traceparent)
    SELECT id, address, action, payload, request_id, created_at, attempts, traceparent FROM replayed""";

  private final Vertx vertx;
  private final Pool pool;
  private final AtomicLong parked = new AtomicLong();
  private long timer = -1;

  public DeadLetters(Vertx vertx, Pool pool, MeterRegistry registry) {
    this.vertx = vertx;
    this.pool = pool;
    Gauge.builder("souk_outbox_dead_letters", parked, AtomicLong::get)
      .description("Outbox messages parked because their receiver refused them every time").register(registry);
  }

  public DeadLetters start() {
    refresh();
    timer = vertx.setPeriodic(REFRESH_MS, id -> refresh());
    return this;
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  public void mount(Router router) {
    router.get(PATH).handler(this::list);
    router.post(PATH + "/:id/replay").handler(this::replay);
  }

  public Future<Long> refresh() {
    return pool.query("SELECT count(*) FROM outbox_dead_letter").execute()
      .map(rows -> rows.iterator().next().getLong(0))
      .onSuccess(parked::set);
  }

  /** Puts a parked message back in the outbox; false when no message with that id is parked. */
  public Future<Boolean> replay(UUID id) {
    return pool.withTransaction(conn -> conn.preparedQuery(REPLAY).execute(Tuple.of(id)))
      .map(rows -> rows.rowCount() == 1)
      .onSuccess(replayed -> refresh());
  }

  private void list(RoutingContext ctx) {
    pool.preparedQuery(LIST).execute(Tuple.of(LIST_LIMIT))
      .onSuccess(rows -> {
        JsonArray items = new JsonArray();
        for (Row row : rows) {
          items.add(new JsonObject().put("id", row.getUUID("id").toString()).put("address", row.getString("address"))
            .put("action", row.getString("action")).put("payload", row.getValue("payload"))
            .put("requestId", row.getString("request_id")).put("attempts", row.getInteger("attempts"))
            .put("lastError", row.getString("last_error"))
            .put("createdAt", row.getOffsetDateTime("created_at").toString())
            .put("parkedAt", row.getOffsetDateTime("parked_at").toString()));
        }
        json(ctx, 200, new JsonObject().put("items", items));
      })
      .onFailure(e -> json(ctx, 503, problem("Database unavailable", "The dead letters cannot be read now")));
  }

  private void replay(RoutingContext ctx) {
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException notAnId) {
      json(ctx, 404, problem("Not found", "No parked message has this id"));
      return;
    }
    replay(id)
      .onSuccess(replayed -> json(ctx, replayed ? 202 : 404, replayed
        ? new JsonObject().put("replayed", id.toString())
        : problem("Not found", "No parked message has this id")))
      .onFailure(e -> json(ctx, 503, problem("Database unavailable", "The message cannot be replayed now")));
  }

  private static JsonObject problem(String title, String detail) {
    return new JsonObject().put("title", title).put("detail", detail);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    boolean problem = status >= 400;
    if (problem) {
      body.put("status", status);
    }
    ctx.response().setStatusCode(status)
      .putHeader("Content-Type", problem ? "application/problem+json" : "application/json")
      .end(body.encode());
  }
}
