package souk.it;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import souk.common.config.NodeConfig;
import souk.common.node.HazelcastConfigs;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

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
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A throw-away Souk cluster of real node JVMs for one test class: its own cluster name and ports (so it never joins
 * another cluster on this host), its own databases (dropped on {@link #close()}), logs under
 * {@code system-tests/target/it-logs/<test class>/}. As a JUnit extension
 * ({@code @RegisterExtension static final SoukCluster cluster = new SoukCluster();}) it starts its nodes before the
 * class's tests, a couple of seconds apart, waits for {@code /ready}, and stops everything after them.
 */
public final class SoukCluster implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  public static final String GATEWAY = "gateway";
  public static final String USER = "user";
  public static final String ORDER = "order";
  public static final String PAYMENT = "payment";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Path root = Path.of(System.getProperty("souk.root", "..")).toAbsolutePath().normalize();
  private final String id = "it" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private final int clusterPort = 20_000 + ThreadLocalRandom.current().nextInt(2_000) * 20;
  private final List<String> layout;
  private List<Host> hosts = List.of(Host.LOCAL);
  private Function<String, Host> placement = kind -> Host.LOCAL;
  private Path logDir;
  private final int gatewayPort = freePort();
  private final Map<String, String> extraEnv = new HashMap<>();
  private DevCerts certs;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  // load tests send hundreds of requests at once: allow more than the default 5 connections
  private final WebClient client = WebClient.create(vertx, new WebClientOptions(),
    new PoolOptions().setHttp1MaxSize(32));
  private int started;

  /** One gateway, user, order and payment node. */
  public SoukCluster() {
    this(GATEWAY, USER, ORDER, PAYMENT);
  }

  /**
   * The nodes to start, in this order; the first must be the gateway. The gateway's rate limits are set high, since
   * most tests send many requests from one address or user; the tests of the limits set their own.
   */
  public SoukCluster(String... kinds) {
    this.layout = List.of(kinds);
    extraEnv.put("SOUK_RATE_LIMIT_RPS", "100000");
    extraEnv.put("SOUK_RATE_LIMIT_BURST", "100000");
    extraEnv.put("SOUK_LOGIN_RATE_LIMIT", "100000");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    logDir = root.resolve("system-tests/target/it-logs").resolve(context.getRequiredTestClass().getSimpleName());
    for (int i = 0; i < layout.size(); i++) {
      if (i > 0) {
        TimeUnit.SECONDS.sleep(2);
      }
      start(layout.get(i));
    }
    awaitReady(START_TIMEOUT);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  /** Sets an environment variable for every node started after this call. */
  public SoukCluster env(String name, String value) {
    extraEnv.put(name, value);
    return this;
  }

  /** The repository this cluster's jars and scripts come from. */
  public Path root() {
    return root;
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

  /** The first node of {@code kind} (gateway, user, order, payment) that is still running. */
  public NodeProcess node(String kind) {
    return nodes.stream().filter(n -> n.name().startsWith(kind + "-") && n.isAlive()).findFirst()
      .orElseThrow(() -> new AssertionError("no running " + kind + " node"));
  }

  /** How many nodes of {@code service} answer the gateway's readiness ping now; 0 when the gateway cannot tell. */
  public int answering(String service) {
    try {
      JsonObject ready = get("/ready").bodyAsJsonObject();
      for (Object check : ready.getJsonArray("checks")) {
        JsonObject c = (JsonObject) check;
        if (service.equals(c.getString("id"))) {
          return c.getJsonObject("data", new JsonObject()).getJsonArray("answered", new JsonArray()).size();
        }
      }
      return 0;
    } catch (Exception gatewayNotReady) {
      return 0;
    }
  }

  /**
   * Where nodes run: a network address and the command prefix that runs a process there ({@code ip netns exec ...}
   * for a host of its own, nothing for this host).
   */
  public record Host(String ip, List<String> prefix) {
    public static final Host LOCAL = new Host("127.0.0.1", List.of());
  }

  /**
   * Places each kind of node on a host; {@code hosts} are the members every node tries to join. By default every
   * node runs here, on loopback.
   */
  public SoukCluster placing(List<Host> hosts, Function<String, Host> placement) {
    this.hosts = List.copyOf(hosts);
    this.placement = placement;
    return this;
  }

  /**
   * Places each kind of node on one of {@code network}'s hosts, every node reaching PostgreSQL at {@code postgres} over
   * that network.
   */
  public SoukCluster across(NetworkHosts network, PrivatePostgres postgres, Function<String, Host> placement) {
    return placing(network.hosts(), placement)
      .env("SOUK_PG_HOST", network.bridgeIp())
      .env("SOUK_PG_PORT", String.valueOf(postgres.port()))
      .withClusterTls()
      .env("SOUK_JWT_SECRET", "a secret for tests across hosts, 32+ bytes long");
  }

  /** Mutual TLS on the event bus for every node started after this call, with certificates made for this cluster. */
  public SoukCluster withClusterTls() {
    DevCerts certs = DevCerts.create(root, id);
    // one certificate for every node: what matters is that the cluster's CA signed it
    extraEnv.putAll(certs.env("user"));
    this.certs = certs;
    return this;
  }

  /** The certificates of {@link #withClusterTls()}, or {@code null}. */
  DevCerts certs() {
    return certs;
  }

  /** The address the gateway's HTTP API answers on. */
  public String gatewayHost() {
    return placement.apply(GATEWAY).ip();
  }

  /** Starts one node of {@code kind} (gateway, user, order, payment) on its host and returns at once. */
  public NodeProcess start(String kind) throws IOException {
    return start(kind, placement.apply(kind));
  }

  /** Starts one node of {@code kind} on {@code host}, whatever the placement says. */
  public NodeProcess start(String kind, Host host) throws IOException {
    return start(kind, host, Map.of());
  }

  /** Starts one node of {@code kind} on {@code host} with {@code overrides} on top of its usual environment. */
  public NodeProcess start(String kind, Host host, Map<String, String> overrides) throws IOException {
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("SOUK_CLUSTER_NAME", id);
    env.put("SOUK_CLUSTER_HOST", host.ip());
    env.put("SOUK_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("SOUK_CLUSTER_MEMBERS", members());
    // any free port, which the node reports once it serves: a port picked here could be taken before the node binds
    env.put("SOUK_MANAGEMENT_PORT", "0");
    env.put("SOUK_HTTP_HOST", host.ip());
    env.put("SOUK_HTTP_PORT", String.valueOf(gatewayPort));
    if (!kind.equals(GATEWAY)) {
      env.put("SOUK_PG_DATABASE", database(kind));
    }
    env.putAll(overrides);
    String name = kind + "-" + (++started);
    NodeProcess node = NodeProcess.start(name, host.prefix(),
      root.resolve(kind + "-verticle/target/" + kind + "-verticle.jar"), env, logDir);
    nodes.add(node);
    return node;
  }

  // on one host the first nodes take consecutive ports; on several, each host's first port
  private String members() {
    if (hosts.size() == 1) {
      String ip = hosts.get(0).ip();
      return ip + ":" + clusterPort + "," + ip + ":" + (clusterPort + 1) + "," + ip + ":" + (clusterPort + 2);
    }
    return String.join(",", hosts.stream().map(h -> h.ip() + ":" + clusterPort).toList());
  }

  public void awaitReady(Duration timeout) throws Exception {
    awaitStatus("/ready", code -> code == 200, timeout);
  }

  /** Polls {@code path} on the gateway until its status satisfies {@code expected}; returns the last body. */
  public JsonObject awaitStatus(String path, Predicate<Integer> expected, Duration timeout) throws Exception {
    return Eventually.await("gateway " + path + " reaching the expected status", timeout, () -> {
      assertNodesAlive();
      return get(path);
    }, response -> expected.test(response.statusCode())).bodyAsJsonObject();
  }

  public HttpResponse<Buffer> get(String path) throws Exception {
    return client.get(gatewayPort, gatewayHost(), path).timeout(10_000).send()
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
  /** A connection to the database of {@code kind}; the caller closes it. */
  public PgConnection connect(String kind) throws Exception {
    return PgConnection.connect(vertx, pgOptions(database(kind))).await(10, TimeUnit.SECONDS);
  }

  /**
   * Joins this cluster as a member of its own (no verticle, no discovery record), to send or watch event-bus
   * messages the way nodes do; the caller closes the returned Vert.x. {@code offset} keeps members' ports apart.
   */
  public Vertx joinAsMember(String name, int offset) throws Exception {
    return joinAsMember(name, offset, new EventBusOptions());
  }

  /** Joins as a member whose event bus uses {@code eventBus} (TLS settings of its own, or none). */
  public Vertx joinAsMember(String name, int offset, EventBusOptions eventBus) throws Exception {
    // every address the nodes list, not the first node's alone: that node may be the one a test stopped
    NodeConfig member = NodeConfig.member(name, id, "127.0.0.1", clusterPort + 10 + offset,
      List.of(members().split(",")));
    HazelcastClusterManager manager = new HazelcastClusterManager(HazelcastConfigs.load(member));
    Vertx vertx = Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(eventBus.setHost("127.0.0.1").setPort(0)))
      .withClusterManager(manager)
      .buildClustered().await(60, TimeUnit.SECONDS);
    // on a loaded machine a member that does not reach the cluster in time starts a cluster of its own, and merges
    // into the real one seconds later: a test must not use it before then
    try {
      Eventually.until(name + " sees the cluster's nodes", Duration.ofSeconds(30), () -> manager.getNodes().size() > 1);
    } catch (AssertionError | Exception alone) {
      vertx.close().await(30, TimeUnit.SECONDS);
      throw alone;
    }
    return vertx;
  }

  public RowSet<Row> sql(String kind, String statement, Object... params) throws Exception {
    PgConnection conn = connect(kind);
    try {
      return conn.preparedQuery(statement).execute(Tuple.wrap(params)).await(30, TimeUnit.SECONDS);
    } finally {
      conn.close();
    }
  }

  /** The single number a {@code SELECT count(*) ...} answers. */
  public long count(String kind, String statement, Object... params) throws Exception {
    return sql(kind, statement, params).iterator().next().getLong(0);
  }

  private PgConnectOptions pgOptions(String database) {
    return new PgConnectOptions().setHost(pgEnv("SOUK_PG_HOST", "localhost"))
      .setPort(Integer.parseInt(pgEnv("SOUK_PG_PORT", "5432"))).setUser(pgEnv("SOUK_PG_USER", "postgres"))
      .setPassword(pgEnv("SOUK_PG_PASSWORD", "")).setDatabase(database);
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

  // the nodes' PostgreSQL: what this cluster was told, else what the test JVM was given, else the default
  private String pgEnv(String name, String fallback) {
    String value = extraEnv.getOrDefault(name, System.getenv(name));
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
