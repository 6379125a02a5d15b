package souk.gateway.routing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One circuit breaker per downstream service kind (vertx-circuit-breaker). {@code maxFailures} consecutive failures
 * (timeouts, no node answering, 5xx answers other than load shedding) open it; while open, calls fail at once with a
 * 503 and a {@code Retry-After} of the time left, without touching the event bus. After {@code resetMs} one call is let through
 * (half-open): its success closes the breaker, its failure opens it again. Answers that are the client's fault (4xx)
 * are successes for the breaker. The breaker never retries: a timed-out call may have been served.
 */
public final class Breakers {

  private static final Logger LOG = LoggerFactory.getLogger(Breakers.class);

  private final Vertx vertx;
  private final CircuitBreakerOptions options;
  private final MeterRegistry metrics;
  private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

  /**
   * @param maxFailures consecutive failures that open a breaker
   * @param resetMs     how long a breaker stays open before it lets one call probe, milliseconds
   */
  public Breakers(Vertx vertx, int maxFailures, long resetMs, MeterRegistry metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.options = new CircuitBreakerOptions()
      .setMaxFailures(maxFailures)
      .setResetTimeout(resetMs)
      // the event-bus send timeout bounds every call; a second timer per call would only cost
      .setTimeout(-1)
      .setMaxRetries(0)
      .setFailuresRollingWindow(60_000);
  }

  /** Runs {@code call} through the breaker of {@code service}. */
  public <T> Future<T> call(String service, Supplier<Future<T>> call) {
    Breaker breaker = breakers.computeIfAbsent(service, this::create);
    Supplier<Future<T>> read = () -> call.get().recover(f -> Future.failedFuture(ServiceException.readOnce(f)));
    return breaker.circuit.execute(read).recover(failure -> failure instanceof OpenCircuitException
      ? Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE,
        service + " is failing; it is not being asked for a few seconds").retryAfter(breaker.secondsUntilProbe()))
      : Future.failedFuture(failure));
  }

  /** {@code closed}, {@code open} or {@code half-open}; {@code closed} for a service never called. */
  public String state(String service) {
    Breaker breaker = breakers.get(service);
    return breaker == null ? "closed" : name(breaker.circuit.state());
  }

  private Breaker create(String service) {
    Breaker breaker = new Breaker(CircuitBreaker.create("souk-" + service, vertx, options));
    breaker.circuit
      .failurePolicy(done -> done.failed() && countsAsFailure(done.cause()))
      .openHandler(v -> {
        breaker.openedAt = System.nanoTime();
        LOG.warn("circuit breaker opened", kv("service", service), kv("resetMs", options.getResetTimeout()));
      })
      .halfOpenHandler(v -> LOG.info("circuit breaker half-open: probing", kv("service", service)))
      .closeHandler(v -> LOG.info("circuit breaker closed", kv("service", service)));
    Gauge.builder("souk_breaker_state", breaker, b -> level(b.circuit.state()))
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

  private static int level(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  private static String name(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> "closed";
      case HALF_OPEN -> "half-open";
      case OPEN -> "open";
    };
  }

  private final class Breaker {
    final CircuitBreaker circuit;
    volatile long openedAt;

    Breaker(CircuitBreaker circuit) {
      this.circuit = circuit;
    }

    int secondsUntilProbe() {
      long leftMs = options.getResetTimeout() - (System.nanoTime() - openedAt) / 1_000_000;
      return (int) Math.max(1, (leftMs + 999) / 1000);
    }
  }
}
