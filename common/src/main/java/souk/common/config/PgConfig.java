package souk.common.config;

import io.vertx.core.json.JsonObject;

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
 */
public record PgConfig(String host, int port, String user, String password, String database, int poolSize,
                       int waitQueueSize, int connectTimeoutMs, int idleTimeoutSeconds, int acquireTimeoutMs) {

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
      json.getInteger("pgAcquireTimeoutMs"));
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }
}
