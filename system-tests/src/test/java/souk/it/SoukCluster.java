package souk.it;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A throw-away Souk cluster of real node JVMs for one test class: its own cluster name and ports (so it never joins
 * another cluster on this host), its own databases (dropped on {@link #close()}), logs under
 * {@code system-tests/target/it-logs/<test>/}.
 */
public final class SoukCluster implements AutoCloseable {

  public static final String GATEWAY = "gateway";
  public static final String USER = "user";
  public static final String ORDER = "order";
  public static final String PAYMENT = "payment";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path root = Path.of(System.getProperty("souk.root", "..")).toAbsolutePath().normalize();
  private final String id = "it" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private final int clusterPort = 20_000 + ThreadLocalRandom.current().nextInt(2_000) * 20;
  private final Path logDir;
  private final int gatewayPort = freePort();
  private final Map<String, String> extraEnv = new HashMap<>();
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private final WebClient client = WebClient.create(vertx);
  private int started;

  public SoukCluster(String testName) {
    this.logDir = root.resolve("system-tests/target/it-logs").resolve(testName);
  }

  /** Sets an environment variable for every node started after this call. */
  public SoukCluster env(String name, String value) {
    extraEnv.put(name, value);
    return this;
  }

  public String clusterName() {
    return id;
  }

  public int clusterPort() {
    return clusterPort;
  }

  public int gatewayPort() {
    return gatewayPort;
  }

  public String database(String kind) {
    return "souk_" + kind + "_" + id;
  }

  public WebClient client() {
    return client;
  }

  public Vertx vertx() {
    return vertx;
  }

  public List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  /** Starts one node of {@code kind} (gateway, user, order, payment) and returns at once. */
  public NodeProcess start(String kind) throws IOException {
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("SOUK_CLUSTER_NAME", id);
    env.put("SOUK_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("SOUK_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort + ",127.0.0.1:" + (clusterPort + 1)
      + ",127.0.0.1:" + (clusterPort + 2));
    int managementPort = freePort();
    env.put("SOUK_MANAGEMENT_PORT", String.valueOf(managementPort));
    env.put("SOUK_HTTP_PORT", String.valueOf(gatewayPort));
    if (!kind.equals(GATEWAY)) {
      env.put("SOUK_PG_DATABASE", database(kind));
    }
    String name = kind + "-" + (++started);
    NodeProcess node = NodeProcess.start(name, root.resolve(kind + "-verticle/target/" + kind + "-verticle.jar"),
      env, logDir, managementPort);
    nodes.add(node);
    return node;
  }

  /** Starts a gateway and one node of each service, a few seconds apart (two cores), and waits for /ready. */
  public SoukCluster startAll() throws Exception {
    start(GATEWAY);
    for (String kind : List.of(USER, ORDER, PAYMENT)) {
      TimeUnit.SECONDS.sleep(2);
      start(kind);
    }
    awaitReady(START_TIMEOUT);
    return this;
  }

  public void awaitReady(Duration timeout) throws Exception {
    awaitStatus("/ready", code -> code == 200, timeout);
  }

  /** Polls {@code path} on the gateway until its status satisfies {@code expected}; returns the last body. */
  public JsonObject awaitStatus(String path, Predicate<Integer> expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<Buffer> last = null;
    while (System.nanoTime() < deadline) {
      assertNodesAlive();
      try {
        last = get(path);
        if (expected.test(last.statusCode())) {
          return last.bodyAsJsonObject();
        }
      } catch (Exception notYet) {
        // the gateway is not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    throw new AssertionError("gateway " + path + " never reached the expected status; last: "
      + (last == null ? "no answer" : last.statusCode() + " " + last.bodyAsString()));
  }

  public HttpResponse<Buffer> get(String path) throws Exception {
    return client.get(gatewayPort, "127.0.0.1", path).timeout(10_000).send()
      .await(15, TimeUnit.SECONDS);
  }

  private void assertNodesAlive() {
    for (NodeProcess node : nodes) {
      if (!node.isAlive() && !node.stoppedOnPurpose()) {
        throw new AssertionError(node.name() + " exited early; its log:\n" + tail(node.log()));
      }
    }
  }

  static String tail(String log) {
    return log.length() <= 4_000 ? log : log.substring(log.length() - 4_000);
  }

  @Override
  public void close() throws Exception {
    for (NodeProcess node : nodes) {
      if (node.isAlive()) {
        node.stop();
      }
    }
    dropDatabases();
    client.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs one statement on the database of {@code kind} (user, order, payment), for set-up and audits. */
  public RowSet<Row> sql(String kind, String statement, Tuple params) throws Exception {
    PgConnection conn = PgConnection.connect(vertx, pgOptions(database(kind))).await(10, TimeUnit.SECONDS);
    try {
      return conn.preparedQuery(statement).execute(params).await(30, TimeUnit.SECONDS);
    } finally {
      conn.close();
    }
  }

  private static PgConnectOptions pgOptions(String database) {
    return new PgConnectOptions().setHost(hostEnv("SOUK_PG_HOST", "localhost"))
      .setPort(Integer.parseInt(hostEnv("SOUK_PG_PORT", "5432"))).setUser(hostEnv("SOUK_PG_USER", "postgres"))
      .setPassword(hostEnv("SOUK_PG_PASSWORD", "")).setDatabase(database);
  }

  private void dropDatabases() throws Exception {
    PgConnection conn = PgConnection.connect(vertx, pgOptions("postgres")).await(10, TimeUnit.SECONDS);
    try {
      for (String kind : List.of(USER, ORDER, PAYMENT)) {
        conn.query("DROP DATABASE IF EXISTS " + database(kind).toLowerCase(Locale.ROOT) + " WITH (FORCE)").execute()
          .await(30, TimeUnit.SECONDS);
      }
    } finally {
      conn.close();
    }
  }

  private static String hostEnv(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
