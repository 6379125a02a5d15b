package souk.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard and the Prometheus alert rules ask only for metrics a running Souk exports, and the image's
 * health check gets its 200 from each kind of node. One cluster, one settled order, then a scrape of every node.
 */
class MetricNamesIT {

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster();
  private static final Map<String, String> scraped = new TreeMap<>();

  @BeforeAll
  static void placeAnOrderAndScrapeEveryNode() throws Exception {
    ShopClient shop = new ShopClient(cluster);
    Api.Account shopper = shop.signUp();
    String id = shop.placed(shopper, ShopClient.order("tok_visa", 450, 2)).getString("id");
    shop.awaitOrder(shopper, id, order -> "CONFIRMED".equals(order.getString("status")));
    // the gauges read from the database refresh every few seconds
    TimeUnit.SECONDS.sleep(6);
    scraped.put("gateway", cluster.get("/metrics").bodyAsString());
    for (String kind : List.of(SoukCluster.USER, SoukCluster.ORDER, SoukCluster.PAYMENT)) {
      scraped.put(kind, cluster.client().get(cluster.node(kind).managementPort(), "127.0.0.1", "/metrics").send()
        .await(10, TimeUnit.SECONDS).bodyAsString());
    }
  }

  @Test
  void every_metric_the_dashboard_and_the_alert_rules_use_is_exported() {
    Set<String> exported = new TreeSet<>();
    scraped.values().forEach(text -> exported.addAll(sampleNames(text)));
    Map<String, Set<String>> missing = new TreeMap<>();
    Set<String> used = new TreeSet<>();
    Map<String, String> expressions = new HashMap<>(OpsFiles.alertExpressions());
    List<String> panels = OpsFiles.dashboardExpressions();
    for (int i = 0; i < panels.size(); i++) {
      expressions.put("dashboard query " + i, panels.get(i));
    }
    expressions.forEach((where, expression) -> {
      for (String name : OpsFiles.metricNames(expression)) {
        used.add(name);
        if (!exported.contains(name)) {
          missing.computeIfAbsent(name, n -> new TreeSet<>()).add(where);
        }
      }
    });
    assertEquals(Map.of(), missing, "metrics the dashboard or the rules use that no node exports");
    // the check means something only if the files use Souk's own metrics and Vert.x's
    assertTrue(used.containsAll(Set.of("souk_breaker_state", "souk_ratelimit_refused_total", "souk_outbox_pending",
      "souk_outbox_oldest_pending_seconds", "souk_outbox_dead_letters", "vertx_http_server_requests_total",
      "vertx_eventbus_sent_total", "vertx_pool_in_use", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_count")), used.toString());
  }

  @Test
  void the_images_health_check_script_passes_against_every_kind_of_node() throws Exception {
    for (String kind : OpsFiles.KINDS) {
      Map<String, String> env = new HashMap<>(Map.of("NODE_KIND", kind));
      if (kind.equals(SoukCluster.GATEWAY)) {
        env.put("SOUK_HTTP_HOST", "0.0.0.0");
        env.put("SOUK_HTTP_PORT", String.valueOf(cluster.gatewayPort()));
      } else {
        env.put("SOUK_CLUSTER_HOST", "127.0.0.1");
        env.put("SOUK_MANAGEMENT_PORT", String.valueOf(cluster.node(kind).managementPort()));
      }
      assertEquals(0, probe(env, "/health"), kind + " /health");
      assertEquals(0, probe(env, "/ready"), kind + " /ready");
      assertEquals(1, probe(env, "/no-such-probe"), kind + ": anything but a 200 fails the check");
    }
  }

  private static int probe(Map<String, String> env, String path) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(OpsFiles.ROOT.resolve("ops/docker/probe.sh").toString(), path)
      .redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the probe answers in time");
    return process.exitValue();
  }

  /** The names of the samples in a Prometheus text exposition. */
  private static Set<String> sampleNames(String text) {
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }
}
