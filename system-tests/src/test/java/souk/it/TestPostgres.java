package souk.it;

import io.vertx.pgclient.PgConnectOptions;

/**
 * The PostgreSQL the test JVM was given ({@code SOUK_PG_*} in its environment, else the nodes' defaults): where
 * tests that start no {@link SoukCluster} of their own find the databases.
 */
final class TestPostgres {

  private TestPostgres() {
  }

  /** {@code name} from the test JVM's environment, or {@code fallback} when it is unset or empty. */
  static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  static PgConnectOptions options(String database) {
    return new PgConnectOptions().setHost(env("SOUK_PG_HOST", "localhost"))
      .setPort(Integer.parseInt(env("SOUK_PG_PORT", "5432"))).setUser(env("SOUK_PG_USER", "postgres"))
      .setPassword(env("SOUK_PG_PASSWORD", "")).setDatabase(database);
  }
}
