package souk.user.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import souk.user.domain.User;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The users this node has read, so that {@code GET /users/me} does not ask PostgreSQL every time. Souk never changes
 * a user's row once written, so an entry can only go stale when someone changes or deletes the row outside Souk; the
 * database then tells every user node ({@link ProfileInvalidation}) and the entry is dropped. While that channel is not
 * listening the cache is off and every read goes to the database; an entry also expires after {@code ttlNanos}, and
 * the least recently read go first beyond {@code capacity}.
 *
 * <p>A read that started before an invalidation does not store what it read: the row may be the one just dropped.
 */
public final class ProfileCache {

  private final int capacity;
  private final long ttlNanos;
  private final LongSupplier clock;
  private final Map<UUID, Entry> entries;
  private final Counter hits;
  private final Counter misses;
  private boolean listening;
  private long epoch;

  private record Entry(User user, long storedAt) {
  }

  /**
   * @param capacity most users kept (0: no cache)
   * @param ttlNanos how long an entry is used, nanoseconds
   * @param clock    {@link System#nanoTime()} or a test's clock
   */
  public ProfileCache(int capacity, long ttlNanos, LongSupplier clock, MeterRegistry metrics) {
    if (capacity < 0 || ttlNanos < 0) {
      throw new IllegalArgumentException("a user cache's size and lifetime cannot be negative");
    }
    this.capacity = capacity;
    this.ttlNanos = ttlNanos;
    this.clock = clock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<UUID, Entry> eldest) {
        return size() > ProfileCache.this.capacity;
      }
    };
    this.hits = Counter.builder("souk_user_cache_reads").tag("result", "hit")
      .description("User reads answered from the node's cache or from the database").register(metrics);
    this.misses = Counter.builder("souk_user_cache_reads").tag("result", "miss")
      .description("User reads answered from the node's cache or from the database").register(metrics);
    Gauge.builder("souk_user_cache_entries", this, ProfileCache::size).description("Users in the node's cache")
      .register(metrics);
  }

  /** The cached user, or {@code null}: not cached, expired, or the cache is off. */
  public synchronized User get(UUID id) {
    Entry entry = listening ? entries.get(id) : null;
    if (entry != null && clock.getAsLong() - entry.storedAt() > ttlNanos) {
      entries.remove(id);
      entry = null;
    }
    (entry == null ? misses : hits).increment();
    return entry == null ? null : entry.user();
  }

  /** A token to hand back to {@link #put}: taken before the database is asked. */
  public synchronized long epoch() {
    return epoch;
  }

  /** Keeps {@code user}, read after {@code epoch} was taken, unless an invalidation came in between. */
  public synchronized void put(User user, long epoch) {
    if (listening && capacity > 0 && epoch == this.epoch) {
      entries.put(user.id(), new Entry(user, clock.getAsLong()));
    }
  }

  /** The row of {@code id} changed or went. */
  public synchronized void evict(UUID id) {
    epoch++;
    entries.remove(id);
  }

  /** Every row may have changed (a truncation, or notifications that may have been missed). */
  public synchronized void clear() {
    epoch++;
    entries.clear();
  }

  /** Whether invalidations are being received; the cache empties either way, and is used only while they are. */
  public synchronized void listening(boolean listening) {
    clear();
    this.listening = listening;
  }

  public synchronized boolean isListening() {
    return listening;
  }

  public synchronized int size() {
    return entries.size();
  }
}
