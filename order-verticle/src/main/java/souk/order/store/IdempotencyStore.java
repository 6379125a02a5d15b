package souk.order.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * SQL of the {@code idempotency_key} table: the first response to a (user, Idempotency-Key), kept at least
 * {@link #RETENTION_HOURS} hours.
 */
public final class IdempotencyStore {

  /** How long a key is honoured, hours (the API promises at least 24). */
  public static final int RETENTION_HOURS = 24;

  /** A stored first response and the fingerprint of the body that produced it. */
  public record Stored(String fingerprint, JsonObject response) {
  }

  /**
   * Takes a transaction-scoped advisory lock on (user, key): {@code false} when another transaction, i.e. the same
   * request still in flight, holds it. The lock is derived in SQL so that operators (and tests) can take it by hand,
   * from the text of the user id (its canonical lower-case form) and the key.
   */
  public Future<Boolean> tryLock(SqlClient tx, UUID userId, String key) {
    return tx.preparedQuery("SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0)) AS locked")
      .execute(Tuple.of(userId.toString(), key))
      .map(rows -> rows.iterator().next().getBoolean("locked"));
  }

  /** The unexpired record of (user, key), or {@code null}. */
  public Future<Stored> find(SqlClient client, UUID userId, String key) {
    return client.preparedQuery("SELECT request_hash, response FROM idempotency_key "
        + "WHERE user_id = $1 AND key = $2 AND expires_at > now()")
      .execute(Tuple.of(userId, key))
      .map(rows -> rows.size() == 0 ? null : new Stored(rows.iterator().next().getString("request_hash"),
        (JsonObject) rows.iterator().next().getValue("response")));
  }

  /** Stores the first response; an expired record of the same key is replaced. */
  public Future<Void> save(SqlClient tx, UUID userId, String key, String fingerprint, JsonObject response) {
    return tx.preparedQuery("INSERT INTO idempotency_key (user_id, key, request_hash, response, expires_at) "
        + "VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5)) "
        + "ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, "
        + "response = EXCLUDED.response, created_at = now(), expires_at = EXCLUDED.expires_at")
      .execute(Tuple.of(userId, key, fingerprint, response, RETENTION_HOURS))
      .mapEmpty();
  }
}
