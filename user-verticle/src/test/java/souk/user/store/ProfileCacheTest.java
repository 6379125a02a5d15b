package souk.user.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import souk.user.domain.User;

import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ProfileCacheTest {

  private final AtomicLong now = new AtomicLong();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final ProfileCache cache = new ProfileCache(2, 100, now::get, metrics);

  private static User user() {
    return new User(UUID.randomUUID(), "Ada", "ada@example.com", OffsetDateTime.now());
  }

  @Test
  void nothing_is_kept_or_served_until_invalidations_are_heard_and_after_they_stop() {
    User ada = user();
    cache.put(ada, cache.epoch());
    assertNull(cache.get(ada.id()), "not listening: nothing kept");
    cache.listening(true);
    cache.put(ada, cache.epoch());
    assertEquals(ada, cache.get(ada.id()));
    cache.listening(false);
    assertNull(cache.get(ada.id()), "no longer listening: a change may be missed");
    cache.listening(true);
    assertNull(cache.get(ada.id()), "listening again starts empty");
  }

  @Test
  void a_read_that_began_before_an_invalidation_is_not_kept() {
    cache.listening(true);
    User ada = user();
    long before = cache.epoch();
    cache.evict(UUID.randomUUID());
    cache.put(ada, before);
    assertNull(cache.get(ada.id()));
    cache.put(ada, cache.epoch());
    assertEquals(ada, cache.get(ada.id()));
  }

  @Test
  void an_evicted_or_cleared_user_is_read_again() {
    cache.listening(true);
    User ada = user();
    User bob = user();
    cache.put(ada, cache.epoch());
    cache.put(bob, cache.epoch());
    cache.evict(ada.id());
    assertNull(cache.get(ada.id()));
    assertEquals(bob, cache.get(bob.id()));
    cache.clear();
    assertNull(cache.get(bob.id()));
  }

  @Test
  void entries_expire_and_the_least_recently_read_go_first_beyond_the_bound() {
    cache.listening(true);
    User ada = user();
    User bob = user();
    User cy = user();
    cache.put(ada, cache.epoch());
    cache.put(bob, cache.epoch());
    cache.get(ada.id());
    cache.put(cy, cache.epoch());
    assertEquals(2, cache.size());
    assertNull(cache.get(bob.id()), "bob was read least recently");
    now.addAndGet(101);
    assertNull(cache.get(ada.id()), "expired");
    assertEquals(1.0, metrics.counter("souk_user_cache_reads", "result", "hit").count());
  }

  @Test
  void a_cache_of_size_zero_keeps_nothing() {
    ProfileCache off = new ProfileCache(0, 100, now::get, new SimpleMeterRegistry());
    off.listening(true);
    User ada = user();
    off.put(ada, off.epoch());
    assertNull(off.get(ada.id()));
  }
}
