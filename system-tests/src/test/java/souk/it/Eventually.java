package souk.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The one way the system tests wait for something: poll until a condition holds or a deadline passes, then fail
 * naming what did not happen and the last thing seen. Never a fixed sleep in its place. An attempt that throws is
 * "not yet" (a node still starting); an {@link AssertionError} it throws ends the wait at once.
 */
final class Eventually {

  /** How often a condition is polled unless a caller says otherwise. */
  static final Duration POLL = Duration.ofMillis(250);

  private Eventually() {
  }

  /** Polls {@code attempt} every {@link #POLL} until {@code done} accepts its value; returns that value. */
  static <T> T await(String what, Duration timeout, Callable<T> attempt, Predicate<? super T> done) throws Exception {
    return await(what, timeout, POLL, attempt, done);
  }

  /** Polls {@code attempt} every {@code every} until {@code done} accepts its value; returns that value. */
  static <T> T await(String what, Duration timeout, Duration every, Callable<T> attempt, Predicate<? super T> done)
    throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object last = "nothing";
    while (true) {
      try {
        T value = attempt.call();
        if (done.test(value)) {
          return value;
        }
        last = value;
      } catch (AssertionError failure) {
        throw failure;
      } catch (Exception notYet) {
        last = notYet;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(what + " did not happen within " + timeout.toSeconds() + " s; last: " + last);
      }
      TimeUnit.MILLISECONDS.sleep(every.toMillis());
    }
  }

  /** Polls {@code condition} until it is true. */
  static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
    await(what, timeout, condition, Boolean.TRUE::equals);
  }
}
