package souk.gateway.limit;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private RateLimiter limiter(double rate, int burst, int identities) {
    return new RateLimiter("api", rate, burst, identities, now::get);
  }

  private void advanceMs(long ms) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void a_full_bucket_admits_its_burst_then_refuses_with_the_wait_for_one_token() {
    RateLimiter limiter = limiter(2, 5, 10);
    for (int i = 4; i >= 0; i--) {
      RateLimiter.Decision decision = limiter.acquire("ada");
      assertTrue(decision.allowed());
      assertEquals(5, decision.limit());
      assertEquals(i, decision.remaining());
    }
    RateLimiter.Decision refused = limiter.acquire("ada");
    assertFalse(refused.allowed());
    assertEquals(0, refused.remaining());
    assertEquals(1, refused.retryAfterSeconds(), "one token comes back in half a second: wait 1 s");
    assertEquals(3, refused.resetSeconds(), "five tokens at two a second: full again in 2.5 s, rounded up");
    assertEquals(1, limiter.refused());
  }

  @Test
  void tokens_come_back_at_the_rate_and_never_beyond_the_burst() {
    RateLimiter limiter = limiter(10, 3, 10);
    for (int i = 0; i < 3; i++) {
      limiter.acquire("ada");
    }
    assertFalse(limiter.acquire("ada").allowed());
    advanceMs(150);
    assertTrue(limiter.acquire("ada").allowed(), "0.15 s at 10/s is one and a half tokens");
    assertFalse(limiter.acquire("ada").allowed());
    advanceMs(60_000);
    assertEquals(2, limiter.acquire("ada").remaining(), "a minute later the bucket holds its burst, no more");
  }

  @Test
  void identities_do_not_share_a_bucket() {
    RateLimiter limiter = limiter(1, 1, 10);
    assertTrue(limiter.acquire("ada").allowed());
    assertFalse(limiter.acquire("ada").allowed());
    assertTrue(limiter.acquire("grace").allowed());
  }

  @Test
  void usage_admitted_elsewhere_is_charged_and_repaid_before_more_is_admitted() {
    RateLimiter here = limiter(10, 10, 10);
    here.charge("ada", 25);
    assertFalse(here.acquire("ada").allowed(), "the bucket is below zero: ten tokens owed");
    advanceMs(900);
    assertFalse(here.acquire("ada").allowed(), "0.9 s brings back 9 of the 10 tokens owed: nothing to spend yet");
    advanceMs(300);
    assertTrue(here.acquire("ada").allowed());
  }

  @Test
  void drained_usage_counts_admitted_requests_only_and_starts_again_empty() {
    RateLimiter limiter = limiter(1, 2, 10);
    limiter.acquire("ada");
    limiter.acquire("ada");
    limiter.acquire("ada");
    limiter.acquire("grace");
    assertEquals(Map.of("ada", 2, "grace", 1), limiter.drainUsage());
    assertEquals(Map.of(), limiter.drainUsage());
  }

  @Test
  void a_million_identities_keep_no_more_buckets_than_the_bound() {
    RateLimiter limiter = limiter(50, 100, 10_000);
    for (int i = 0; i < 1_000_000; i++) {
      limiter.acquire("addr:10." + (i >> 16) + "." + (i >> 8 & 255) + "." + (i & 255));
    }
    assertEquals(10_000, limiter.size());
    assertEquals(10_000, limiter.drainUsage().size(), "the usage to report is bounded too");
  }

  @Test
  void the_sweep_drops_buckets_idle_long_enough_to_be_full_and_keeps_the_others() {
    RateLimiter limiter = limiter(10, 10, 100);
    limiter.acquire("old");
    advanceMs(2_500);
    limiter.acquire("recent");
    assertEquals(1, limiter.sweep(), "'old' was idle for 2.5 s, more than the 2 s two bursts take to refill");
    assertEquals(1, limiter.size());
    limiter.charge("recent", 5);
    assertEquals(0, limiter.sweep());
  }
}
