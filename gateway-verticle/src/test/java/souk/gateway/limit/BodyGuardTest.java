package souk.gateway.limit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which requests count as bodies arriving, over HTTP/1.1 and HTTP/2, and what a body that never ends gets. */
@ExtendWith(VertxExtension.class)
class BodyGuardTest {

  private BodyGuard guard;
  private HttpServer server;
  private HttpClient http1;
  private HttpClient http2;
  /** {@link BodyGuard#receiving()} as each request passed the guard. */
  private final List<Integer> counted = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    guard = new BodyGuard(vertx, 8, 500);
    Router router = Router.router(vertx);
    router.route().handler(guard.arriving()).handler(ctx -> {
      counted.add(guard.receiving());
      ctx.next();
    });
    router.route().handler(BodyHandler.create(false)).handler(guard.arrived())
      .handler(ctx -> ctx.response().end("got " + Math.max(0, ctx.body().length())));
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    http1 = vertx.createHttpClient();
    http2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
      .setHttp2ClearTextUpgrade(false));
  }

  @AfterEach
  void stop() {
    server.close().await();
  }

  private RequestOptions request(HttpMethod method) {
    return new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(server.actualPort()).setURI("/api/x");
  }

  private String send(HttpClient client, HttpMethod method, String body) throws Exception {
    return client.request(request(method))
      .compose(request -> body == null ? request.send() : request.send(body))
      .compose(HttpClientResponse::body).map(Object::toString).await(10, TimeUnit.SECONDS);
  }

  @Test
  void requests_without_a_body_are_not_counted_and_those_with_one_are_until_it_is_in() throws Exception {
    for (HttpClient client : List.of(http1, http2)) {
      counted.clear();
      assertEquals("got 0", send(client, HttpMethod.GET, null));
      assertEquals("got 0", send(client, HttpMethod.DELETE, null));
      assertEquals("got 2", send(client, HttpMethod.POST, "{}"));
      assertEquals(List.of(0, 0, 1), counted, client == http1 ? "HTTP/1.1" : "HTTP/2");
      assertEquals(0, guard.receiving(), "given back once the body is in");
    }
  }

  @Test
  void an_http2_body_that_never_ends_has_its_stream_cancelled_and_its_place_given_back() throws Exception {
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    http2.request(request(HttpMethod.POST)).compose(request -> {
      request.setChunked(true).write("{\"never\":");
      return request.response();
    }).onComplete(done -> ended.complete(done.cause()));
    Throwable reset = ended.get(10, TimeUnit.SECONDS);
    assertTrue(reset instanceof StreamResetException, String.valueOf(reset));
    assertEquals(0, guard.receiving());
    assertEquals("got 2", send(http2, HttpMethod.POST, "{}"), "the connection's other streams go on");
  }

  @Test
  void an_http1_body_that_never_ends_is_a_408() throws Exception {
    CompletableFuture<Integer> status = new CompletableFuture<>();
    http1.request(request(HttpMethod.POST)).compose(request -> {
      request.putHeader("Content-Length", "100").write("{\"never\":");
      return request.response();
    }).onComplete(done -> status.complete(done.succeeded() ? done.result().statusCode() : -1));
    assertEquals(408, status.get(10, TimeUnit.SECONDS));
    assertEquals(0, guard.receiving());
  }
}
