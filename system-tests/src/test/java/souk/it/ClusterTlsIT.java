package souk.it;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import souk.common.api.RouteSpec;
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.Headers;
import souk.common.config.NodeConfig;
import souk.common.discovery.RecordSweep;
import souk.common.node.ClusterSecurity;
import souk.common.outbox.Outbox;
import souk.common.saga.PaymentStatus;
import souk.common.saga.SagaMessages;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutual TLS on the event bus: a cluster whose nodes hold certificates from one CA serves the whole API and saga;
 * a process that joins the Hazelcast cluster without such a certificate (none, or one from another CA) can reach no
 * Souk node through the event bus, so its forged messages (reads and cancels under another user's id, a payment result
 * for an unpaid order) change nothing and read nothing, and a discovery record it publishes brings it no user's
 * request. A node on a reachable
 * address refuses to start without cluster TLS, and a gateway there refuses the development secret.
 */
class ClusterTlsIT {

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster().withClusterTls();

  private static final ShopClient shop = new ShopClient(cluster);

  @Test
  void with_cluster_tls_the_api_and_the_saga_work_and_a_process_without_a_certificate_changes_nothing()
    throws Exception {
    Api.Account victim = shop.signUp();
    String confirmed = shop.placed(victim, ShopClient.order("tok_visa", 1_200, 1)).getString("id");
    shop.awaitOrder(victim, confirmed, o -> "CONFIRMED".equals(o.getString("status")));
    // with no payment node the next order waits for its payment result, which a rogue will try to forge
    cluster.node(SoukCluster.PAYMENT).stop();
    String pending = shop.placed(victim, ShopClient.order("tok_visa", 700, 1)).getString("id");

    JsonObject request = new JsonObject().put("params", new JsonObject().put("id", confirmed));
    DeliveryOptions forged = new DeliveryOptions().setSendTimeout(3_000).addHeader(Headers.USER_ID, victim.id());
    JsonObject paid = new JsonObject().put("orderId", pending).put("paymentId", UUID.randomUUID().toString())
      .put("status", PaymentStatus.SUCCEEDED.name()).put("amount", 700);

    DevCerts otherCa = DevCerts.create(cluster.root(), "other-ca-" + cluster.clusterName());
    Map<String, EventBusOptions> rogues = Map.of("no certificate", new EventBusOptions(),
      "a certificate from another CA", tls(otherCa));
    int offset = 1;
    for (Map.Entry<String, EventBusOptions> rogue : rogues.entrySet()) {
      String name = "rogue-" + offset;
      Vertx member = cluster.joinAsMember(name, offset++, rogue.getValue());
      try {
        for (String action : new String[] {Actions.Order.GET, Actions.Order.CANCEL}) {
          assertNeverReached(rogue.getKey() + ": " + action, member.eventBus().request(Addresses.ORDER_SERVICE,
            request, new DeliveryOptions(forged).addHeader(Headers.ACTION, action)));
        }
        assertNeverReached(rogue.getKey() + ": payment-result", member.eventBus().request(Addresses.ORDER_SERVICE,
          paid, paymentResult()));
        assertNoTokenForwarded(rogue.getKey(), member, name, victim);
      } finally {
        member.close().await(30, TimeUnit.SECONDS);
      }
    }
    assertEquals("CONFIRMED", status(victim, confirmed), "no forged cancel took effect");
    assertEquals("PENDING", status(victim, pending), "no forged payment result took effect");
    assertEquals(200, shop.get(victim, "/api/v1/users/me").statusCode(), "the cluster keeps serving");

    // the control: a member holding a certificate from the cluster's CA does reach the order service, and the same
    // payment result from it is taken, so the forged messages above were refused for their sender alone
    Vertx trusted = cluster.joinAsMember("trusted", 0, tls(cluster.certs()));
    try {
      Message<Buffer> reply = trusted.eventBus().<Buffer>request(Addresses.ORDER_SERVICE, request,
        new DeliveryOptions(forged).addHeader(Headers.ACTION, Actions.Order.GET)).await(10, TimeUnit.SECONDS);
      assertEquals(confirmed, reply.body().toJsonObject().getString("id"));
      trusted.eventBus().request(Addresses.ORDER_SERVICE, paid, paymentResult()).await(10, TimeUnit.SECONDS);
      assertEquals("CONFIRMED", status(victim, pending));
    } finally {
      trusted.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static DeliveryOptions paymentResult() {
    return new DeliveryOptions().setSendTimeout(3_000).addHeader(Headers.ACTION, SagaMessages.PAYMENT_RESULT)
      .addHeader(Outbox.MESSAGE_ID, UUID.randomUUID().toString());
  }

  /** The request failed without reaching a Souk node: a refusal by the service would be a recipient failure. */
  private static void assertNeverReached(String what, Future<?> request) {
    Exception failure = assertThrows(Exception.class, () -> request.await(10, TimeUnit.SECONDS), what + " was answered");
    ReplyException reply = assertInstanceOf(ReplyException.class, failure);
    assertNotEquals(ReplyFailure.RECIPIENT_FAILURE, reply.failureType(),
      what + " reached the order service, which refused it: " + reply);
  }

  /**
   * The rogue announces a service whose route the gateway mounts; calling it with a user's token may fail (a fake
   * route can deny service), but the request, and the token's owner with it, never reaches the rogue.
   */
  private void assertNoTokenForwarded(String what, Vertx member, String name, Api.Account victim) throws Exception {
    AtomicInteger received = new AtomicInteger();
    member.eventBus().consumer(name, m -> received.incrementAndGet()).completion().await(10, TimeUnit.SECONDS);
    String nodeId = ((VertxInternal) member).clusterManager().getNodeId();
    ServiceDiscovery discovery = ServiceDiscovery.create(member);
    try {
      String path = "/api/v1/" + name;
      discovery.publish(new Record().setName(name).setType("eventbus-service")
        .setLocation(new JsonObject().put("endpoint", name))
        .setMetadata(RouteSpec.metadata(List.of(RouteSpec.authenticated("GET", path, "steal")))
          .put(RecordSweep.NODE_ID, nodeId).put("nodeAddress", name))).await(10, TimeUnit.SECONDS);
      // whether or not the gateway mounts the announced route (a rogue record may only deny service on its own
      // path), a user's request on it must never reach the rogue and never succeed
      AtomicInteger mounted = new AtomicInteger();
      Eventually.poll(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
        HttpResponse<Buffer> answer = cluster.client().get(cluster.gatewayPort(), cluster.gatewayHost(), path)
          .putHeader("Authorization", victim.bearer()).send().await(30, TimeUnit.SECONDS);
        assertTrue(answer.statusCode() == 404 || answer.statusCode() >= 500,
          what + ": " + answer.statusCode() + " " + answer.bodyAsString());
        return answer.statusCode() == 404 ? mounted.get() : mounted.incrementAndGet();
      }, times -> times >= 2);
      System.out.printf("[cluster TLS] %s: the gateway %s the rogue's route%n", what,
        mounted.get() > 0 ? "mounted" : "did not mount");
      assertEquals(0, received.get(), what + ": the gateway forwarded a user's request to a rogue member");
    } finally {
      discovery.close();
    }
  }

  private static String status(Api.Account owner, String orderId) throws Exception {
    return shop.get(owner, "/api/v1/orders/" + orderId).bodyAsJsonObject().getString("status");
  }

  @Test
  void a_node_on_a_reachable_address_without_cluster_tls_refuses_to_start() throws Exception {
    String address = reachableAddress().orElse(null);
    Assumptions.assumeTrue(address != null, "this machine has no non-loopback IPv4 address");
    NodeProcess node = cluster.start(SoukCluster.USER, new SoukCluster.Host(address, List.of()), Map.of(
      "SOUK_CLUSTER_TLS_CERT", "", "SOUK_CLUSTER_TLS_KEY", "", "SOUK_CLUSTER_TLS_CA", "",
      "SOUK_CLUSTER_NAME", cluster.clusterName() + "-lone", "SOUK_CLUSTER_MEMBERS", address));
    assertEquals(1, node.awaitExit(60), node.log());
    assertTrue(node.log().contains("SOUK_CLUSTER_TLS_CERT"), node.log());
  }

  @Test
  void a_gateway_on_a_reachable_address_refuses_the_development_secret() throws Exception {
    String address = reachableAddress().orElse(null);
    Assumptions.assumeTrue(address != null, "this machine has no non-loopback IPv4 address");
    NodeProcess gateway = cluster.start(SoukCluster.GATEWAY, new SoukCluster.Host(address, List.of()),
      Map.of("SOUK_HTTP_PORT", String.valueOf(SoukCluster.freePort()), "SOUK_JWT_SECRET", "",
        "SOUK_CLUSTER_NAME", cluster.clusterName() + "-lone-gateway", "SOUK_CLUSTER_MEMBERS", address));
    assertEquals(1, gateway.awaitExit(120), gateway.log());
    assertTrue(gateway.log().contains("SOUK_JWT_SECRET is required"), gateway.log());
  }

  @Test
  void a_gateway_given_a_certificate_serves_https_with_hsts_and_http2() throws Exception {
    int port = SoukCluster.freePort();
    DevCerts certs = cluster.certs();
    cluster.start(SoukCluster.GATEWAY, SoukCluster.Host.LOCAL, Map.of("SOUK_HTTP_PORT", String.valueOf(port),
      "SOUK_TLS_CERT", certs.cert("https").toString(), "SOUK_TLS_KEY", certs.key("https").toString()));
    WebClient https = WebClient.create(cluster.vertx(), new WebClientOptions().setSsl(true).setTrustAll(true)
      .setVerifyHost(false).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2));
    try {
      HttpResponse<Buffer> ready = Eventually.await("the HTTPS gateway becoming ready", Duration.ofSeconds(90),
        () -> https.get(port, "127.0.0.1", "/ready").send().await(10, TimeUnit.SECONDS),
        response -> response.statusCode() == 200);
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      assertEquals(HttpVersion.HTTP_2, ready.version(), "HTTP/2 negotiated by ALPN");
      assertEquals("max-age=31536000", ready.getHeader("Strict-Transport-Security"));
    } finally {
      https.close();
    }
    assertNull(cluster.get("/health").getHeader("Strict-Transport-Security"), "no HSTS over plain HTTP");
  }

  @Test
  void a_gateway_whose_certificate_file_is_missing_stops_and_names_it() throws Exception {
    NodeProcess gateway = cluster.start(SoukCluster.GATEWAY, SoukCluster.Host.LOCAL, Map.of(
      "SOUK_HTTP_PORT", String.valueOf(SoukCluster.freePort()),
      "SOUK_TLS_CERT", "/nonexistent/https.pem", "SOUK_TLS_KEY", cluster.certs().key("https").toString()));
    assertEquals(1, gateway.awaitExit(120), gateway.log());
    assertTrue(gateway.log().contains("SOUK_TLS_CERT names a file that cannot be read"), gateway.log());
  }

  private static EventBusOptions tls(DevCerts certs) {
    return ClusterSecurity.withTls(new EventBusOptions(), new NodeConfig.ClusterTls(certs.cert("order").toString(),
      certs.key("order").toString(), certs.ca().toString()));
  }

  private static Optional<String> reachableAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          return Optional.of(address.getHostAddress());
        }
      }
    }
    return Optional.empty();
  }
}
