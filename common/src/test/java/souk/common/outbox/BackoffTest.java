package souk.common.outbox;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackoffTest {

  private final Backoff backoff = new Backoff(200, 10_000);

  @Test
  void first_failure_waits_the_initial_delay() {
    assertEquals(200, backoff.delayMs(1));
    assertEquals(200, backoff.delayMs(0));
  }

  @Test
  void each_failure_doubles_the_delay() {
    assertEquals(400, backoff.delayMs(2));
    assertEquals(800, backoff.delayMs(3));
    assertEquals(6_400, backoff.delayMs(6));
  }

  @Test
  void delay_never_exceeds_the_cap_even_after_many_failures() {
    assertEquals(10_000, backoff.delayMs(7));
    assertEquals(10_000, backoff.delayMs(64));
    assertEquals(10_000, backoff.delayMs(Integer.MAX_VALUE));
  }

  @Test
  void inconsistent_bounds_are_refused() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(100, 10));
  }
}
