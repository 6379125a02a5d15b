package souk.common.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The versioned SQL scripts a node carries, and whether a database has already applied every one of them. A node
 * restarted against an up-to-date database then starts without Flyway, which scans the node's jar and loads a few
 * hundred classes only to find nothing to do. Anything else (a new script, a history table missing, a failed entry,
 * a location that cannot be listed) goes to Flyway as before, which also validates what was applied.
 */
final class Migrations {

  /** Classpath location and its history table, in the order they are migrated. */
  static final Map<String, String> LOCATIONS = locations();
  private static final String UNDEFINED_TABLE = "42P01";

  private Migrations() {
  }

  private static Map<String, String> locations() {
    Map<String, String> locations = new LinkedHashMap<>();
    locations.put("db/common", "souk_common_schema_history");
    locations.put("db/migration", "flyway_schema_history");
    return Collections.unmodifiableMap(locations);
  }

  /**
   * Per location, the file names of the versioned scripts ({@code V<n>__<what>.sql}) found in every jar and folder
   * of the class path; {@code null} when a location is in a place this cannot list or none is found. Blocking: reads
   * jar directories.
   */
  static Map<String, Set<String>> packaged(ClassLoader loader) {
    Map<String, Set<String>> scripts = new LinkedHashMap<>();
    try {
      for (String location : LOCATIONS.keySet()) {
        Set<String> names = new HashSet<>();
        for (URL url : Collections.list(loader.getResources(location))) {
          if (!list(url, location, names)) {
            return null;
          }
        }
        // nothing found is not "nothing to apply": a jar without folder entries hides its scripts from this search
        if (names.isEmpty()) {
          return null;
        }
        scripts.put(location, names);
      }
      return scripts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean list(URL url, String location, Set<String> names) throws IOException {
    switch (url.getProtocol()) {
      case "file" -> {
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
          files.map(file -> file.getFileName().toString()).filter(Migrations::versioned).forEach(names::add);
        } catch (URISyntaxException e) {
          return false;
        }
        return true;
      }
      case "jar" -> {
        JarURLConnection connection = (JarURLConnection) url.openConnection();
        // a JarFile of our own, closed here; the class loader's stays open
        connection.setUseCaches(false);
        String prefix = location + "/";
        try (JarFile jar = connection.getJarFile()) {
          for (JarEntry entry : Collections.list(jar.entries())) {
            String name = entry.getName();
            if (name.startsWith(prefix) && name.indexOf('/', prefix.length()) < 0
              && versioned(name.substring(prefix.length()))) {
              names.add(name.substring(prefix.length()));
            }
          }
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  static boolean versioned(String fileName) {
    return fileName.startsWith("V") && fileName.contains("__") && fileName.endsWith(".sql");
  }

  /**
   * Whether every packaged script is recorded as applied, successfully, in its location's history table. A missing
   * history table (a new database) is a no.
   */
  static Future<Boolean> allApplied(Vertx vertx, PgConnectOptions database, Map<String, Set<String>> packaged) {
    if (packaged == null) {
      return Future.succeededFuture(false);
    }
    return PgConnection.connect(vertx, database).compose(conn -> {
      List<Future<Boolean>> checks = new ArrayList<>();
      packaged.forEach((location, scripts) -> checks.add(
        // the table name is one of LOCATIONS' constants, never input
        conn.query("SELECT script, success FROM " + LOCATIONS.get(location)).execute()
          .map(rows -> {
            Set<String> applied = new HashSet<>();
            for (Row row : rows) {
              if (!row.getBoolean("success")) {
                return false;
              }
              applied.add(row.getString("script"));
            }
            return applied.containsAll(scripts);
          })
          .recover(failure -> failure instanceof PgException e && UNDEFINED_TABLE.equals(e.getSqlState())
            ? Future.succeededFuture(false) : Future.failedFuture(failure))));
      return Future.all(checks)
        .map(all -> checks.stream().allMatch(Future::result))
        .eventually(conn::close);
    });
  }
}
