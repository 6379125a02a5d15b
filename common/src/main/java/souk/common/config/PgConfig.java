package souk.common.config;

import io.vertx.core.json.JsonObject;

import java.util.Map;

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
 */
public record PgConfig(String host, int port, String user, String password, String database, int poolSize,
                       int waitQueueSize, int connectTimeoutMs, int idleTimeoutSeconds, int acquireTimeoutMs,
                       int idleInTransactionSeconds) {

  public static PgConfig from(JsonObject json) {
    return new PgConfig(
      json.getString("pgHost"),
      json.getInteger("pgPort"),
      json.getString("pgUser"),
      json.getString("pgPassword"),
      json.getString("pgDatabase"),
      json.getInteger("pgPoolSize"),
      json.getInteger("pgWaitQueueSize"),
      json.getInteger("pgConnectTimeoutMs"),
      json.getInteger("pgIdleTimeoutSeconds"),
      json.getInteger("pgAcquireTimeoutMs"),
      json.getInteger("pgIdleInTransactionSeconds"));
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
