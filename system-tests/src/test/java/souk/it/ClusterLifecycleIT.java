package souk.it;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import souk.common.api.RouteSpec;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four real node JVMs on the real PostgreSQL: the cluster becomes ready, a SIGKILLed service node is reported within
 * the detection time and its discovery record disappears, and a restarted node heals the cluster.
 */
class ClusterLifecycleIT {

  /** Hazelcast drops a silent member after 6 s; the gateway must notice within this. */
  private static final Duration DETECTION = Duration.ofSeconds(12);

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster();

  @Test
  void ready_reports_every_service_and_the_cluster() throws Exception {
    JsonObject ready = cluster.awaitStatus("/ready", code -> code == 200, Duration.ofSeconds(5));
    assertEquals("UP", ready.getString("status"));
    Set<String> ids = new HashSet<>();
    for (Object check : ready.getJsonArray("checks")) {
      JsonObject c = (JsonObject) check;
      ids.add(c.getString("id"));
      assertEquals("UP", c.getString("status"), c.encode());
    }
    assertEquals(Set.of("cluster", "user-service", "order-service", "payment-service"), ids);
    assertEquals(4, checkData(ready, "cluster").getInteger("members"));
  }

  @Test
  void health_and_metrics_answer() throws Exception {
    assertEquals(200, cluster.get("/health").statusCode());
    var metrics = cluster.get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.bodyAsString().contains("vertx_http_server_requests_total"), "vert.x HTTP metrics exported");
    assertFalse(metrics.bodyAsString().contains("path=\""), "no raw-path label");
  }

  @Test
  void every_route_a_service_declares_is_in_the_openapi_spec_and_docs_are_served() throws Exception {
    var spec = cluster.get("/openapi.yaml");
    assertEquals(200, spec.statusCode());
    assertTrue(spec.getHeader("Content-Type").startsWith("application/yaml"));
    String yaml = spec.bodyAsString();

    Vertx member = cluster.joinAsMember("docs-check", 0);
    try {
      ServiceDiscovery discovery = ServiceDiscovery.create(member);
      List<Record> records = discovery.getRecords(r -> true).await(10, TimeUnit.SECONDS);
      discovery.close();
      int routes = 0;
      for (Record record : records) {
        for (Object route : record.getMetadata().getJsonArray("routes", new JsonArray())) {
          RouteSpec declared = RouteSpec.fromJson((JsonObject) route);
          String path = declared.path().replaceAll(":([A-Za-z]+)", "{$1}");
          int at = yaml.indexOf("\n  " + path + ":\n");
          assertTrue(at >= 0, path + " is not documented");
          int next = yaml.indexOf("\n  /", at + 1);
          String block = yaml.substring(at, next < 0 ? yaml.length() : next);
          assertTrue(block.contains("\n    " + declared.method().toLowerCase() + ":"), declared + " is not documented");
          routes++;
        }
      }
      assertTrue(routes >= 7, "user and order routes found in discovery: " + routes);
    } finally {
      member.close().await(30, TimeUnit.SECONDS);
    }

    var docs = cluster.client().get(cluster.gatewayPort(), "127.0.0.1", "/docs").followRedirects(true).send()
      .await(10, TimeUnit.SECONDS);
    assertEquals(200, docs.statusCode());
    assertTrue(docs.bodyAsString().contains("swagger-ui-bundle.js"));
    assertEquals(200, cluster.get("/docs/assets/swagger-ui-bundle.js").statusCode());
  }

  @Test
  void a_record_whose_node_is_not_in_the_cluster_is_swept() throws Exception {
    Vertx member = cluster.joinAsMember("sweep-check", 1);
    try {
      ServiceDiscovery discovery = ServiceDiscovery.create(member);
      // a record left by a node that died before anyone saw it leave: no membership event will ever name it
      Record ghost = discovery.publish(new Record().setName("ghost-service").setType("eventbus-service")
        .setLocation(new JsonObject().put("endpoint", "ghost-service"))
        .setMetadata(new JsonObject().put("nodeId", UUID.randomUUID().toString()))).await(10, TimeUnit.SECONDS);
      Eventually.until("the periodic sweep removing the record of a node that is not a member", DETECTION,
        () -> discovery.getRecords(r -> ghost.getRegistration().equals(r.getRegistration()), true)
          .await(10, TimeUnit.SECONDS).isEmpty());
      discovery.close();
    } finally {
      member.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_killed_service_node_is_reported_and_its_record_removed_then_healed() throws Exception {
    NodeProcess payment = cluster.node("payment");
    String paymentNodeId = checkData(cluster.awaitStatus("/ready", code -> code == 200, Duration.ofSeconds(5)),
      "payment-service").getJsonArray("answered").getString(0);

    payment.kill();
    try {
      JsonObject down = cluster.awaitStatus("/ready", code -> code == 503, DETECTION);
      assertEquals("DOWN", checkStatus(down, "payment-service"), down.encode());
      assertEquals("UP", checkStatus(down, "user-service"), down.encode());

      // the record itself goes from discovery, not just from the gateway's view of it
      JsonObject swept = awaitCheck("payment-service", data -> data.getInteger("records", -1) == 0);
      assertEquals("no live node", checkData(swept, "payment-service").getString("reason"));
      assertEquals(3, checkData(swept, "cluster").getInteger("members"));
      assertFalse(swept.encode().contains(paymentNodeId), "dead node no longer listed");
    } finally {
      // the other tests need a payment node, whatever happened above
      cluster.start(SoukCluster.PAYMENT);
    }
    JsonObject healed = cluster.awaitStatus("/ready", code -> code == 200, Duration.ofSeconds(60));
    assertEquals("UP", checkStatus(healed, "payment-service"));
    assertEquals(1, checkData(healed, "payment-service").getInteger("records"));
  }

  @Test
  void a_service_node_serves_its_own_probes() throws Exception {
    NodeProcess order = cluster.node("order");
    var client = cluster.client();
    var ready = client.get(order.managementPort(), "127.0.0.1", "/ready").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    assertEquals("UP", checkStatus(ready.bodyAsJsonObject(), "database"));
    assertEquals("UP", checkStatus(ready.bodyAsJsonObject(), "cluster"));
    assertEquals(200, client.get(order.managementPort(), "127.0.0.1", "/health").send()
      .await(10, TimeUnit.SECONDS).statusCode());
    var metrics = client.get(order.managementPort(), "127.0.0.1", "/metrics").send().await(10, TimeUnit.SECONDS);
    assertTrue(metrics.bodyAsString().contains("vertx_eventbus_"), "event-bus metrics exported");
    assertTrue(metrics.bodyAsString().contains("vertx_sql_"), "PostgreSQL pool metrics exported");
  }

  @Test
  void a_node_stopped_with_sigterm_unpublishes_at_once_and_exits() throws Exception {
    NodeProcess user = cluster.node("user");
    try {
      int exit = user.stop();
      assertEquals(143, exit, "exit status of a JVM stopped by SIGTERM after its shutdown hooks ran");
      assertTrue(user.log().contains("unpublished service record"), "record removed by the node itself");
      assertTrue(user.log().contains("node stopped"), "left the cluster before exiting");
      JsonObject down = cluster.awaitStatus("/ready", code -> code == 503, Duration.ofSeconds(5));
      assertEquals(0, checkData(down, "user-service").getInteger("records"));
    } finally {
      // the other tests need a user node, whatever happened above
      cluster.start(SoukCluster.USER);
      cluster.awaitReady(Duration.ofSeconds(60));
    }
  }

  private static JsonObject awaitCheck(String id, java.util.function.Predicate<JsonObject> predicate) throws Exception {
    return Eventually.await("check " + id + " matching", DETECTION, () -> cluster.get("/ready").bodyAsJsonObject(),
      ready -> predicate.test(checkData(ready, id)));
  }

  static JsonObject check(JsonObject ready, String id) {
    JsonArray checks = ready.getJsonArray("checks");
    for (Object check : checks) {
      if (id.equals(((JsonObject) check).getString("id"))) {
        return (JsonObject) check;
      }
    }
    throw new AssertionError("no check " + id + " in " + ready.encode());
  }

  static String checkStatus(JsonObject ready, String id) {
    return check(ready, id).getString("status");
  }

  static JsonObject checkData(JsonObject ready, String id) {
    return check(ready, id).getJsonObject("data", new JsonObject());
  }
}
