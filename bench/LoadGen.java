import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open-loop load generator: sends GET requests at a fixed rate, whatever the server's pace, and measures each
 * request's latency from the moment it was due, not from when it could be sent, so a stalled server shows up in the
 * percentiles instead of hiding (no coordinated omission). A warm-up at the same rate comes first and is not
 * recorded. Prints one JSON line.
 *
 * <p>{@code java -cp gateway-verticle/target/gateway-verticle.jar bench/LoadGen.java URL RATE SECONDS [TOKENS_FILE
 * [CONNECTIONS]]}: with a tokens file, requests carry {@code Authorization: Bearer <token>}, taking the file's lines
 * in turn. {@code CONNECTIONS} (default 64) bounds the connections: with few, a backlog waits here, in the generator;
 * with many, as with many independent clients, the server sees it. Latencies of the 2xx answers alone are printed
 * too ({@code okP50Ms}, {@code okP99Ms}), so that quick refusals do not flatter the percentiles.
 */
public class LoadGen {

  private static final int DEFAULT_CONNECTIONS = 64;
  private static final int WARM_UP_SECONDS = 3;

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client;
  private final URI url;
  private final int rate;
  private final List<String> tokens;
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger non2xx = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();

  private final List<Long> okLatencies = Collections.synchronizedList(new ArrayList<>());

  private LoadGen(URI url, int rate, List<String> tokens, int connections) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    this.url = url;
    this.rate = rate;
    this.tokens = tokens;
  }

  public static void main(String[] args) throws Exception {
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    LoadGen load = new LoadGen(URI.create(args[0]), rate,
      args.length > 3 ? Files.readAllLines(Path.of(args[3])) : List.of(),
      args.length > 4 ? Integer.parseInt(args[4]) : DEFAULT_CONNECTIONS);
    load.run(WARM_UP_SECONDS);
    load.okLatencies.clear();
    load.ok.set(0);
    load.non2xx.set(0);
    load.failed.set(0);
    long began = System.nanoTime();
    long[] latencies = load.run(seconds);
    double elapsed = (System.nanoTime() - began) / 1e9;
    int total = latencies.length;
    Arrays.sort(latencies);
    long[] served = load.okLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("{\"rate\":%d,\"seconds\":%d,\"sent\":%d,\"ok\":%d,\"non2xx\":%d,\"errors\":%d,"
        + "\"achievedRate\":%.0f,\"p50Ms\":%.2f,\"p99Ms\":%.2f,\"p999Ms\":%.2f,\"maxMs\":%.2f,"
        + "\"okP50Ms\":%.2f,\"okP99Ms\":%.2f}%n",
      rate, seconds, total, load.ok.get(), load.non2xx.get(), load.failed.get(), total / elapsed,
      ms(latencies, 0.50), ms(latencies, 0.99), ms(latencies, 0.999), latencies[total - 1] / 1e6,
      ms(served, 0.50), ms(served, 0.99));
    load.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** Sends {@code rate × seconds} requests on schedule; each latency is counted from the request's due time. */
  private long[] run(int seconds) throws InterruptedException {
    int total = rate * seconds;
    long[] latencies = new long[total];
    CountDownLatch done = new CountDownLatch(total);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    long intervalNanos = 1_000_000_000L / rate;
    int[] next = {0};
    vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (next[0] < total && start + next[0] * intervalNanos <= now) {
        int i = next[0]++;
        long due = start + i * intervalNanos;
        client.request(request(i)).compose(r -> r.send()).compose(r -> r.body().map(b -> r.statusCode()))
          .onComplete(result -> {
            latencies[i] = System.nanoTime() - due;
            if (result.failed()) {
              failed.incrementAndGet();
            } else if (result.result() / 100 == 2) {
              ok.incrementAndGet();
              okLatencies.add(latencies[i]);
            } else {
              non2xx.incrementAndGet();
            }
            done.countDown();
          });
      }
      if (next[0] == total) {
        vertx.cancelTimer(id);
      }
    });
    if (!done.await(seconds + 60L, TimeUnit.SECONDS)) {
      throw new IllegalStateException("requests still unanswered a minute after the last was due");
    }
    return latencies;
  }

  private RequestOptions request(int i) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(url.getHost())
      .setPort(url.getPort()).setURI(url.getRawPath());
    if (!tokens.isEmpty()) {
      request.addHeader("Authorization", "Bearer " + tokens.get(i % tokens.size()));
    }
    return request;
  }

  private static double ms(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
  }
}
