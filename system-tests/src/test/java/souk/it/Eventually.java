package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The one way the system tests wait for something: poll until a condition holds or a deadline passes, then fail
 * naming what did not happen and the last thing seen. Never a fixed sleep in its place. An attempt that throws is
 * "not yet" (a node still starting); an {@link AssertionError} it throws ends the wait at once.
 */
final class Eventually {

  /** How often a condition is polled unless a caller says otherwise. */
  static final Duration POLL = Duration.ofMillis(250);
  /** The least a {@link #retryingAfter} client waits between two requests, whatever {@code Retry-After} says. */
  static final Duration LEAST_RETRY_AFTER = Duration.ofSeconds(1);

  private Eventually() {
  }

  /** Polls {@code attempt} every {@link #POLL} until {@code done} accepts its value; returns that value. */
  static <T> T await(String what, Duration timeout, Callable<T> attempt, Predicate<? super T> done) throws Exception {
    return await(what, timeout, POLL, attempt, done);
  }

  /** Polls {@code attempt} every {@code every} until {@code done} accepts its value; returns that value. */
  static <T> T await(String what, Duration timeout, Duration every, Callable<T> attempt, Predicate<? super T> done)
    throws Exception {
    return succeeded(what, timeout, attempts(timeout, value -> every, attempt, done));
  }

  /** Polls {@code condition} until it is true. */
  static void until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
    await(what, timeout, condition, Boolean.TRUE::equals);
  }

  /**
   * Sends {@code request} again, as a careful client does, until {@code done} accepts the answer: after each answer
   * it waits as long as that answer's {@code Retry-After} says, and at least {@link #LEAST_RETRY_AFTER}.
   */
  static HttpResponse<Buffer> retryingAfter(String what, Duration timeout, Callable<HttpResponse<Buffer>> request,
                                            Predicate<HttpResponse<Buffer>> done) throws Exception {
    return succeeded(what, timeout, attempts(timeout, Eventually::retryAfter, request, done));
  }

  /**
   * Polls {@code attempt} every {@code every} until {@code done} accepts its value or {@code timeout} has passed,
   * without failing: returns the accepted value, else the last one seen ({@code null} when every attempt threw). For
   * a probe whose outcome, either way, the caller judges.
   */
  static <T> T poll(Duration timeout, Duration every, Callable<T> attempt, Predicate<? super T> done)
    throws Exception {
    return attempts(timeout, value -> every, attempt, done).value();
  }

  /** What the attempts came to: the accepted value, or the last value and the last thing seen at the deadline. */
  private record Attempts<T>(boolean done, T value, Object last) {
  }

  private static <T> T succeeded(String what, Duration timeout, Attempts<T> attempts) {
    if (!attempts.done()) {
      throw new AssertionError(what + " did not happen within " + timeout.toSeconds() + " s; last: "
        + describe(attempts.last()));
    }
    return attempts.value();
  }

  // pause receives the latest value, null when the latest attempt threw
  private static <T> Attempts<T> attempts(Duration timeout, Function<? super T, Duration> pause, Callable<T> attempt,
                                          Predicate<? super T> done) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    T value = null;
    Object last = "nothing";
    while (true) {
      T latest = null;
      try {
        latest = attempt.call();
        if (done.test(latest)) {
          return new Attempts<>(true, latest, latest);
        }
        value = latest;
        last = latest;
      } catch (AssertionError failure) {
        throw failure;
      } catch (Exception notYet) {
        last = notYet;
      }
      if (System.nanoTime() - deadline > 0) {
        return new Attempts<>(false, value, last);
      }
      TimeUnit.MILLISECONDS.sleep(pause.apply(latest).toMillis());
    }
  }

  private static Duration retryAfter(HttpResponse<Buffer> answer) {
    String header = answer == null ? null : answer.getHeader("Retry-After");
    long seconds = header == null ? 0 : Long.parseLong(header);
    return seconds > LEAST_RETRY_AFTER.toSeconds() ? Duration.ofSeconds(seconds) : LEAST_RETRY_AFTER;
  }

  private static Object describe(Object last) {
    return last instanceof HttpResponse<?> answer ? answer.statusCode() + " " + answer.bodyAsString() : last;
  }
}
