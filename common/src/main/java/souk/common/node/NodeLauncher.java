package souk.common.node;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.cluster.ClusterView;
import souk.common.config.ConfigLoader;
import souk.common.config.NodeConfig;
import souk.common.trace.TraceIdsInLogs;
import souk.common.trace.Tracing;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Starts a clustered node: loads its configuration, joins the Hazelcast cluster, deploys the node's verticle, and
 * on SIGTERM or Ctrl-C undeploys it (the verticle unpublishes and drains) and leaves the cluster before the JVM exits.
 * A node that cannot start exits with status 1.
 */
public final class NodeLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(NodeLauncher.class);
  /** How long joining the cluster, and then deploying, may each take before the node gives up. */
  private static final long START_TIMEOUT_SECONDS = 120;

  private NodeLauncher() {
  }

  /**
   * @param service          the service name, e.g. {@code user-service}; also the log field {@code service}
   * @param defaultsResource the module's defaults file, merged over {@code souk-defaults.json}
   * @param verticle         builds the node's verticle from what the node knows
   */
  public static void run(String service, String defaultsResource, Function<Node, Deployable> verticle) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    logContext("service", service);
    logContext("pid", String.valueOf(ProcessHandle.current().pid()));
    long began = System.nanoTime();
    NodeConfig config;
    Vertx vertx;
    try {
      JsonObject raw = ConfigLoader.load(System.getenv(), "souk-defaults.json", defaultsResource);
      config = NodeConfig.from(service, raw);
      ClusterSecurity.check(config);
      if (ClusterSecurity.exposed(config)) {
        LOG.warn("INSECURE CLUSTER: the event bus on {} is neither encrypted nor authenticated "
          + "(SOUK_CLUSTER_INSECURE=true); any process that reaches it can act as any Souk node. Isolated test "
          + "networks only.", config.clusterHost());
      }
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      HazelcastClusterManager manager = new HazelcastClusterManager(
        HazelcastConfigs.load(config, ClusterJoin.from(raw)));
      VertxOptions options = new VertxOptions()
        .setEventLoopPoolSize(config.eventLoopThreads())
        .setMetricsOptions(metricsOptions())
        .setEventBusOptions(ClusterSecurity.eventBus(config));
      VertxBuilder builder = Vertx.builder();
      // with SOUK_OTEL_EXPORTER unset there is no tracer at all, and tracing costs nothing
      Tracing.start(service, raw).ifPresent(sdk -> {
        options.setTracingOptions(new TracingOptions());
        builder.withTracer(new OpenTelemetryTracingFactory(sdk));
        ((LoggerContext) LoggerFactory.getILoggerFactory()).addTurboFilter(new TraceIdsInLogs());
        LOG.info("tracing on", kv("exporter", raw.getString("otelExporter")));
      });
      // main is not an event loop: it may wait for the cluster and the deployment
      vertx = builder
        .with(options)
        .withTransport(transport(config))
        .withMetrics(new NodeMetrics(registry))
        .withClusterManager(manager)
        .buildClustered()
        .await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      ClusterView cluster = new ClusterView(manager, ClusterSecurity.exposed(config));
      logContext("node", cluster.nodeId());
      deploy(vertx, verticle.apply(new Node(config, raw, cluster, registry)));
      LOG.info("node started", kv("clusterSize", cluster.nodes().size()),
        kv("startMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)),
        kv("jvmUptimeMs", ManagementFactory.getRuntimeMXBean().getUptime()));
    } catch (Exception e) {
      exit(e);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, config), "souk-shutdown"));
  }

  /**
   * NIO, with the flushes on the connections a node opens merged while the event loop is busy, and idle event loops
   * polling briefly before they sleep, as long as {@code SOUK_EVENT_LOOP_POLL_MICROS} says.
   */
  static ConsolidatingTransport transport(NodeConfig config) {
    return new ConsolidatingTransport(config.eventLoopPollMicros());
  }

  // a verticle that fails to start leaves the cluster before the node exits, so no one waits for it
  private static void deploy(Vertx vertx, Deployable verticle) throws Exception {
    try {
      vertx.deployVerticle(verticle).await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      try {
        vertx.close().await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * Metrics with bounded labels: HTTP routes by template (never raw paths; the HTTP server meters are
   * {@link HttpServerMeters}, see {@link NodeMetrics}). Event-bus meters carry no address: Souk
   * calls each node on an address of its own, and folding those into one label value made Micrometer map every
   * message's meter id again (it caches only the first id folded into a meter), a few microseconds per message.
   */
  static MicrometerMetricsOptions metricsOptions() {
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      // byte counters on every TCP read and write (event bus, PostgreSQL) cost more than they tell
      .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
      .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
      .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
  }

  private static void stop(Vertx vertx, NodeConfig config) {
    LOG.info("stopping node");
    try {
      // the drain's own budget, the 2.5 s a node keeps serving after it unpublished, and Hazelcast's graceful leave
      // (hazelcast.graceful.shutdown.max.wait, 10 s): 28 s by default, inside the 30 s run.sh, compose.yaml and the
      // Kubernetes manifests give a node before they kill it
      vertx.close().await(config.shutdownSeconds() + 13L, TimeUnit.SECONDS);
      LOG.info("node stopped");
    } catch (Exception e) {
      LOG.warn("node did not stop cleanly", e);
    }
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
  }

  private static void exit(Throwable failure) {
    LOG.error("node failed to start: {}", failure.getMessage(), failure);
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    System.exit(1);
  }

  private static void logContext(String key, String value) {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).putProperty(key, value);
  }
}
