package souk.it;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command, as a new user runs it: {@code ./run.sh}, then Ctrl-C (SIGTERM). */
class RunScriptIT {

  private static final Path ROOT = Path.of(System.getProperty("souk.root", "..")).toAbsolutePath().normalize();
  private static final Pattern STARTED = Pattern.compile("started (\\w+) \\(pid (\\d+)");

  @Test
  void without_postgresql_it_says_so_and_exits_1() throws Exception {
    Process run = start(Map.of("SOUK_PG_PORT", String.valueOf(SoukCluster.freePort())), "no-postgres");
    assertTrue(run.waitFor(5, TimeUnit.MINUTES), "run.sh exits by itself");
    assertEquals(1, run.exitValue());
    assertTrue(output("no-postgres").contains("PostgreSQL does not answer"), output("no-postgres"));
  }

  @Test
  void a_node_that_dies_while_starting_stops_the_others_and_exits_1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int clusterPort = 30_000 + ThreadLocalRandom.current().nextInt(1_000) * 20;
      Process run = start(Map.of(
        "SOUK_HTTP_PORT", String.valueOf(taken.getLocalPort()),
        "SOUK_CLUSTER_NAME", "run-script-dies-" + clusterPort,
        "SOUK_CLUSTER_PORT", String.valueOf(clusterPort),
        "SOUK_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort,
        "SOUK_MANAGEMENT_PORT", "0"), "dies");
      try {
        assertTrue(run.waitFor(5, TimeUnit.MINUTES), "run.sh exits by itself");
        assertEquals(1, run.exitValue());
        String out = output("dies");
        assertTrue(out.contains("gateway exited while starting"), SoukCluster.tail(out));
        for (long pid : STARTED.matcher(out).results().map(m -> Long.parseLong(m.group(2))).toList()) {
          assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node " + pid + " left behind");
        }
      } finally {
        run.destroyForcibly();
        killNodes(output("dies"));
      }
    }
  }

  @Test
  void it_starts_every_node_until_ready_and_stops_them_all_on_sigterm() throws Exception {
    int httpPort = SoukCluster.freePort();
    int clusterPort = 30_000 + ThreadLocalRandom.current().nextInt(1_000) * 20;
    // each service in a database of its own for this test, through run.sh's per-service setting
    List<String> databases = List.of("user", "order", "payment").stream()
      .map(kind -> "souk_run_it_" + kind + "_" + clusterPort).toList();
    Process run = start(Map.of(
      "SOUK_HTTP_PORT", String.valueOf(httpPort),
      "SOUK_CLUSTER_NAME", "run-script-it-" + clusterPort,
      "SOUK_CLUSTER_PORT", String.valueOf(clusterPort),
      "SOUK_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort + ",127.0.0.1:" + (clusterPort + 1),
      "SOUK_MANAGEMENT_PORT", "0",
      "SOUK_USER_PG_DATABASE", databases.get(0),
      "SOUK_ORDER_PG_DATABASE", databases.get(1),
      "SOUK_PAYMENT_PG_DATABASE", databases.get(2)), "run");
    try {
      awaitOutput("run", "Souk is ready", Duration.ofMinutes(5), run);
      String out = output("run");
      assertTrue(out.contains("http://127.0.0.1:" + httpPort + "/api/v1"), "prints the API URL");
      assertTrue(out.contains("[gateway] node started"), "readable node lines, named, on the console: " + out);
      assertFalse(out.contains("[gateway] {"), "no JSON on the console");
      List<Long> pids = STARTED.matcher(out).results().map(m -> Long.parseLong(m.group(2))).toList();
      assertEquals(4, pids.size(), out);
      STARTED.matcher(out).results().forEach(started -> {
        // a copy that a build, which rewrites target/*.jar in place, leaves alone while the node runs
        String node = started.group(1);
        List<String> arguments = ProcessHandle.of(Long.parseLong(started.group(2)))
          .flatMap(handle -> handle.info().arguments()).map(List::of).orElse(List.of());
        assertTrue(arguments.contains("var/run/" + node + ".jar"), node + " runs from its copy: " + arguments);
        String archive = "-XX:(SharedArchiveFile|ArchiveClassesAtExit)=var/run/" + node + "\\.jsa";
        assertTrue(arguments.stream().anyMatch(argument -> argument.matches(archive)), "its archive: " + arguments);
        assertEquals(size(node + "-verticle/target/" + node + "-verticle.jar"), size("var/run/" + node + ".jar"), node);
      });
      assertTrue(Files.readString(ROOT.resolve("var/log/gateway.log")).contains("\"message\":\"node started\""),
        "JSON lines go to var/log");
      assertEquals(databases.stream().sorted().toList(), sql("SELECT datname FROM pg_database "
        + "WHERE datname LIKE 'souk_run_it_%_" + clusterPort + "' ORDER BY datname"),
        "each service made the database it was given");

      run.destroy();
      assertTrue(run.waitFor(90, TimeUnit.SECONDS), "run.sh stops after its nodes");
      assertEquals(0, run.exitValue());
      assertTrue(output("run").contains("all nodes stopped"));
      for (long pid : pids) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node " + pid + " left behind");
      }
    } finally {
      run.destroyForcibly();
      killNodes(output("run"));
      for (String database : databases) {
        sql("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    }
  }

  private static long size(String file) {
    try {
      return Files.size(ROOT.resolve(file));
    } catch (IOException e) {
      throw new AssertionError(file, e);
    }
  }

  /** The first column of what {@code statement} answers on the PostgreSQL the nodes use. */
  private static List<String> sql(String statement) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnection conn = PgConnection.connect(vertx, TestPostgres.options("postgres")).await(10, TimeUnit.SECONDS);
      try {
        List<String> column = new ArrayList<>();
        conn.query(statement).execute().await(30, TimeUnit.SECONDS).forEach(row -> column.add(row.getString(0)));
        return column;
      } finally {
        conn.close();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Process start(Map<String, String> env, String name) throws IOException {
    Path log = logFile(name);
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder("bash", "run.sh").directory(ROOT.toFile())
      .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static void awaitOutput(String name, String text, Duration timeout, Process run) throws Exception {
    Eventually.await("run.sh printing '" + text + "'", timeout, Duration.ofMillis(500), () -> {
      String out = output(name);
      if (!out.contains(text) && !run.isAlive()) {
        throw new AssertionError("run.sh exited " + run.exitValue() + ":\n" + SoukCluster.tail(out));
      }
      return out;
    }, out -> out.contains(text));
  }

  private static String output(String name) throws IOException {
    Path log = logFile(name);
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static Path logFile(String name) {
    return ROOT.resolve("system-tests/target/it-logs/RunScriptIT/" + name + ".out");
  }

  // a failed assertion must not leave JVMs behind for the next test
  private static void killNodes(String out) {
    Matcher started = STARTED.matcher(out);
    while (started.find()) {
      ProcessHandle.of(Long.parseLong(started.group(2))).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
