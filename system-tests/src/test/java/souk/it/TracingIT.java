package souk.it;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import souk.it.OtlpReceiver.ExportedSpan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Orders' traces, exported over OTLP by every node to a receiver this test runs. One order's trace starts at the
 * client's {@code traceparent}, crosses the gateway, the order node and, through the outbox, the payment node, and
 * comes back to the order node with the payment's result, every span's parent one of the trace's own; orders handled
 * in one transaction together keep each the trace of an order handled alone.
 */
class TracingIT {

  private static final OtlpReceiver receiver = OtlpReceiver.start();

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster()
    .env("SOUK_OTEL_EXPORTER", "otlp")
    .env("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())
    .env("OTEL_BSP_SCHEDULE_DELAY", "200")
    // the saga's per-order lines ("order placed") are DEBUG lines
    .env("SOUK_LOG_LEVEL", "DEBUG");
  private static final ShopClient shop = new ShopClient(cluster);

  @AfterAll
  static void stopReceiver() throws Exception {
    receiver.close();
  }

  @Test
  void one_orders_trace_spans_gateway_order_and_payment_nodes_and_back_with_parent_links_intact() throws Exception {
    Api.Account shopper = shop.signUp();
    String traceId = hex(16);
    String clientSpan = hex(8);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json")
      .add("Authorization", shopper.bearer()).add("traceparent", "00-" + traceId + "-" + clientSpan + "-01");
    HttpResponse<Buffer> placed = new Api(cluster).raw(HttpMethod.POST, "/api/v1/orders", headers,
      ShopClient.order("tok_visa", 450, 2).toBuffer());
    assertEquals(201, placed.statusCode(), placed.bodyAsString());
    String returned = placed.getHeader("traceparent");
    assertNotNull(returned, "the gateway returns the trace it joined");
    assertTrue(returned.startsWith("00-" + traceId + "-"), returned);
    String orderId = placed.bodyAsJsonObject().getString("id");
    shop.awaitOrder(shopper, orderId, order -> "CONFIRMED".equals(order.getString("status")));

    OutboxRelayIT.awaitTrue("the payment's result comes back to the order node in the trace",
      () -> backAtOrderNode(receiver.trace(traceId)));
    // each node exports its spans in its own batches: a child can arrive before its parent. Every parent must arrive
    OutboxRelayIT.awaitTrue("every span's parent arrives", () -> orphans(receiver.trace(traceId), clientSpan).isEmpty());
    List<ExportedSpan> spans = receiver.trace(traceId);
    Map<String, ExportedSpan> byId = spans.stream().collect(Collectors.toMap(ExportedSpan::spanId, Function.identity()));
    assertEquals(List.of(), orphans(spans, clientSpan), "every span's parent is in the trace\n" + describe(spans));
    ExportedSpan gateway = spans.stream().filter(s -> s.parentId().equals(clientSpan)).findFirst().orElseThrow();
    assertEquals("gateway", gateway.service(), describe(spans));
    assertEquals(ExportedSpan.SERVER, gateway.kind());
    assertEquals("00-" + traceId + "-" + gateway.spanId() + "-01", returned, "the header names the gateway's span");
    ExportedSpan payment = spans.stream().filter(s -> s.service().equals("payment-service")).findFirst().orElseThrow();
    List<String> path = ancestry(payment, byId).stream().map(ExportedSpan::service).distinct().toList();
    assertEquals(List.of("payment-service", "order-service", "gateway"), path, describe(spans));
    assertTrue(spans.stream().anyMatch(s -> s.service().equals("order-service") && s.name().startsWith("outbox ")
      && s.kind() == ExportedSpan.PRODUCER), "the outbox delivery has its span\n" + describe(spans));
    assertTrue(spans.stream().anyMatch(s -> s.service().equals("order-service") && s.kind() == ExportedSpan.CLIENT
      && !s.name().contains("payment")), "the order node's SQL has spans\n" + describe(spans));

    String orderLog = cluster.node(SoukCluster.ORDER).log();
    assertTrue(orderLog.lines().anyMatch(line -> line.contains("\"traceId\":\"" + traceId + "\"")
      && line.contains("\"message\":\"order placed\"") && line.contains("\"requestId\":")),
      "the order node's log line names the trace next to the request id");
  }

  /**
   * Orders placed at once are paid together: the payment node runs their messages in one transaction on one
   * connection ({@code TransactionGroups}). Each message's statements and event-bus requests must still be spans of
   * its own order's trace, the same ones as when a message is paid alone, and never a neighbour's.
   */
  @Test
  void orders_paid_in_one_transaction_each_keep_their_own_client_spans() throws Exception {
    Api.Account shopper = shop.signUp();
    String first = placeTraced(shopper, 1).get(0);
    Map<String, List<String>> alone = Map.of(
      "payment-service", settledClientSpans(first, "payment-service"), "order-service", settledClientSpans(first, "order-service"));
    assertFalse(alone.get("payment-service").isEmpty(), "a payment alone has client spans");

    NodeProcess payment = cluster.node(SoukCluster.PAYMENT);
    NodeProcess order = cluster.node(SoukCluster.ORDER);
    long paidTogether = groupLines(payment);
    long placedTogether = groupLines(order);
    List<String> traces = new ArrayList<>();
    // a burst is paid in groups unless the messages happen to arrive one by one: a few bursts at most
    for (int burst = 0; burst < 3 && (groupLines(payment) == paidTogether || groupLines(order) == placedTogether);
         burst++) {
      traces.addAll(placeTraced(shopper, 8));
    }
    assertTrue(groupLines(payment) > paidTogether, "some payments ran in one transaction together");
    assertTrue(groupLines(order) > placedTogether, "some orders were placed, or their payments applied, together");
    for (String traceId : traces) {
      for (String service : alone.keySet()) {
        List<String> spans = Eventually.poll(Duration.ofSeconds(30), Duration.ofMillis(100),
          () -> clientSpans(traceId, service), alone.get(service)::equals);
        assertEquals(alone.get(service), spans, service + "'s client spans in trace " + traceId + "\n"
          + describe(receiver.trace(traceId)));
      }
      assertTrue(order.log().lines().anyMatch(line -> line.contains("\"traceId\":\"" + traceId + "\"")
        && line.contains("\"message\":\"order placed\"")), "the order placed in trace " + traceId + " is logged in it");
    }
  }

  // places n orders at once, each with a trace of its own; waits until each is confirmed; returns their trace ids
  private static List<String> placeTraced(Api.Account shopper, int n) throws Exception {
    List<String> traceIds = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> placed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String traceId = hex(16);
      traceIds.add(traceId);
      placed.add(cluster.client().post(cluster.gatewayPort(), cluster.gatewayHost(), "/api/v1/orders")
        .putHeader("Authorization", shopper.bearer())
        .putHeader("traceparent", "00-" + traceId + "-" + hex(8) + "-01")
        .sendJson(ShopClient.order("tok_visa", 450, 2)));
    }
    Future.all(placed).await(30, TimeUnit.SECONDS);
    for (Future<HttpResponse<Buffer>> response : placed) {
      assertEquals(201, response.result().statusCode(), response.result().bodyAsString());
      String orderId = response.result().bodyAsJsonObject().getString("id");
      shop.awaitOrder(shopper, orderId, order -> "CONFIRMED".equals(order.getString("status")));
    }
    return traceIds;
  }

  // a trace's client spans on one service once they stop arriving (each node exports in batches of its own)
  private static List<String> settledClientSpans(String traceId, String service) throws Exception {
    OutboxRelayIT.awaitTrue("the payment's result comes back to the order node in the trace",
      () -> backAtOrderNode(receiver.trace(traceId)));
    List<String> last = null;
    int unchanged = 0;
    // the same for a second and a half: several of the nodes' export rounds (OTEL_BSP_SCHEDULE_DELAY)
    for (int i = 0; i < 60 && unchanged < 3; i++) {
      List<String> now = clientSpans(traceId, service);
      unchanged = now.equals(last) ? unchanged + 1 : 0;
      last = now;
      Thread.sleep(500);
    }
    return last;
  }

  // the names of a trace's client spans on one service, sorted: its SQL statements and its event-bus requests (an
  // outbox delivery among them)
  private static List<String> clientSpans(String traceId, String service) {
    return receiver.trace(traceId).stream()
      .filter(s -> s.service().equals(service) && s.kind() == ExportedSpan.CLIENT)
      .map(ExportedSpan::name).sorted().toList();
  }

  private static long groupLines(NodeProcess node) {
    return node.log().lines().filter(line -> line.contains("\"message\":\"pieces in one transaction\"")).count();
  }

  // the spans whose parent is neither the client's span nor one of the trace's own
  private static List<ExportedSpan> orphans(List<ExportedSpan> spans, String clientSpan) {
    Set<String> ids = spans.stream().map(ExportedSpan::spanId).collect(Collectors.toSet());
    return spans.stream().filter(s -> !s.parentId().equals(clientSpan) && !ids.contains(s.parentId())).toList();
  }

  // a span of the order node whose ancestors include the payment node's
  private static boolean backAtOrderNode(List<ExportedSpan> spans) {
    Map<String, ExportedSpan> byId = spans.stream()
      .collect(Collectors.toMap(ExportedSpan::spanId, Function.identity(), (a, b) -> a));
    return spans.stream().filter(s -> s.service().equals("order-service"))
      .anyMatch(s -> ancestry(s, byId).stream().anyMatch(a -> a.service().equals("payment-service")));
  }

  private static List<ExportedSpan> ancestry(ExportedSpan span, Map<String, ExportedSpan> byId) {
    List<ExportedSpan> chain = new java.util.ArrayList<>();
    for (ExportedSpan s = span; s != null && chain.size() < 100; s = byId.get(s.parentId())) {
      chain.add(s);
    }
    return chain;
  }

  private static String describe(List<ExportedSpan> spans) {
    return spans.stream().map(s -> s.service() + " " + s.kind() + " '" + s.name() + "' " + s.spanId() + " <- "
      + s.parentId()).collect(Collectors.joining("\n"));
  }

  private static String hex(int bytes) {
    byte[] value = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(value);
    value[0] |= 1;
    return HexFormat.of().formatHex(value);
  }
}
