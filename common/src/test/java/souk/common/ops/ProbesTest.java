package souk.common.ops;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import souk.common.cluster.ClusterView;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Liveness over HTTP, and readiness checks through the real health-check library. */
class ProbesTest {

  private Vertx vertx;
  private final List<Throwable> unhandled = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.exceptionHandler(unhandled::add);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void a_check_answering_after_its_timeout_counts_as_failed_and_its_late_answer_is_dropped() throws Exception {
    Promise<Status> slow = Promise.promise();
    HealthChecks checks = HealthChecks.create(vertx).register("slow", 100, Probes.procedure(slow::future));

    CheckResult result = checks.checkStatus().await(10, TimeUnit.SECONDS);
    assertFalse(result.getUp(), "a check that has not answered in time is down");

    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> slow.complete(Status.OK()));
    // tasks on one context run in order: once this one has run, the late answer has been handled
    Promise<Void> after = Promise.promise();
    context.runOnContext(v -> after.complete());
    after.future().await(10, TimeUnit.SECONDS);
    assertEquals(List.of(), unhandled, "the late answer completed the timed-out check again");
  }

  @Test
  void health_answers_up_in_the_health_check_format_every_time() throws Exception {
    Probes probes = new Probes(vertx, new ClusterView(null, false),
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    HttpServer server = probes.serve(vertx, "127.0.0.1", 0, router -> { }).await(10, TimeUnit.SECONDS);
    HttpClient client = vertx.createHttpClient();
    JsonObject expected = new JsonObject("""
      {"status":"UP","checks":[{"id":"process","status":"UP"}],"outcome":"UP"}""");
    // the answer is made once: a later request must get it whole too. The body is asked for inside send()'s
    // callback: chained after it from this thread, it can be asked for once the response has ended, and never come
    for (int i = 0; i < 3; i++) {
      HttpClientResponse[] response = new HttpClientResponse[1];
      Buffer body = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", Probes.HEALTH)
        .compose(request -> request.send().compose(answer -> {
          response[0] = answer;
          return answer.body();
        })).await(10, TimeUnit.SECONDS);
      assertEquals(200, response[0].statusCode());
      assertEquals("application/json;charset=UTF-8", response[0].getHeader("content-type"));
      assertEquals(expected, body.toJsonObject());
    }
  }
}
