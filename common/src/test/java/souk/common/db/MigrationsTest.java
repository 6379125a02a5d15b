package souk.common.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import souk.common.config.PgConfig;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which scripts a node carries, and when a database already has them all, against a real PostgreSQL. */
class MigrationsTest {

  private final PgConfig pg = PgConfig.of(
    "souk_test_migrations_" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36), System.getenv());
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void dropDatabase() throws Exception {
    PgConnection conn = PgConnection.connect(vertx, Databases.connectOptions(pg, "postgres"))
      .await(10, TimeUnit.SECONDS);
    try {
      conn.query("DROP DATABASE IF EXISTS " + pg.database() + " WITH (FORCE)").execute().await(30, TimeUnit.SECONDS);
    } finally {
      conn.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void the_scripts_of_a_folder_on_the_class_path_are_listed() {
    Map<String, Set<String>> scripts = Migrations.packaged(getClass().getClassLoader());
    assertTrue(scripts.get("db/common").containsAll(Set.of("V1__outbox.sql", "V2__outbox_dead_letter.sql")),
      scripts.toString());
    assertEquals(Set.of("V1__migrations_test_marker.sql"), scripts.get("db/migration"));
  }

  @Test
  void the_scripts_in_a_jar_are_listed_and_nothing_else(@TempDir Path dir) throws Exception {
    Path jar = jar(dir.resolve("node.jar"), "db/", "db/common/", "db/common/V1__outbox.sql", "db/common/V2__more.sql",
      "db/common/README.md", "db/common/old/", "db/common/old/V9__elsewhere.sql", "db/migration/",
      "db/migration/V1__orders.sql", "db/migrationx/", "db/migrationx/V7__not_it.sql");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      assertEquals(Map.of("db/common", Set.of("V1__outbox.sql", "V2__more.sql"),
        "db/migration", Set.of("V1__orders.sql")), Migrations.packaged(loader));
    }
  }

  @Test
  void scripts_that_cannot_be_found_are_not_taken_for_none(@TempDir Path dir) throws Exception {
    // no folder entries: the class loader finds no "db/common", though the scripts are there
    Path hidden = jar(dir.resolve("hidden.jar"), "db/common/V1__outbox.sql", "db/migration/V1__orders.sql");
    Path empty = jar(dir.resolve("empty.jar"), "db/", "db/common/", "db/migration/", "db/migration/V1__orders.sql");
    for (Path jar : new Path[] {hidden, empty}) {
      try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
        assertNull(Migrations.packaged(loader), jar.getFileName().toString());
      }
    }
  }

  private static Path jar(Path jar, String... entries) throws Exception {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String name : entries) {
        out.putNextEntry(new JarEntry(name));
        if (!name.endsWith("/")) {
          out.write("SELECT 1;".getBytes(StandardCharsets.UTF_8));
        }
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void a_new_database_is_migrated_and_then_found_up_to_date_until_a_script_is_missing() throws Exception {
    Map<String, Set<String>> scripts = Migrations.packaged(getClass().getClassLoader());
    Databases.ensureDatabase(vertx, pg).await(30, TimeUnit.SECONDS);
    var options = Databases.connectOptions(pg, pg.database());
    assertFalse(Migrations.allApplied(vertx, options, scripts).await(10, TimeUnit.SECONDS),
      "no history table yet");

    Pool pool = Databases.prepare(vertx, pg).await(60, TimeUnit.SECONDS);
    assertTrue(Migrations.allApplied(vertx, options, scripts).await(10, TimeUnit.SECONDS));
    // a second start finds nothing to do and leaves the schema as it is
    Databases.prepare(vertx, pg).await(60, TimeUnit.SECONDS).close();

    pool.query("DELETE FROM souk_common_schema_history WHERE script = 'V2__outbox_dead_letter.sql'").execute()
      .await(10, TimeUnit.SECONDS);
    assertFalse(Migrations.allApplied(vertx, options, scripts).await(10, TimeUnit.SECONDS),
      "a script the database lacks");
    pool.query("INSERT INTO souk_common_schema_history SELECT installed_rank + 100, '99', 'broken', 'SQL', "
      + "'V99__broken.sql', 0, installed_by, installed_on, 0, false FROM souk_common_schema_history LIMIT 1")
      .execute().await(10, TimeUnit.SECONDS);
    Map<String, Set<String>> withoutTheMissing = Map.of("db/common", Set.of("V1__outbox.sql"));
    assertFalse(Migrations.allApplied(vertx, options, withoutTheMissing).await(10, TimeUnit.SECONDS),
      "a failed entry in the history");
    assertFalse(Migrations.allApplied(vertx, options, null).await(10, TimeUnit.SECONDS), "scripts not listable");
    pool.close().await(10, TimeUnit.SECONDS);
  }
}
