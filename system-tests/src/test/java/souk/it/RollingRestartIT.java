package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart under mixed load: each node in turn stopped with SIGTERM (it unpublishes, drains what it holds
 * and leaves) and replaced by a new one before the next goes. No client sees a failure, because another node of its
 * kind takes the requests; afterwards every acknowledged order is stored and settled. In {@code mvn verify} the two
 * user nodes are restarted; with {@code -Dsouk.reliability.full=true} ({@code scripts/reliability.sh}) every node of
 * every service kind, two of each.
 */
class RollingRestartIT {

  private static final boolean FULL = Boolean.getBoolean("souk.reliability.full");
  private static final List<String> KINDS = FULL
    ? List.of(SoukCluster.USER, SoukCluster.ORDER, SoukCluster.PAYMENT) : List.of(SoukCluster.USER);

  @RegisterExtension
  static final SoukCluster cluster = FULL
    ? new SoukCluster(SoukCluster.GATEWAY, SoukCluster.USER, SoukCluster.ORDER, SoukCluster.PAYMENT, SoukCluster.USER,
      SoukCluster.ORDER, SoukCluster.PAYMENT)
    : new SoukCluster(SoukCluster.GATEWAY, SoukCluster.USER, SoukCluster.ORDER, SoukCluster.PAYMENT, SoukCluster.USER);

  private static final ShopClient shop = new ShopClient(cluster);

  @Test
  void restarting_every_service_node_in_turn_under_load_fails_no_request() throws Exception {
    awaitTwoOfEach();
    List<Api.Account> shoppers = List.of(shop.signUp(), shop.signUp(), shop.signUp(), shop.signUp());

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(shoppers.size());
    List<Future<?>> loops = new ArrayList<>();
    for (Api.Account shopper : shoppers) {
      loops.add(clients.submit(() -> {
        // bounded: stops when told, or after 20 000 requests
        for (int n = 0; n < 20_000 && running.get(); n++) {
          try {
            HttpResponse<Buffer> response = n % 3 == 0
              ? shop.place(shopper, ShopClient.order("tok_visa", 100 + n, 1), UUID.randomUUID().toString())
              : shop.get(shopper, "/api/v1/users/me");
            if (response.statusCode() == 200 || response.statusCode() == 201) {
              ok.incrementAndGet();
              if (response.statusCode() == 201) {
                acknowledged.add(response.bodyAsJsonObject().getString("id"));
              }
            } else {
              failures.computeIfAbsent(response.statusCode() + " " + response.bodyAsString(),
                k -> new AtomicInteger()).incrementAndGet();
            }
          } catch (Exception e) {
            failures.computeIfAbsent(e.toString(), k -> new AtomicInteger()).incrementAndGet();
          }
        }
        return null;
      }));
    }
    long began = System.nanoTime();
    int restarts = 0;
    try {
      TimeUnit.SECONDS.sleep(2);
      for (String kind : KINDS) {
        for (int replica = 0; replica < 2; replica++) {
          NodeProcess leaving = cluster.node(kind);
          int before = ok.get();
          assertEquals(143, leaving.stop(), "stopped by SIGTERM");
          assertTrue(ok.get() > before, "requests were served while " + leaving.name() + " was stopping");
          cluster.start(kind);
          awaitTwoOfEach();
          restarts++;
        }
      }
      TimeUnit.SECONDS.sleep(2);
    } finally {
      running.set(false);
      for (Future<?> loop : loops) {
        loop.get(60, TimeUnit.SECONDS);
      }
      clients.shutdownNow();
    }
    Set<String> lost = ConcurrentHashMap.newKeySet();
    lost.addAll(acknowledged);
    for (Api.Account shopper : shoppers) {
      shop.sql(SoukCluster.ORDER, "SELECT id::text FROM orders WHERE user_id = $1", shopper.uuid())
        .forEach(row -> lost.remove(row.getString(0)));
    }
    long pending = shop.awaitSettled();
    System.out.printf("[rolling restart under load] %d restarts in %.0f s, %d requests served, %d orders, "
        + "failures %s, lost %d, pending after %d%n", restarts, (System.nanoTime() - began) / 1e9, ok.get(),
      acknowledged.size(), failures, lost.size(), pending);
    assertEquals(Set.of(), lost, "acknowledged orders not stored");
    assertTrue(failures.isEmpty(), "failed requests: " + failures);
    assertEquals(0, pending, "orders never settled");
    assertTrue(ok.get() > 500, "enough requests to mean something: " + ok.get());
  }

  private static void awaitTwoOfEach() throws Exception {
    cluster.awaitStatus("/ready", code -> code == 200 && KINDS.stream()
      .allMatch(kind -> cluster.answering(kind + "-service") == 2), Duration.ofSeconds(90));
  }
}
