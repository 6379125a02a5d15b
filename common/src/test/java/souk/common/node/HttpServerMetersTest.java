package souk.common.node;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP server meters, through a real Vert.x HTTP server and vertx-web router, read from the Prometheus text. */
class HttpServerMetersTest {

  private PrometheusMeterRegistry registry;
  private Vertx vertx;
  private HttpClient client;
  private int port;

  @BeforeEach
  void start() throws Exception {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(NodeLauncher.metricsOptions()))
      .withMetrics(new NodeMetrics(registry)).build();
    Router router = Router.router(vertx);
    // answers once the whole body has come
    router.post("/upload").handler(ctx -> ctx.request().body().onSuccess(body -> ctx.response().end()));
    // like the gateway: a path route that names itself, then a handler that names the template it matched
    router.route("/api/*").handler(ctx -> {
      ctx.request().routed("/api/things/:id");
      ctx.response().setStatusCode(ctx.request().path().endsWith("/404") ? 404 : 200).end("{}");
    });
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
      .await(10, TimeUnit.SECONDS);
    port = server.actualPort();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private int call(HttpMethod method, String path) throws Exception {
    HttpClientResponse response = client.request(method, port, "127.0.0.1", path)
      .compose(request -> request.send().compose(r -> r.body().map(body -> r)))
      .await(10, TimeUnit.SECONDS);
    return response.statusCode();
  }

  @Test
  void requests_are_counted_by_method_template_and_status() throws Exception {
    assertEquals(200, call(HttpMethod.GET, "/api/things/1"));
    assertEquals(200, call(HttpMethod.GET, "/api/things/2"));
    assertEquals(404, call(HttpMethod.GET, "/api/things/404"));
    assertEquals(404, call(HttpMethod.GET, "/elsewhere"));
    assertEquals(200, call(HttpMethod.valueOf("BREW"), "/api/things/3"));

    String text = registry.scrape();
    assertTrue(text.contains(
      "vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/api/things/:id\"} 2.0"), text);
    assertTrue(text.contains(
      "vertx_http_server_requests_total{code=\"404\",method=\"GET\",route=\"/api/things/:id\"} 1.0"), text);
    assertTrue(text.contains("vertx_http_server_requests_total{code=\"404\",method=\"GET\",route=\"\"} 1.0"), text);
    assertTrue(text.contains(
      "vertx_http_server_response_time_seconds_count{code=\"200\",method=\"GET\",route=\"/api/things/:id\"} 2"),
      text);
    assertTrue(text.contains(
      "vertx_http_server_response_bytes_sum{code=\"200\",method=\"GET\",route=\"/api/things/:id\"} 4.0"), text);
    assertTrue(text.contains("vertx_http_server_request_bytes_count{method=\"GET\"} 4"), text);
    // an invented method is one series, not one per name
    assertTrue(text.contains(
      "vertx_http_server_requests_total{code=\"200\",method=\"OTHER\",route=\"/api/things/:id\"} 1.0"), text);
    assertFalse(text.lines().anyMatch(line -> line.startsWith("vertx_http_server") && line.contains("BREW")), text);
    // every request has ended: none is still counted as active
    assertTrue(text.contains("vertx_http_server_active_requests{method=\"GET\"} 0.0"), text);
    assertTrue(text.contains("vertx_http_server_active_requests{method=\"OTHER\"} 0.0"), text);
    assertFalse(text.contains("vertx_http_server_active_connections 0.0"), text);

    client.close().await(10, TimeUnit.SECONDS);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!registry.scrape().contains("vertx_http_server_active_connections 0.0") && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertTrue(registry.scrape().contains("vertx_http_server_active_connections 0.0"), "closed connections counted");
  }

  @Test
  void a_request_whose_client_goes_away_mid_body_counts_as_reset_and_is_no_longer_active() throws Exception {
    NetSocket socket = vertx.createNetClient().connect(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    socket.write("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly part of it")
      .await(10, TimeUnit.SECONDS);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!registry.scrape().contains("vertx_http_server_active_requests{method=\"POST\"} 1.0")
      && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertTrue(registry.scrape().contains("vertx_http_server_active_requests{method=\"POST\"} 1.0"), "in progress");
    socket.close().await(10, TimeUnit.SECONDS);
    until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!registry.scrape().contains("vertx_http_server_request_resets_total{method=\"POST\"} 1.0")
      && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    String text = registry.scrape();
    assertTrue(text.contains("vertx_http_server_request_resets_total{method=\"POST\"} 1.0"), text);
    assertTrue(text.contains("vertx_http_server_active_requests{method=\"POST\"} 0.0"), text);
    assertFalse(text.contains("vertx_http_server_requests_total{code"), "no response was counted: " + text);
  }
}
