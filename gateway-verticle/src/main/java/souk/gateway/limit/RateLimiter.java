package souk.gateway.limit;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per client identity: a bucket holds up to {@code burst} tokens, refills at {@code ratePerSecond},
 * and each admitted request takes one. At most {@code maxIdentities} buckets are kept; the least recently used one
 * makes room for a new identity, and buckets idle long enough to be full again are swept, so memory is bounded
 * whatever the number of identities.
 *
 * <p>Usage admitted here is recorded so that other gateway nodes can be told of it ({@link #drainUsage()}), and usage
 * admitted by them is charged here ({@link #charge(String, int)}): each node then enforces one budget for the whole
 * cluster, with no round trip per request. Thread-safe.
 */
public final class RateLimiter {

  /** The outcome of one request: whether it is admitted, and what the {@code RateLimit-*} headers say. */
  public record Decision(boolean allowed, int limit, int remaining, long resetSeconds, long retryAfterSeconds) {
  }

  private final String name;
  private final double tokensPerNano;
  private final double burst;
  private final int maxIdentities;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Bucket> buckets;
  private Map<String, Integer> usage = new HashMap<>();
  private long refused;

  /**
   * @param name          names the limiter in usage messages and metrics, e.g. {@code api}
   * @param ratePerSecond tokens added per second
   * @param burst         most tokens a bucket holds (at least 1)
   * @param maxIdentities most buckets kept at once
   * @param nanoClock     a monotonic clock in nanoseconds ({@code System::nanoTime})
   */
  public RateLimiter(String name, double ratePerSecond, int burst, int maxIdentities, LongSupplier nanoClock) {
    if (ratePerSecond <= 0 || burst < 1 || maxIdentities < 1) {
      throw new IllegalArgumentException(name + " rate limit: rate, burst and identities must be positive");
    }
    this.name = name;
    this.tokensPerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.maxIdentities = maxIdentities;
    this.nanoClock = nanoClock;
    this.buckets = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
        return size() > RateLimiter.this.maxIdentities;
      }
    };
  }

  public String name() {
    return name;
  }

  /** Takes a token for {@code identity} if there is one. */
  public synchronized Decision acquire(String identity) {
    long now = nanoClock.getAsLong();
    Bucket bucket = bucket(identity, now);
    boolean allowed = bucket.tokens >= 1;
    if (allowed) {
      bucket.tokens -= 1;
      if (usage.size() < maxIdentities || usage.containsKey(identity)) {
        usage.merge(identity, 1, Integer::sum);
      }
    } else {
      refused++;
    }
    double tokens = bucket.tokens;
    return new Decision(allowed, (int) burst, (int) Math.max(0, Math.floor(tokens)),
      seconds(burst - tokens), allowed ? 0 : Math.max(1, seconds(1 - tokens)));
  }

  /**
   * Charges {@code identity} for {@code count} requests admitted elsewhere. The bucket may go below zero (down to
   * minus one burst), so that requests admitted by several nodes at once are paid back before more are admitted.
   */
  public synchronized void charge(String identity, int count) {
    Bucket bucket = bucket(identity, nanoClock.getAsLong());
    bucket.tokens = Math.max(-burst, bucket.tokens - count);
  }

  /** The requests admitted here per identity since the last call, for other nodes to charge. */
  public synchronized Map<String, Integer> drainUsage() {
    if (usage.isEmpty()) {
      return Map.of();
    }
    Map<String, Integer> drained = usage;
    usage = new HashMap<>();
    return drained;
  }

  /**
   * Drops the buckets that have been idle long enough to be full again: keeping them changes nothing. Buckets are
   * kept in order of last use, so the sweep stops at the first one used too recently.
   */
  public synchronized int sweep() {
    long now = nanoClock.getAsLong();
    // a bucket touched this long ago is full, even one left at minus one burst
    long refillNanos = (long) (2 * burst / tokensPerNano);
    int removed = 0;
    for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
      if (now - it.next().updated < refillNanos) {
        break;
      }
      it.remove();
      removed++;
    }
    return removed;
  }

  /** How many requests this limiter has refused since it was made. */
  public synchronized long refused() {
    return refused;
  }

  /** How many identities have a bucket now. */
  public synchronized int size() {
    return buckets.size();
  }

  private Bucket bucket(String identity, long now) {
    Bucket bucket = buckets.get(identity);
    if (bucket == null) {
      bucket = new Bucket(burst, now);
      buckets.put(identity, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * tokensPerNano);
    bucket.updated = now;
    return bucket;
  }

  private long seconds(double tokens) {
    return tokens <= 0 ? 0 : (long) Math.ceil(tokens / tokensPerNano / 1e9);
  }

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }
}
