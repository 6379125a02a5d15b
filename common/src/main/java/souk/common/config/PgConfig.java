package souk.common.config;

import io.vertx.core.json.JsonObject;

import java.util.Map;

import static souk.common.config.ConfigLoader.positive;

/**
 * PostgreSQL connection and pool limits of one service.
 *
 * @param host               {@code SOUK_PG_HOST}, default localhost
 * @param port               {@code SOUK_PG_PORT}, default 5432
 * @param user               {@code SOUK_PG_USER}, default postgres
 * @param password           {@code SOUK_PG_PASSWORD}, default empty
 * @param database           the service's own database, created when missing
 * @param poolSize           connections per pool (per verticle instance)
 * @param waitQueueSize      requests that may wait for a connection before new ones fail at once
 * @param connectTimeoutMs   TCP connect timeout, milliseconds
 * @param idleTimeoutSeconds an idle connection is closed after this many seconds
 * @param acquireTimeoutMs   a request waiting this long for a connection fails, milliseconds
 * @param idleInTransactionSeconds the database ends a session left this long inside a transaction, its locks with it
 *                           (a node frozen or cut off mid-transaction); longer than any transaction waits on purpose
 *                           (the relay's send, a charge's processor)
 */
public record PgConfig(String host, int port, String user, String password, String database, int poolSize,
                       int waitQueueSize, int connectTimeoutMs, int idleTimeoutSeconds, int acquireTimeoutMs,
                       int idleInTransactionSeconds) {

  /** Every number at least 1: 0 or less would turn a bound off (an unbounded wait queue, no idle limit). */
  public static PgConfig from(JsonObject json) {
    return new PgConfig(
      json.getString("pgHost"),
      ConfigLoader.intIn(json, "pgPort", 1, 65_535),
      json.getString("pgUser"),
      json.getString("pgPassword"),
      json.getString("pgDatabase"),
      positive(json, "pgPoolSize"),
      positive(json, "pgWaitQueueSize"),
      positive(json, "pgConnectTimeoutMs"),
      positive(json, "pgIdleTimeoutSeconds"),
      positive(json, "pgAcquireTimeoutMs"),
      // PostgreSQL takes at most 2^31-1 milliseconds
      ConfigLoader.intIn(json, "pgIdleInTransactionSeconds", 1, 2_147_483));
  }

  /**
   * The connection and pool settings of {@code souk-defaults.json}, with {@code SOUK_PG_*} variables from {@code env}
   * on top, for {@code database}: how a tool or a test reaches the PostgreSQL a node would.
   */
  public static PgConfig of(String database, Map<String, String> env) {
    return from(ConfigLoader.load(env, "souk-defaults.json").put("pgDatabase", database));
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }
}
