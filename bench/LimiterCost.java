import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import souk.gateway.limit.RateLimiter;
import souk.gateway.routing.Breakers;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the gateway's rate limiter and circuit breaker cost per request, measured in isolation: a limiter decision for
 * one of 10 000 identities, and a call through a closed breaker around an already completed future. Prints one JSON
 * line. {@code java -cp gateway-verticle/target/gateway-verticle.jar bench/LimiterCost.java}.
 */
public class LimiterCost {

  public static void main(String[] args) throws Exception {
    String[] identities = new String[10_000];
    for (int i = 0; i < identities.length; i++) {
      identities[i] = "user:" + java.util.UUID.randomUUID();
    }
    RateLimiter limiter = new RateLimiter("api", 1e9, 1_000_000_000, 50_000, System::nanoTime);
    int rounds = 5_000_000;
    long limiterNs = 0;
    for (int pass = 0; pass < 3; pass++) {
      long began = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        limiter.acquire(identities[i % identities.length]);
      }
      limiterNs = (System.nanoTime() - began) / rounds;
      limiter.drainUsage();
    }

    Vertx vertx = Vertx.vertx();
    Breakers breakers = new Breakers(5, 5_000, new SimpleMeterRegistry());
    int calls = 1_000_000;
    CompletableFuture<Long> breakerNs = new CompletableFuture<>();
    // on an event loop, as in the gateway
    vertx.runOnContext(v -> {
      long perCall = 0;
      for (int pass = 0; pass < 3; pass++) {
        long began = System.nanoTime();
        for (int i = 0; i < calls; i++) {
          breakers.call("user-service", () -> Future.succeededFuture(Boolean.TRUE));
        }
        perCall = (System.nanoTime() - began) / calls;
      }
      breakerNs.complete(perCall);
    });
    System.out.printf("{\"limiterNsPerRequest\":%d,\"breakerNsPerCall\":%d}%n", limiterNs,
      breakerNs.get(120, TimeUnit.SECONDS));
    vertx.close();
    System.exit(0);
  }
}
