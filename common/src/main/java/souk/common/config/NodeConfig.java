package souk.common.config;

import io.vertx.core.json.JsonObject;
import souk.common.log.AccessLogMode;

import java.util.Arrays;
import java.util.List;

/**
 * What every node needs to join the cluster and report on itself.
 *
 * @param service          the service name this node runs, e.g. {@code user-service}
 * @param clusterName    name of the cluster to join; nodes of another name never join it ({@code SOUK_CLUSTER_NAME}, default souk)
 * @param clusterHost      the address Hazelcast and the event bus bind to ({@code SOUK_CLUSTER_HOST}, default 127.0.0.1)
 * @param clusterPort      first Hazelcast port tried; the next 19 are tried when it is taken (default 5701)
 * @param clusterMembers   hosts or host:port entries to join ({@code SOUK_CLUSTER_MEMBERS}, comma-separated)
 * @param clusterConfig    path of a Hazelcast XML file replacing the packaged {@code cluster.xml}; empty for the packaged one
 * @param managementPort   port of {@code /health}, {@code /ready}, {@code /metrics} on service nodes; 0 picks a free port
 * @param shutdownSeconds  how long a stopping node waits for work in flight before it leaves anyway
 * @param accessLog        which requests get a log line of their own ({@code SOUK_ACCESS_LOG}, default errors)
 * @param clusterTls       mutual TLS on the event bus ({@code SOUK_CLUSTER_TLS_*}); off when unset
 * @param clusterInsecure  allows a non-loopback cluster host without cluster TLS ({@code SOUK_CLUSTER_INSECURE},
 *                         isolated test networks only; default false)
 * @param eventLoops       event-loop threads of this node ({@code SOUK_EVENT_LOOPS}); 0, the default, means one per
 *                         core: more only add hand-offs between threads on the request path
 * @param eventLoopPollMicros how long an event loop that runs out of work polls for more before it sleeps, at most
 *                         ({@code SOUK_EVENT_LOOP_POLL_MICROS}, default 50); 0 turns polling off
 */
public record NodeConfig(String service, String clusterName, String clusterHost, int clusterPort, List<String> clusterMembers,
                         String clusterConfig, int managementPort, int shutdownSeconds, AccessLogMode accessLog,
                         ClusterTls clusterTls, boolean clusterInsecure, int eventLoops, int eventLoopPollMicros) {

  /** {@link #eventLoopPollMicros} unless configured. */
  public static final int DEFAULT_POLL_MICROS = 50;

  /**
   * PEM files for mutual TLS on the event bus: this node's certificate and key, and the CA that signs every node's.
   * Empty strings when not configured.
   */
  public record ClusterTls(String cert, String key, String ca) {
    public static final ClusterTls NONE = new ClusterTls("", "", "");

    public boolean enabled() {
      return !cert.isBlank() && !key.isBlank() && !ca.isBlank();
    }

    /** Some of the three set, not all. */
    public boolean partial() {
      return !enabled() && !(cert.isBlank() && key.isBlank() && ca.isBlank());
    }
  }

  /** A node on loopback without cluster TLS, for tests that join a cluster as a plain member. */
  public static NodeConfig member(String name, String clusterName, String host, int port, List<String> members) {
    return new NodeConfig(name, clusterName, host, port, members, "", 0, 5, AccessLogMode.ERRORS, ClusterTls.NONE,
      false, 0, DEFAULT_POLL_MICROS);
  }

  public static NodeConfig from(String service, JsonObject json) {
    return new NodeConfig(
      service,
      json.getString("clusterName"),
      json.getString("clusterHost"),
      ConfigLoader.intIn(json, "clusterPort", 1, 65_535),
      splitList(json.getString("clusterMembers")),
      json.getString("clusterConfig", ""),
      ConfigLoader.intIn(json, "managementPort", 0, 65_535, 0),
      // at least a second to drain: less stops a node with its requests unanswered
      ConfigLoader.intIn(json, "shutdownSeconds", 1, 3_600),
      AccessLogMode.parse(json.getString("accessLog", "errors")),
      new ClusterTls(json.getString("clusterTlsCert", ""), json.getString("clusterTlsKey", ""),
        json.getString("clusterTlsCa", "")),
      json.getBoolean("clusterInsecure", false),
      ConfigLoader.intIn(json, "eventLoops", 0, 1_024, 0),
      ConfigLoader.intIn(json, "eventLoopPollMicros", 0, 1_000, DEFAULT_POLL_MICROS));
  }

  /** The event-loop threads to start: {@link #eventLoops}, or one per core when it is 0. */
  public int eventLoopThreads() {
    return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
  }

  /** {@code "a, b,,c"} → {@code [a, b, c]}: a comma-separated setting as a list. */
  public static List<String> splitList(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
