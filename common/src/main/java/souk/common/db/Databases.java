package souk.common.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.config.PgConfig;

import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * A service's database: created when missing, migrated from SQL files, then reached through a bounded pool.
 *
 * <p>Migrations come from two classpath folders, each with its own history table: {@code db/common} (the outbox and
 * the processed-message log every service shares) and {@code db/migration} (the service's own schema). Flyway runs
 * only when the database lacks one of the scripts the node carries.
 */
public final class Databases {

  private static final Logger LOG = LoggerFactory.getLogger(Databases.class);
  private static final Pattern SAFE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String DUPLICATE_DATABASE = "42P04";
  private static final String UNIQUE_VIOLATION = "23505";
  /** Connections of a {@link #pipelined} client: two keep PostgreSQL's work on two backends. */
  private static final int PIPELINED_CONNECTIONS = 2;
  /** Statements in flight per pipelined connection; more wait in the client's queue. */
  private static final int PIPELINING_LIMIT = 64;

  private Databases() {
  }

  /**
   * Creates the database if missing, runs the migrations off the event loop unless the database already has every
   * script this node carries ({@link Migrations}), and returns the service's pool.
   */
  public static Future<Pool> prepare(Vertx vertx, PgConfig config) {
    return ensureDatabase(vertx, config)
      .compose(v -> vertx.executeBlocking(() -> Migrations.packaged(Databases.class.getClassLoader()), false))
      .compose(scripts -> Migrations.allApplied(vertx, connectOptions(config, config.database()), scripts))
      .compose(upToDate -> {
        if (upToDate) {
          LOG.info("schema up to date", kv("database", config.database()));
          return Future.<Void>succeededFuture();
        }
        return vertx.executeBlocking(() -> migrate(config), false);
      })
      .map(v -> pool(vertx, config));
  }

  public static Pool pool(Vertx vertx, PgConfig config) {
    return PgBuilder.pool()
      .with(poolOptions(config, "pg-" + config.database(), config.poolSize()))
      .with(new NetClientOptions().setConnectTimeout(config.connectTimeoutMs()))
      .connectingTo(connectOptions(config, config.database()))
      .using(vertx)
      .build();
  }

  /**
   * A client for single statements outside any transaction, such as lookups by key: it sends statements on a few
   * connections without waiting for the previous answer (pipelining); those sent in one turn of the event loop leave
   * in one write per connection (the node's transport merges the flushes), so a burst of lookups costs PostgreSQL
   * and this node one wake-up per connection instead of one per statement. Never use it for work that must run in
   * one transaction: that goes through {@link #pool}.
   */
  public static SqlClient pipelined(Vertx vertx, PgConfig config) {
    return PgBuilder.client()
      .with(poolOptions(config, "pg-" + config.database() + "-pipelined", PIPELINED_CONNECTIONS))
      .with(new NetClientOptions().setConnectTimeout(config.connectTimeoutMs()))
      .connectingTo(connectOptions(config, config.database()).setPipeliningLimit(PIPELINING_LIMIT))
      .using(vertx)
      .build();
  }

  private static PoolOptions poolOptions(PgConfig config, String name, int size) {
    return new PoolOptions()
      .setName(name)
      .setMaxSize(size)
      .setMaxWaitQueueSize(config.waitQueueSize())
      .setConnectionTimeout(config.acquireTimeoutMs())
      .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
      .setIdleTimeout(config.idleTimeoutSeconds())
      .setIdleTimeoutUnit(TimeUnit.SECONDS)
      .setShared(true);
  }

  /** How this node reaches {@code database} on the configured server, prepared statements cached. */
  public static PgConnectOptions connectOptions(PgConfig config, String database) {
    return new PgConnectOptions()
      .setHost(config.host())
      .setPort(config.port())
      .setUser(config.user())
      .setPassword(config.password())
      .setDatabase(database)
      .setCachePreparedStatements(true)
      // a session that sits inside a transaction this long is ended by the server: a node frozen or cut off while it
      // held row locks would otherwise hold them, and stall every other node's work on those rows, until TCP gives up
      .addProperty("idle_in_transaction_session_timeout", config.idleInTransactionSeconds() + "s");
  }

  static Future<Void> ensureDatabase(Vertx vertx, PgConfig config) {
    String name = config.database();
    if (!SAFE_NAME.matcher(name).matches()) {
      return Future.failedFuture(new IllegalArgumentException("database name must match " + SAFE_NAME + ": " + name));
    }
    return PgConnection.connect(vertx, connectOptions(config, "postgres"))
      .compose(conn -> conn.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(name))
        .compose(rows -> rows.size() > 0
          ? Future.<Void>succeededFuture()
          // CREATE DATABASE takes no parameters; the name was checked against SAFE_NAME above
          : conn.query("CREATE DATABASE " + name).execute()
            .<Void>mapEmpty()
            .onSuccess(v -> LOG.info("created database", kv("database", name)))
            .recover(Databases::ignoreConcurrentCreate))
        .eventually(conn::close));
  }

  // two nodes of one service starting together may both see the database missing
  private static Future<Void> ignoreConcurrentCreate(Throwable failure) {
    if (failure instanceof PgException e
      && (DUPLICATE_DATABASE.equals(e.getSqlState()) || UNIQUE_VIOLATION.equals(e.getSqlState()))) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(failure);
  }

  private static Void migrate(PgConfig config) {
    Migrations.LOCATIONS.forEach((location, historyTable) -> migrate(config, location, historyTable));
    return null;
  }

  private static void migrate(PgConfig config, String location, String historyTable) {
    var result = Flyway.configure(Databases.class.getClassLoader())
      .dataSource(config.jdbcUrl(), config.user(), config.password())
      .locations("classpath:" + location)
      .table(historyTable)
      .baselineOnMigrate(true)
      .baselineVersion("0")
      .connectRetries(3)
      .load()
      .migrate();
    LOG.info("migrated", kv("database", config.database()), kv("location", location),
      kv("applied", result.migrationsExecuted));
  }
}
