package souk.common.outbox;

/**
 * Delay before the next delivery attempt of a message that failed: exponential in the number of failed attempts,
 * capped, so a receiver that is down for long is retried at a steady, low rate.
 *
 * @param initialMs delay after the first failure, milliseconds (at least 1)
 * @param maxMs     the cap, milliseconds (at least {@code initialMs})
 */
public record Backoff(long initialMs, long maxMs) {

  public Backoff {
    if (initialMs < 1 || maxMs < initialMs) {
      throw new IllegalArgumentException("backoff needs 1 <= initialMs <= maxMs, got " + initialMs + ", " + maxMs);
    }
  }

  /** The delay after {@code failedAttempts} failures (1 for the first): initial × 2^(failures − 1), at most max. */
  public long delayMs(int failedAttempts) {
    if (failedAttempts <= 1) {
      return initialMs;
    }
    int doublings = Math.min(failedAttempts - 1, 62);
    long factor = 1L << doublings;
    return initialMs > maxMs / factor ? maxMs : Math.min(maxMs, initialMs * factor);
  }
}
