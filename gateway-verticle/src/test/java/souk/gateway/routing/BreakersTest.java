package souk.gateway.routing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BreakersTest {

  private static final String SERVICE = "flaky-service";
  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  // long enough that an open breaker stays open across the few calls a test makes, even on a loaded machine
  private final Breakers breakers = new Breakers(3, 1_000, metrics);
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicReference<ErrorCode> answer = new AtomicReference<>(ErrorCode.UNAVAILABLE);

  BreakersTest() {
    vertx.eventBus().<JsonObject>consumer(SERVICE, message -> {
      received.incrementAndGet();
      ErrorCode code = answer.get();
      if (code == null) {
        message.reply(new JsonObject().put("ok", true));
      } else {
        message.fail(code.code(), new ServiceException(code, "as told").toReplyException().getMessage());
      }
    }).completion().await();
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private Future<Object> call(String service, long timeoutMs) {
    return breakers.call(service, () -> vertx.eventBus()
      .request(service, new JsonObject(), new DeliveryOptions().setSendTimeout(timeoutMs)).map(m -> m.body()));
  }

  private Throwable failureOfCall() {
    return assertThrows(Exception.class, () -> call(SERVICE, 2_000).await(5, TimeUnit.SECONDS));
  }

  private double gauge() {
    return metrics.get("souk_breaker_state").tag("service", SERVICE).gauge().value();
  }

  @Test
  void consecutive_failures_open_the_breaker_which_then_fails_fast_without_asking() {
    for (int i = 0; i < 3; i++) {
      failureOfCall();
    }
    assertEquals("open", breakers.state(SERVICE));
    assertEquals(2.0, gauge());
    Throwable fast = failureOfCall();
    assertEquals(3, received.get(), "an open breaker does not touch the event bus");
    ServiceException problem = assertInstanceOf(ServiceException.class, fast);
    assertEquals(ErrorCode.UNAVAILABLE, problem.errorCode());
    assertTrue(problem.retryAfterSeconds() >= 1);
  }

  @Test
  void after_the_reset_time_one_probe_that_succeeds_closes_the_breaker() throws Exception {
    for (int i = 0; i < 3; i++) {
      failureOfCall();
    }
    answer.set(null);
    awaitHalfOpen();
    assertEquals(new JsonObject().put("ok", true), call(SERVICE, 2_000).await(5, TimeUnit.SECONDS));
    assertEquals("closed", breakers.state(SERVICE));
    assertEquals(0.0, gauge());
  }

  @Test
  void a_success_between_failures_starts_the_count_again() throws Exception {
    for (int round = 0; round < 3; round++) {
      failureOfCall();
      failureOfCall();
      answer.set(null);
      call(SERVICE, 2_000).await(5, TimeUnit.SECONDS);
      answer.set(ErrorCode.UNAVAILABLE);
    }
    assertEquals("closed", breakers.state(SERVICE), "six failures, never three in a row");
  }

  @Test
  void while_the_probe_is_out_other_calls_fail_fast_and_a_failed_probe_opens_it_again() throws Exception {
    for (int i = 0; i < 3; i++) {
      failureOfCall();
    }
    awaitHalfOpen();
    SlowCall slow = new SlowCall();
    Future<Object> probe = slow.send();
    slow.arrived.future().await(5, TimeUnit.SECONDS);
    Throwable meanwhile = failureOfCall();
    assertEquals(4, received.get(), "only the probe reached a service");
    assertTrue(ServiceException.from(meanwhile).retryAfterSeconds() >= 1);

    slow.release.complete();
    assertThrows(Exception.class, () -> probe.await(5, TimeUnit.SECONDS));
    assertEquals("open", breakers.state(SERVICE));
    failureOfCall();
    assertEquals(4, received.get(), "open again: nothing is asked until the next probe");
  }

  @Test
  void a_late_failure_of_a_call_sent_before_the_breaker_opened_does_not_count_after_it_closed() throws Exception {
    SlowCall slow = new SlowCall();
    Future<Object> early = slow.send();
    slow.arrived.future().await(5, TimeUnit.SECONDS);
    for (int i = 0; i < 3; i++) {
      failureOfCall();
    }
    answer.set(null);
    awaitHalfOpen();
    call(SERVICE, 2_000).await(5, TimeUnit.SECONDS);
    assertEquals("closed", breakers.state(SERVICE));

    answer.set(ErrorCode.UNAVAILABLE);
    failureOfCall();
    failureOfCall();
    slow.release.complete();
    assertThrows(Exception.class, () -> early.await(5, TimeUnit.SECONDS));
    assertEquals("closed", breakers.state(SERVICE), "two failures since it closed, not three");
  }

  /** A call to the service that fails (as unavailable) only once released. */
  private final class SlowCall {
    final Promise<Void> arrived = Promise.promise();
    final Promise<Void> release = Promise.promise();
    private final String address = "slow-" + SERVICE + "-" + System.nanoTime();

    SlowCall() {
      vertx.eventBus().<JsonObject>consumer(address, message -> {
        received.incrementAndGet();
        arrived.tryComplete();
        release.future().onComplete(v -> message.fail(ErrorCode.UNAVAILABLE.code(),
          new ServiceException(ErrorCode.UNAVAILABLE, "still down").toReplyException().getMessage()));
      }).completion().await();
    }

    Future<Object> send() {
      return breakers.call(SERVICE, () -> vertx.eventBus()
        .request(address, new JsonObject(), new DeliveryOptions().setSendTimeout(5_000)).map(m -> m.body()));
    }
  }

  private void awaitHalfOpen() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!breakers.state(SERVICE).equals("half-open") && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    assertEquals("half-open", breakers.state(SERVICE));
    assertEquals(1.0, gauge());
  }

  @Test
  void answers_that_are_the_clients_fault_never_open_it() {
    answer.set(ErrorCode.NOT_FOUND);
    for (int i = 0; i < 10; i++) {
      failureOfCall();
    }
    assertEquals("closed", breakers.state(SERVICE));
    assertEquals(10, received.get());
  }

  @Test
  void a_service_shedding_load_with_a_retry_after_does_not_open_it() {
    vertx.eventBus().consumer("busy-service", message -> message.fail(ErrorCode.UNAVAILABLE.code(),
      new ServiceException(ErrorCode.UNAVAILABLE, "busy").retryAfter(1).toReplyException().getMessage()))
      .completion().await();
    for (int i = 0; i < 10; i++) {
      Throwable failure = assertThrows(Exception.class, () -> call("busy-service", 2_000).await(5, TimeUnit.SECONDS));
      assertEquals(1, ServiceException.from(failure).retryAfterSeconds());
    }
    assertEquals("closed", breakers.state("busy-service"));
  }

  @Test
  void a_timeout_counts_as_a_failure() {
    vertx.eventBus().consumer("silent-service", message -> { }).completion().await();
    for (int i = 0; i < 3; i++) {
      assertThrows(Exception.class, () -> call("silent-service", 50).await(5, TimeUnit.SECONDS));
    }
    assertEquals("open", breakers.state("silent-service"));
  }
}
