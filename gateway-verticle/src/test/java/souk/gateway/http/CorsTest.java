package souk.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.gateway.limit.TrustedProxies;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which requests are same-origin: over HTTP/1.1 and HTTP/2, and behind a proxy that terminates TLS. */
@ExtendWith(VertxExtension.class)
class CorsTest {

  private HttpServer server;
  private HttpClient http1;
  private HttpClient http2;
  private String self;

  private void start(Vertx vertx, List<String> trustedProxies) {
    Router router = Router.router(vertx);
    router.route().handler(new Cors(List.of("https://shop.example"), TrustedProxies.of(trustedProxies)));
    router.post("/api/thing").handler(ctx -> ctx.response().end("done"));
    // HTTP/2 without TLS (h2c) is what a test can speak here; a browser's HTTP/2 carries :authority the same way
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    http1 = vertx.createHttpClient();
    http2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
      .setHttp2ClearTextUpgrade(false));
    self = "127.0.0.1:" + server.actualPort();
  }

  @AfterEach
  void stop() {
    server.close().await();
  }

  private int post(HttpClient client, Map<String, String> headers) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
      .setPort(server.actualPort()).setURI("/api/thing");
    headers.forEach(options::putHeader);
    return client.request(options).compose(request -> request.send())
      .map(response -> response.statusCode()).await(10, TimeUnit.SECONDS);
  }

  @Test
  void a_same_origin_post_passes_over_http1_and_http2_and_a_foreign_one_is_403(Vertx vertx) throws Exception {
    start(vertx, List.of());
    assertEquals(200, post(http1, Map.of("Origin", "http://" + self)));
    assertEquals(200, post(http2, Map.of("Origin", "http://" + self)), "HTTP/2 has :authority, not Host");
    assertEquals(403, post(http1, Map.of("Origin", "https://evil.example")));
    assertEquals(403, post(http2, Map.of("Origin", "https://evil.example")));
    assertEquals(200, post(http2, Map.of("Origin", "https://shop.example")), "an allowed origin");
  }

  @Test
  void behind_a_trusted_proxy_that_terminates_tls_the_https_page_is_same_origin(Vertx vertx) throws Exception {
    start(vertx, List.of("127.0.0.1"));
    assertEquals(200, post(http1, Map.of("Origin", "https://" + self, "X-Forwarded-Proto", "https")));
    assertEquals(200, post(http1, Map.of("Origin", "https://" + self, "X-Forwarded-Proto", "https, http")));
    assertEquals(403, post(http1, Map.of("Origin", "https://" + self)), "no forwarded scheme: the request's own");
  }

  @Test
  void a_forwarded_scheme_from_an_untrusted_peer_changes_nothing(Vertx vertx) throws Exception {
    start(vertx, List.of("10.0.0.0/8"));
    assertEquals(403, post(http1, Map.of("Origin", "https://" + self, "X-Forwarded-Proto", "https")));
    assertEquals(200, post(http1, Map.of("Origin", "http://" + self, "X-Forwarded-Proto", "https")));
  }
}
