package souk.gateway.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One circuit breaker per downstream service kind. {@code maxFailures} consecutive failures (timeouts, no node
 * answering, 5xx answers other than load shedding) open it; while open, calls fail at once with a 503 and a
 * {@code Retry-After} of the time left, without touching the event bus. After {@code resetMs} one call is let through
 * (half-open): its success closes the breaker, its failure opens it again. Answers that are the client's fault (4xx)
 * are successes for the breaker. The breaker never retries: a timed-out call may have been served.
 *
 * <p>The outcome of a call sent before the breaker last opened or closed is not counted: a timeout that arrives after
 * a probe closed the breaker says nothing of the service now.
 *
 * <p>Every event loop of the gateway calls through the same breakers. A closed breaker costs a call three volatile
 * reads and, after a failure, one write; a call's outcome is recorded on the thread that completes it, with no
 * hand-off to another task. Only the transitions, which are rare, take a lock.
 */
public final class Breakers {

  private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);

  private final int maxFailures;
  private final long resetMs;
  private final MeterRegistry metrics;
  private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

  /**
   * @param maxFailures consecutive failures that open a breaker
   * @param resetMs     how long a breaker stays open before it lets one call probe, milliseconds
   */
  public Breakers(int maxFailures, long resetMs, MeterRegistry metrics) {
    if (maxFailures < 1 || resetMs < 1) {
      throw new IllegalArgumentException("a breaker needs at least one failure and a positive reset time");
    }
    this.maxFailures = maxFailures;
    this.resetMs = resetMs;
    this.metrics = metrics;
  }

  /** Runs {@code call} through the breaker of {@code service}. */
  public <T> Future<T> call(String service, Supplier<Future<T>> call) {
    Breaker breaker = breakers.computeIfAbsent(service, this::create);
    Admission admission = breaker.admit();
    if (admission == Admission.REFUSED) {
      return Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE,
        service + " is failing; it is not being asked for a few seconds").retryAfter(breaker.secondsUntilProbe()));
    }
    int generation = breaker.generation;
    Future<T> result;
    try {
      result = call.get().recover(f -> Future.failedFuture(ServiceException.readOnce(f)));
    } catch (Throwable e) {
      // a probe that threw must still report, or the breaker would wait for it for ever
      result = Future.failedFuture(ServiceException.readOnce(e));
    }
    boolean probe = admission == Admission.PROBE;
    return result.andThen(done ->
      breaker.record(generation, done.failed() && countsAsFailure(done.cause()), probe));
  }

  /** {@code closed}, {@code open} or {@code half-open}; {@code closed} for a service never called. */
  public String state(String service) {
    Breaker breaker = breakers.get(service);
    return breaker == null ? "closed" : breaker.current().label;
  }

  private Breaker create(String service) {
    Breaker breaker = new Breaker(service);
    Gauge.builder("souk_breaker_state", breaker, b -> b.current().level)
      .description("Circuit breaker per service: 0 closed, 1 half-open, 2 open")
      .tag("service", service)
      .register(metrics);
    return breaker;
  }

  /**
   * Timeouts, no node, and 5xx answers are failures; a 4xx is the client's, and a 503 that says when to retry is a
   * service shedding load by design (a sign-in flood, say), which must not cut off that service's other work.
   */
  static boolean countsAsFailure(Throwable failure) {
    ServiceException problem = ServiceException.from(failure);
    return problem.errorCode().httpStatus() >= 500 && problem.retryAfterSeconds() == 0;
  }

  private enum Admission { CALL, PROBE, REFUSED }

  private enum State {
    CLOSED("closed", 0), HALF_OPEN("half-open", 1), OPEN("open", 2);

    final String label;
    final int level;

    State(String label, int level) {
      this.label = label;
      this.level = level;
    }
  }

  private final class Breaker {
    private final String service;
    private final AtomicInteger failures = new AtomicInteger();
    private boolean probing;   // under the lock
    private volatile State state = State.CLOSED;
    private volatile long openedAt;
    /** Changes at every opening and closing: the outcome of a call sent before the last one says nothing now. */
    private volatile int generation;

    Breaker(String service) {
      this.service = service;
    }

    /** The state as a caller would find it: an open breaker whose time is up is half-open. */
    State current() {
      State now = state;
      return now == State.OPEN && waitedEnough() ? State.HALF_OPEN : now;
    }

    /** Whether a call may go out now, and as what; an open breaker whose time is up becomes half-open. */
    Admission admit() {
      if (state == State.CLOSED) {
        return Admission.CALL;
      }
      synchronized (this) {
        if (state == State.CLOSED) {
          return Admission.CALL;
        }
        if (state == State.OPEN) {
          if (!waitedEnough()) {
            return Admission.REFUSED;
          }
          state = State.HALF_OPEN;
          probing = false;
          LOG.info("circuit breaker half-open: probing", kv("service", service));
        }
        if (probing) {
          return Admission.REFUSED;
        }
        probing = true;
        return Admission.PROBE;
      }
    }

    void record(int sentIn, boolean failed, boolean probe) {
      if (sentIn != generation) {
        return;
      }
      if (!failed) {
        if (probe) {
          close(sentIn);
        } else if (failures.get() != 0) {
          failures.set(0);
        }
      } else if (probe || failures.incrementAndGet() >= maxFailures) {
        open(sentIn, probe);
      }
    }

    private synchronized void close(int sentIn) {
      if (sentIn != generation) {
        return;
      }
      generation++;
      failures.set(0);
      state = State.CLOSED;
      LOG.info("circuit breaker closed", kv("service", service));
    }

    private synchronized void open(int sentIn, boolean probe) {
      // only the probe decides a half-open breaker
      if (sentIn != generation || state == State.OPEN || (state == State.HALF_OPEN && !probe)) {
        return;
      }
      generation++;
      openedAt = System.nanoTime();
      state = State.OPEN;
      failures.set(0);
      LOG.warn("circuit breaker opened", kv("service", service), kv("resetMs", resetMs));
    }

    private boolean waitedEnough() {
      return System.nanoTime() - openedAt >= TimeUnit.MILLISECONDS.toNanos(resetMs);
    }

    int secondsUntilProbe() {
      long leftMs = resetMs - (System.nanoTime() - openedAt) / 1_000_000;
      return (int) Math.max(1, (leftMs + 999) / 1000);
    }
  }
}
