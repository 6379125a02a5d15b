package souk.gateway.limit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;

/**
 * The gateway's two rate limiters, wired: {@link #api()} for every {@code /api} request per client identity, and
 * {@link #login()} for sign-in attempts per (address, email). They are kept in step with the other gateways
 * ({@link UsageSync}), swept of idle buckets, and exported as {@code souk_ratelimit_refused_total} and
 * {@code souk_ratelimit_identities} per limiter.
 */
public final class Limits {

  /** How often idle buckets are dropped, in milliseconds. */
  static final long SWEEP_MS = 10_000;

  private final Vertx vertx;
  private final RateLimiter api;
  private final RateLimiter login;
  private final UsageSync sync;
  private long sweeper = -1;

  /**
   * @param ratePerSecond      API requests per second per identity
   * @param burst              API requests an identity may make at once
   * @param loginPerMinute     sign-in attempts per minute per (address, email); also the burst
   * @param maxIdentities      most buckets each limiter keeps
   * @param syncMs             how often gateways tell each other what they admitted, milliseconds
   */
  public Limits(Vertx vertx, String nodeId, MeterRegistry metrics, int ratePerSecond, int burst, int loginPerMinute,
                int maxIdentities, long syncMs) {
    this.vertx = vertx;
    this.api = new RateLimiter("api", ratePerSecond, burst, maxIdentities, System::nanoTime);
    this.login = new RateLimiter("login", loginPerMinute / 60.0, loginPerMinute, maxIdentities, System::nanoTime);
    this.sync = new UsageSync(vertx, nodeId, List.of(api, login), syncMs);
    for (RateLimiter limiter : List.of(api, login)) {
      FunctionCounter.builder("souk_ratelimit_refused", limiter, RateLimiter::refused)
        .description("Requests refused with 429 by a rate limiter").tag("limiter", limiter.name()).register(metrics);
      Gauge.builder("souk_ratelimit_identities", limiter, RateLimiter::size)
        .description("Client identities with a token bucket").tag("limiter", limiter.name()).register(metrics);
    }
  }

  public RateLimiter api() {
    return api;
  }

  public RateLimiter login() {
    return login;
  }

  public Future<Void> start() {
    sweeper = vertx.setPeriodic(SWEEP_MS, id -> {
      api.sweep();
      login.sweep();
    });
    return sync.start();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(sweeper);
    return sync.stop();
  }
}
