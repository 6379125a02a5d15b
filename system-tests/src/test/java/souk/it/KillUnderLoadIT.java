package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes of every service kind under steady mixed load (reads, orders, cancels) from several users; one replica
 * of each kind is killed with SIGKILL in turn and started again. Clients retry an order with its Idempotency-Key, as
 * a careful client does. Client errors happen only within the detection window after a kill; then an SQL audit: no
 * acknowledged order lost, none charged twice, every order settled. The figures are printed.
 */
class KillUnderLoadIT {

  private static final int CLIENTS = 6;
  /** Load after each kill, seconds: longer than Hazelcast takes to drop a silent member (6 s). */
  private static final int SECONDS_PER_KILL = 12;
  /** How long after a kill a client may see an error, milliseconds: the member's detection plus a request timeout. */
  private static final long DETECTION_WINDOW_MS = 15_000;

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster(SoukCluster.GATEWAY, SoukCluster.USER, SoukCluster.ORDER,
    SoukCluster.PAYMENT, SoukCluster.USER, SoukCluster.ORDER, SoukCluster.PAYMENT);
  private static final ShopClient shop = new ShopClient(cluster);

  private final Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
  private final List<Long> kills = new CopyOnWriteArrayList<>();
  private final AtomicLong requests = new AtomicLong();
  private volatile boolean running = true;

  @Test
  void a_replica_of_each_kind_killed_under_load_loses_nothing_and_charges_nothing_twice() throws Exception {
    List<Api.Account> shoppers = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      shoppers.add(shop.signUp());
    }
    long began = System.currentTimeMillis();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      for (Api.Account shopper : shoppers) {
        clients.submit(() -> load(shopper));
      }
      TimeUnit.SECONDS.sleep(3);
      for (String kind : List.of(SoukCluster.USER, SoukCluster.ORDER, SoukCluster.PAYMENT)) {
        NodeProcess victim = cluster.nodes().stream().filter(n -> n.name().startsWith(kind + "-") && n.isAlive())
          .reduce((first, second) -> second).orElseThrow();
        kills.add(System.currentTimeMillis());
        victim.kill();
        TimeUnit.SECONDS.sleep(SECONDS_PER_KILL);
        cluster.start(kind);
      }
      TimeUnit.SECONDS.sleep(5);
    } finally {
      running = false;
      clients.shutdown();
      clients.awaitTermination(60, TimeUnit.SECONDS);
    }
    long loadMs = System.currentTimeMillis() - began;

    List<String> outside = new ArrayList<>();
    for (String error : errors) {
      long at = Long.parseLong(error.substring(0, error.indexOf(' ')));
      boolean afterAKill = kills.stream().anyMatch(kill -> at >= kill && at - kill <= DETECTION_WINDOW_MS);
      if (!afterAKill) {
        outside.add(error);
      }
    }
    long pending = shop.awaitSettled();
    Set<String> stored = new HashSet<>();
    for (Api.Account shopper : shoppers) {
      shop.sql(SoukCluster.ORDER, "SELECT id::text FROM orders WHERE user_id = $1", shopper.uuid())
        .forEach(row -> stored.add(row.getString(0)));
    }
    Set<String> lost = new HashSet<>(acknowledged);
    lost.removeAll(stored);
    long charged = shop.count(SoukCluster.PAYMENT,
      "SELECT count(*) FROM (SELECT order_id FROM payment GROUP BY order_id HAVING count(*) > 1) twice");
    System.out.printf("[kill -9 under load] %d clients, %.0f s, %d requests, %d orders acknowledged, "
        + "%d client errors (%d outside the %d s after a kill), lost %d, charged twice %d, pending after %d%n",
      CLIENTS, loadMs / 1000.0, requests.get(), acknowledged.size(), errors.size(), outside.size(),
      DETECTION_WINDOW_MS / 1000, lost.size(), charged, pending);
    errors.stream().collect(java.util.stream.Collectors.groupingBy(e -> e.split(" ")[1],
        java.util.stream.Collectors.counting()))
      .forEach((kind, count) -> System.out.printf("[kill -9 under load]   %d × %s%n", count, kind));

    assertTrue(acknowledged.size() > 20, "too little load to prove anything: " + acknowledged.size());
    assertEquals(Set.of(), lost, "acknowledged orders lost");
    assertEquals(0, charged, "orders charged twice");
    assertEquals(0, pending, "orders never settled");
    assertEquals(List.of(), outside, "client errors outside the detection window after a kill");
  }

  /** One client: place an order (retrying with its key), read it, read the profile, now and then cancel. */
  private void load(Api.Account shopper) {
    int n = 0;
    while (running) {
      n++;
      try {
        String key = UUID.randomUUID().toString();
        JsonObject body = ShopClient.order(n % 5 == 0 ? "tok_chargeDeclined" : "tok_visa", 100 + n, 1);
        HttpResponse<Buffer> placed = call(() -> shop.place(shopper, body, key));
        for (int retry = 0; placed != null && placed.statusCode() != 201 && retry < 40 && running; retry++) {
          TimeUnit.MILLISECONDS.sleep(500);
          placed = call(() -> shop.place(shopper, body, key));
        }
        if (placed != null && placed.statusCode() == 201) {
          String id = placed.bodyAsJsonObject().getString("id");
          acknowledged.add(id);
          call(() -> shop.get(shopper, "/api/v1/orders/" + id));
          if (n % 4 == 0) {
            call(() -> shop.post(shopper, "/api/v1/orders/" + id + "/cancel"));
          }
        }
        call(() -> shop.get(shopper, "/api/v1/users/me"));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private interface Request {
    HttpResponse<Buffer> send() throws Exception;
  }

  /** Sends, and records any 5xx or failed exchange with its time; null when the exchange failed. */
  private HttpResponse<Buffer> call(Request request) throws InterruptedException {
    requests.incrementAndGet();
    try {
      HttpResponse<Buffer> response = request.send();
      if (response.statusCode() >= 500) {
        errors.add(System.currentTimeMillis() + " " + response.statusCode() + " " + response.bodyAsString());
      }
      return response;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      errors.add(System.currentTimeMillis() + " " + e);
      return null;
    }
  }
}
