package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What clients see when a node stops answering, the database is slow or goes away: a 504 or a 503 problem, never a
 * 500, nothing half-written, and an order whose answer was lost recovered with its Idempotency-Key; and the system
 * heals by itself when the fault is gone. The cluster runs on a private PostgreSQL
 * server that the test crashes and restarts.
 */
class FailureModesIT {

  @RegisterExtension
  @Order(1)
  static final PrivatePostgres postgres = new PrivatePostgres();

  @RegisterExtension
  @Order(2)
  static final SoukCluster cluster = new SoukCluster()
    .env("SOUK_PG_HOST", "127.0.0.1")
    .env("SOUK_PG_PORT", String.valueOf(postgres.port()))
    .env("SOUK_REQUEST_TIMEOUT_MS", "1500");

  private static final Api api = new Api(cluster);
  private static final ShopClient shop = new ShopClient(cluster);

  @Test
  void an_order_answered_504_that_did_commit_is_recovered_with_its_idempotency_key() throws Exception {
    Api.Account shopper = shop.signUp();
    String key = UUID.randomUUID().toString();
    JsonObject body = ShopClient.order("tok_visa", 700, 1);
    // the order's insert waits on this lock, longer than the gateway waits for the order node
    PgConnection blocker = cluster.connect(SoukCluster.ORDER);
    try {
      blocker.query("BEGIN").execute().await(10, TimeUnit.SECONDS);
      blocker.query("LOCK TABLE orders IN SHARE MODE").execute().await(10, TimeUnit.SECONDS);
      UsersAndAuthIT.assertProblem(shop.place(shopper, body, key), 504);
      // the first attempt is still under way: a retry with the key is told so, and creates nothing
      UsersAndAuthIT.assertProblem(shop.place(shopper, body, key), 409);
    } finally {
      blocker.query("ROLLBACK").execute().await(10, TimeUnit.SECONDS);
      blocker.close();
    }
    // the first attempt commits once the lock is gone; retrying with the same key returns that order
    HttpResponse<Buffer> recovered = awaitStatus(() -> shop.place(shopper, body, key), 201);
    assertEquals("true", recovered.getHeader("Idempotent-Replayed"), recovered.bodyAsString());
    String orderId = recovered.bodyAsJsonObject().getString("id");
    shop.awaitOrder(shopper, orderId, o -> "CONFIRMED".equals(o.getString("status")));
    assertEquals(1, cluster.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE user_id = $1", shopper.uuid()));
    assertEquals(1, cluster.count(SoukCluster.PAYMENT, "SELECT count(*) FROM payment WHERE order_id::text = $1",
      orderId));
  }

  @Test
  void a_node_that_does_not_answer_in_time_is_a_504_and_recovers() throws Exception {
    Api.Account account = api.newAccount();
    NodeProcess user = cluster.node("user");
    signal("STOP", user);
    HttpResponse<Buffer> slow;
    try {
      slow = api.get("/api/v1/users/me", account.bearer());
    } finally {
      signal("CONT", user);
    }
    UsersAndAuthIT.assertProblem(slow, 504);
    awaitStatus(() -> api.get("/api/v1/users/me", account.bearer()), 200);
  }

  @Test
  void with_the_database_down_requests_are_503_and_nothing_is_half_written() throws Exception {
    Api.Account shopper = shop.signUp();
    postgres.crash();
    try {
      HttpResponse<Buffer> signUp = api.json(HttpMethod.POST, "/api/v1/users", null, new JsonObject()
        .put("name", "Down").put("email", "down-" + UUID.randomUUID() + "@example.com").put("password", "12345678"));
      UsersAndAuthIT.assertProblem(signUp, 503);
      assertNotNull(signUp.getHeader("Retry-After"));
      UsersAndAuthIT.assertProblem(shop.place(shopper, ShopClient.order("tok_visa", 500, 1), null), 503);

      NodeProcess order = cluster.node("order");
      var ready = cluster.client().get(order.managementPort(), "127.0.0.1", "/ready").send()
        .await(10, TimeUnit.SECONDS);
      assertEquals(503, ready.statusCode());
      assertEquals("DOWN", ClusterLifecycleIT.checkStatus(ready.bodyAsJsonObject(), "database"));
    } finally {
      postgres.start();
    }
    String orderId = awaitStatus(() -> shop.place(shopper, ShopClient.order("tok_visa", 500, 1), null), 201)
      .bodyAsJsonObject().getString("id");
    shop.awaitOrder(shopper, orderId, o -> "CONFIRMED".equals(o.getString("status")));
    // the refused order left no trace: the shopper has exactly the order placed after the restart
    assertEquals(1, cluster.count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE user_id = $1", shopper.uuid()));
  }

  @Test
  void with_the_database_down_under_load_clients_get_503s_and_nothing_is_lost() throws Exception {
    int outageSeconds = Integer.getInteger("souk.reliability.outageSeconds", 15);
    List<Api.Account> shoppers = List.of(shop.signUp(), shop.signUp(), shop.signUp(), shop.signUp());
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    List<String> wrong = new CopyOnWriteArrayList<>();
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService clients = Executors.newFixedThreadPool(shoppers.size());
    long heapBefore = cluster.node(SoukCluster.GATEWAY).heapAfterGcKb();
    long recoveredAfterMs;
    try {
      for (Api.Account shopper : shoppers) {
        clients.submit(() -> {
          for (int n = 0; running.get(); n++) {
            // a careful client: one key per order, retried until acknowledged
            String key = UUID.randomUUID().toString();
            JsonObject body = ShopClient.order("tok_visa", 100 + n, 1);
            for (int attempt = 0; attempt < 200 && running.get(); attempt++) {
              try {
                HttpResponse<Buffer> answer = shop.place(shopper, body, key);
                statuses.computeIfAbsent(answer.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                if (answer.statusCode() == 201) {
                  acknowledged.add(answer.bodyAsJsonObject().getString("id"));
                  break;
                }
                if (answer.statusCode() != 503 || answer.getHeader("Retry-After") == null) {
                  wrong.add(answer.statusCode() + " " + answer.bodyAsString());
                }
                TimeUnit.MILLISECONDS.sleep(200);
              } catch (InterruptedException e) {
                return null;
              } catch (Exception e) {
                wrong.add(String.valueOf(e));
              }
            }
          }
          return null;
        });
      }
      TimeUnit.SECONDS.sleep(3);
      postgres.crash();
      long restarted;
      try {
        TimeUnit.SECONDS.sleep(outageSeconds);
      } finally {
        restarted = System.nanoTime();
        postgres.start();
      }
      int before = acknowledged.size();
      // a figure, not a condition: the assertions below judge what was lost
      Eventually.poll(Duration.ofSeconds(90), Duration.ofMillis(100), acknowledged::size, n -> n >= before + 20);
      recoveredAfterMs = (System.nanoTime() - restarted) / 1_000_000;
      TimeUnit.SECONDS.sleep(3);
    } finally {
      running.set(false);
      clients.shutdown();
      clients.awaitTermination(60, TimeUnit.SECONDS);
    }
    long heapAfter = cluster.node(SoukCluster.GATEWAY).heapAfterGcKb();
    for (Api.Account shopper : shoppers) {
      for (var row : cluster.sql(SoukCluster.ORDER, "SELECT id::text FROM orders WHERE user_id = $1", shopper.uuid())) {
        acknowledged.remove(row.getString(0));
      }
    }
    long pending = shop.awaitSettled();
    long twice = cluster.count(SoukCluster.PAYMENT,
      "SELECT count(*) FROM (SELECT order_id FROM payment GROUP BY order_id HAVING count(*) > 1) t");
    System.out.printf("[database down under load] %d s outage, statuses %s, orders again 20 at %d ms after the "
        + "restart, lost %d, pending after %d, charged twice %d, gateway heap after GC %d -> %d KB%n", outageSeconds,
      statuses, recoveredAfterMs, acknowledged.size(), pending, twice, heapBefore, heapAfter);
    assertEquals(List.of(), wrong, "answers other than 201 or 503 with Retry-After");
    assertTrue(statuses.getOrDefault(503, new AtomicInteger()).get() > 0, "the outage was never seen");
    assertEquals(Set.of(), acknowledged, "acknowledged orders lost");
    assertEquals(0, pending);
    assertEquals(0, twice);
    assertTrue(heapAfter <= heapBefore + 32 * 1024, "gateway heap grew from " + heapBefore + " to " + heapAfter);
  }

  @Test
  void a_gateway_stopped_with_a_request_in_flight_answers_it_before_it_exits() throws Exception {
    Api.Account account = api.newAccount();
    NodeProcess user = cluster.node("user");
    NodeProcess gateway = cluster.node("gateway");
    signal("STOP", user);
    CompletableFuture<HttpResponse<Buffer>> inFlight;
    try {
      inFlight = CompletableFuture.supplyAsync(() -> {
        try {
          return api.get("/api/v1/users/me", account.bearer());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      // no sign tells when the request has reached the stopped user node: give it the time it needs to get there
      TimeUnit.MILLISECONDS.sleep(300);
      signal("TERM", gateway);
      Eventually.until("the gateway beginning to stop", Duration.ofSeconds(10),
        () -> gateway.log().contains("stopping node"));
    } finally {
      signal("CONT", user);
    }
    HttpResponse<Buffer> answer = inFlight.get(30, TimeUnit.SECONDS);
    assertEquals(200, answer.statusCode(), answer.bodyAsString());
    assertEquals(143, gateway.stop(), "the gateway then exits");
    // the other tests need a gateway: a new one on the same port
    cluster.start(SoukCluster.GATEWAY);
    cluster.awaitReady(Duration.ofSeconds(90));
  }

  private interface Call {
    HttpResponse<Buffer> send() throws Exception;
  }

  /** Repeats {@code call} until it answers {@code status} (60 s at most). */
  private static HttpResponse<Buffer> awaitStatus(Call call, int status) throws Exception {
    return Eventually.await("an answer " + status, Duration.ofSeconds(60), call::send,
      answer -> answer.statusCode() == status);
  }

  private static void signal(String signal, NodeProcess node) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(node.pid())).start();
    assertEquals(0, kill.waitFor(), "kill -" + signal);
  }
}
