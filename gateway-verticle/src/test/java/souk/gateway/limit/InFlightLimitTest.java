package souk.gateway.limit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.gateway.http.Fallbacks;
import souk.gateway.http.Problems;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shedding on a real router: what is over the bound is a quick 503, what was admitted is served, slots come back. */
@ExtendWith(VertxExtension.class)
class InFlightLimitTest {

  private static final int MAX = 4;

  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  /** Requests admitted and parked until the test lets them answer. */
  private final Queue<Promise<Void>> parked = new ConcurrentLinkedQueue<>();
  private InFlightLimit limit;
  private HttpServer server;
  private WebClient client;

  @BeforeEach
  void start(Vertx vertx) {
    limit = new InFlightLimit(MAX, metrics);
    Router router = Router.router(vertx);
    router.route("/api/*").handler(limit);
    router.get("/api/slow").handler(ctx -> {
      Promise<Void> release = Promise.promise();
      parked.add(release);
      release.future().onSuccess(v -> ctx.json(new JsonObject().put("served", true)));
    });
    Fallbacks.install(router);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(server.actualPort()), new PoolOptions().setHttp1MaxSize(32));
  }

  private Future<HttpResponse<Buffer>> slow() {
    return client.get("/api/slow").send();
  }

  @Test
  void requests_over_the_bound_are_shed_at_once_and_those_admitted_are_served() throws Exception {
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(slow());
    }
    // the six over the bound are answered while the four admitted are still waiting
    List<HttpResponse<Buffer>> shed = new ArrayList<>();
    waitUntil(() -> sent.stream().filter(Future::isComplete).count() == 6);
    sent.stream().filter(Future::isComplete).forEach(f -> shed.add(f.result()));
    assertEquals(MAX, parked.size());
    assertEquals(MAX, limit.inFlight());
    for (HttpResponse<Buffer> response : shed) {
      assertEquals(503, response.statusCode());
      assertEquals(Problems.CONTENT_TYPE, response.getHeader("Content-Type"));
      assertEquals("1", response.getHeader("Retry-After"));
      assertTrue(response.bodyAsJsonObject().getString("detail").contains("retry after 1 s"));
    }
    assertEquals(6.0, metrics.get("souk_gateway_shed").counter().count());

    parked.forEach(Promise::complete);
    for (Future<HttpResponse<Buffer>> f : sent) {
      if (!shed.contains(f.result())) {
        assertEquals(200, f.await(5, TimeUnit.SECONDS).statusCode());
      }
    }
    waitUntil(() -> limit.inFlight() == 0);
    parked.clear();
    Future<HttpResponse<Buffer>> after = slow();
    waitUntil(() -> parked.size() == 1);
    parked.poll().complete();
    assertEquals(200, after.await(5, TimeUnit.SECONDS).statusCode(), "a slot is free again once answered");
  }

  @Test
  void a_client_that_goes_away_gives_its_slot_back(Vertx vertx) throws Exception {
    HttpClient raw = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(server.actualPort()));
    for (int i = 0; i < MAX; i++) {
      raw.request(HttpMethod.GET, "/api/slow").compose(request -> request.send());
    }
    waitUntil(() -> limit.inFlight() == MAX);
    assertEquals(503, slow().await(5, TimeUnit.SECONDS).statusCode(), "full");
    raw.close().await(5, TimeUnit.SECONDS);
    waitUntil(() -> limit.inFlight() == 0);
    Future<HttpResponse<Buffer>> after = slow();
    waitUntil(() -> parked.size() == MAX + 1);
    parked.forEach(Promise::tryComplete);
    assertEquals(200, after.await(5, TimeUnit.SECONDS).statusCode());
  }

  private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not met within 5 s");
      Thread.sleep(10);
    }
  }
}
