package souk.common.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import souk.common.cluster.ClusterView;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code /health} (the process answers), {@code /ready} (every registered check passes; 503 with each check's
 * detail otherwise) and {@code /metrics} (Prometheus text), for the gateway and the management port of service
 * nodes alike.
 */
public final class Probes {

  public static final String HEALTH = "/health";
  public static final String READY = "/ready";
  public static final String METRICS = "/metrics";

  /** A check that does not answer within this many milliseconds counts as failed. */
  public static final long DEFAULT_CHECK_TIMEOUT_MS = 2_000;

  /**
   * What {@code /health} answers, in the health-check library's format: the process is up. Liveness is the event
   * loop answering at all, so the answer is made once; the library would start a timer and create an exception per
   * request to say the same.
   */
  private static final Buffer UP = new JsonObject().put("status", "UP")
    .put("checks", new JsonArray().add(new JsonObject().put("id", "process").put("status", "UP")))
    .put("outcome", "UP").toBuffer();
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json;charset=UTF-8");

  private final HealthCheckHandler ready;
  private final PrometheusMeterRegistry registry;

  public Probes(Vertx vertx, ClusterView cluster, PrometheusMeterRegistry registry) {
    this.ready = HealthCheckHandler.create(vertx);
    this.registry = registry;
    check("cluster", () -> {
      if (!cluster.isActive()) {
        return Future.succeededFuture(Status.KO());
      }
      JsonObject data = new JsonObject().put("nodeId", cluster.nodeId()).put("members", cluster.nodes().size());
      if (cluster.insecure()) {
        data.put("insecure", "the event bus is reachable from other hosts without TLS (SOUK_CLUSTER_INSECURE)");
      }
      return Future.succeededFuture(Status.OK(data));
    });
  }

  /** Adds a readiness check; a failed future counts as KO. */
  public Probes check(String name, Supplier<Future<Status>> check) {
    ready.register(name, DEFAULT_CHECK_TIMEOUT_MS, procedure(check));
    return this;
  }

  /**
   * A health-check procedure answering with {@code check}'s outcome. The health-check library fails the promise by
   * itself when the check takes longer than its timeout; an outcome that comes after that is dropped, where
   * completing the promise again would throw on the event loop (logged as an unhandled exception with a stack trace:
   * a readiness ping slow to answer while a host is cut off is enough).
   */
  static Handler<Promise<Status>> procedure(Supplier<Future<Status>> check) {
    return promise -> check.get().onComplete(done -> {
      if (done.succeeded()) {
        promise.tryComplete(done.result());
      } else {
        promise.tryFail(done.cause());
      }
    });
  }

  public Router mount(Router router) {
    router.get(HEALTH).handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(UP));
    router.get(READY).handler(ready);
    router.get(METRICS).handler(PrometheusScrapingHandler.create(registry));
    return router;
  }

  /** A management server (service nodes) on {@code host:port}: the probes, and what {@code more} mounts. */
  public Future<HttpServer> serve(Vertx vertx, String host, int port, Consumer<Router> more) {
    Router router = mount(Router.router(vertx));
    more.accept(router);
    return vertx.createHttpServer().requestHandler(router).listen(port, host);
  }
}
