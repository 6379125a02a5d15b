package souk.common.ops;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Readiness checks through the real health-check library. */
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
}
