package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * A node stopped with SIGTERM while requests keep coming: it unpublishes, drains what it holds and leaves, and no
 * client sees a failure, because another node of its kind takes the requests.
 */
class RollingRestartIT {

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster(SoukCluster.GATEWAY, SoukCluster.USER, SoukCluster.ORDER,
    SoukCluster.PAYMENT, SoukCluster.USER);

  private static final Api api = new Api(cluster);

  @Test
  void stopping_one_of_two_user_nodes_under_load_fails_no_request() throws Exception {
    cluster.awaitStatus("/ready", code -> code == 200 && cluster.answering("user-service") == 2,
      Duration.ofSeconds(60));
    Api.Account account = api.newAccount();
    NodeProcess leaving = cluster.node("user");

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<?>> loops = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      loops.add(clients.submit(() -> {
        // bounded: stops when told, or after 2 000 requests
        for (int n = 0; n < 2_000 && running.get(); n++) {
          try {
            HttpResponse<Buffer> response = api.get("/api/v1/users/me", account.bearer());
            if (response.statusCode() == 200) {
              ok.incrementAndGet();
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
    try {
      TimeUnit.SECONDS.sleep(2);
      int before = ok.get();
      assertEquals(143, leaving.stop(), "stopped by SIGTERM");
      int during = ok.get() - before;
      TimeUnit.SECONDS.sleep(3);
      running.set(false);
      for (Future<?> loop : loops) {
        loop.get(60, TimeUnit.SECONDS);
      }
      assertTrue(during > 0, "requests were served while the node was stopping");
      assertTrue(failures.isEmpty(), "failed requests: " + failures);
      assertTrue(ok.get() > 100, "enough requests to mean something: " + ok.get());
    } finally {
      running.set(false);
      clients.shutdownNow();
    }
  }
}
