package souk.user.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where password hashing runs: a fixed pool of worker threads of its own, with a bounded queue. When {@code capacity}
 * hashes are already queued or running, more are refused at once with a 503 and {@code Retry-After} instead of
 * waiting; and a hash whose caller has stopped waiting by the time a thread is free is not computed. A flood of
 * sign-ins therefore cannot pile up work that outlives its requests, nor starve the node's other worker tasks.
 */
public final class HashingQueue {

  /** Seconds a refused caller is asked to wait. */
  static final int RETRY_AFTER_SECONDS = 1;

  private final WorkerExecutor workers;
  private final int capacity;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter shed;
  private final Counter expired;

  /**
   * @param threads  hashing threads (default: as many as cores)
   * @param capacity most hashes queued or running at once
   */
  public HashingQueue(Vertx vertx, int threads, int capacity, MeterRegistry metrics) {
    if (threads < 1 || capacity < threads) {
      throw new IllegalArgumentException("password hashing needs at least one thread and a queue at least as large");
    }
    this.workers = vertx.createSharedWorkerExecutor("souk-password-hashing", threads);
    this.capacity = capacity;
    this.shed = Counter.builder("souk_password_hash_shed").description("Hashes refused because the queue was full")
      .register(metrics);
    this.expired = Counter.builder("souk_password_hash_expired")
      .description("Queued hashes dropped because their caller had stopped waiting").register(metrics);
    Gauge.builder("souk_password_hash_pending", pending, AtomicInteger::get)
      .description("Hashes queued or running").register(metrics);
  }

  /**
   * Runs {@code work} on a hashing thread, unless the queue is full (503) or {@code deadlineNanos} (a
   * {@link System#nanoTime()} value) has passed when its turn comes (504; no one is waiting for the answer).
   */
  public <T> Future<T> submit(Callable<T> work, long deadlineNanos) {
    if (pending.incrementAndGet() > capacity) {
      pending.decrementAndGet();
      shed.increment();
      return Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE,
        "Too many sign-ins are being checked right now; retry in a moment").retryAfter(RETRY_AFTER_SECONDS));
    }
    return workers.<T>executeBlocking(() -> {
      if (System.nanoTime() - deadlineNanos > 0) {
        expired.increment();
        throw new ServiceException(ErrorCode.TIMEOUT, "The request expired before its turn");
      }
      return work.call();
    }, false).onComplete(done -> pending.decrementAndGet());
  }

  /** Whether the queue is less than half full: there is room for work no caller is waiting for. */
  public boolean hasRoomToSpare() {
    return pending.get() < capacity / 2;
  }

  public Future<Void> close() {
    return workers.close();
  }
}
