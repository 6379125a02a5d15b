package souk.user.service;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HashingQueueTest {

  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final HashingQueue queue = new HashingQueue(vertx, 1, 2, metrics);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static long inSeconds(int seconds) {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }

  private static ServiceException failure(Future<?> future) {
    Exception thrown = assertThrows(Exception.class, () -> future.await(5, TimeUnit.SECONDS));
    return assertInstanceOf(ServiceException.class, thrown);
  }

  @Test
  void when_the_queue_is_full_more_work_is_refused_at_once_with_a_retry_after() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Future<Boolean> running = queue.submit(() -> release.await(5, TimeUnit.SECONDS), inSeconds(10));
    Future<Boolean> queued = queue.submit(() -> true, inSeconds(10));
    ServiceException refused = failure(queue.submit(() -> true, inSeconds(10)));
    assertEquals(ErrorCode.UNAVAILABLE, refused.errorCode());
    assertEquals(1, refused.retryAfterSeconds());
    assertEquals(1.0, metrics.get("souk_password_hash_shed").counter().count());
    release.countDown();
    assertEquals(true, running.await(5, TimeUnit.SECONDS));
    assertEquals(true, queued.await(5, TimeUnit.SECONDS));
    assertEquals(true, queue.submit(() -> true, inSeconds(10)).await(5, TimeUnit.SECONDS), "room again");
  }

  @Test
  void work_whose_caller_stopped_waiting_is_not_started() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Future<Boolean> running = queue.submit(() -> release.await(5, TimeUnit.SECONDS), inSeconds(10));
    AtomicBoolean ran = new AtomicBoolean();
    Future<Boolean> expiring = queue.submit(() -> ran.getAndSet(true), System.nanoTime() + 50_000_000L);
    TimeUnit.MILLISECONDS.sleep(200);
    release.countDown();
    assertEquals(ErrorCode.TIMEOUT, failure(expiring).errorCode());
    assertFalse(ran.get(), "the expired hash was never computed");
    assertEquals(1.0, metrics.get("souk_password_hash_expired").counter().count());
    running.await(5, TimeUnit.SECONDS);
  }
}
