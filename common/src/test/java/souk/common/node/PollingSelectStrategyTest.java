package souk.common.node;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.DefaultEventExecutor;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An idle event loop polls while events come within its window, stops polling when they do not, and tries again. */
class PollingSelectStrategyTest {

  private static final long LONG = TimeUnit.SECONDS.toNanos(60);
  private static final long SHORT = TimeUnit.MICROSECONDS.toNanos(200);

  @Test
  void polls_until_an_event_arrives_within_the_window() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    PollingSelectStrategy strategy = new PollingSelectStrategy(LONG);
    // a window of a minute: only the event can end this poll
    assertEquals(3, strategy.calculateStrategy(() -> polls.incrementAndGet() < 50 ? 0 : 3, false));
    assertEquals(50, polls.get());
    assertEquals(LONG, strategy.windowNanos());
  }

  @Test
  void a_loop_with_tasks_selects_once_without_polling() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    assertEquals(0, new PollingSelectStrategy(LONG).calculateStrategy(() -> {
      polls.incrementAndGet();
      return 0;
    }, true));
    assertEquals(1, polls.get());
  }

  @Test
  void windows_without_events_halve_until_the_loop_sleeps_at_once_and_then_it_tries_again() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    IntSupplier nothing = () -> {
      polls.incrementAndGet();
      return 0;
    };
    PollingSelectStrategy strategy = new PollingSelectStrategy(SHORT);
    assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(nothing, false));
    assertEquals(SHORT / 2, strategy.windowNanos());
    int sleeps = 1;
    while (strategy.windowNanos() > 0) {
      assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(nothing, false));
      assertTrue(++sleeps < 10, "the window closes after a few empty polls");
    }
    polls.set(0);
    for (int i = 1; i < PollingSelectStrategy.PROBE_EVERY; i++) {
      assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(nothing, false));
    }
    assertEquals(0, polls.get(), "a closed window sleeps without polling");
    // the next sleep tries the full window again; with nothing in it, the window closes again
    assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(nothing, false));
    assertTrue(polls.get() > 0, "the try polled");
    assertEquals(0, strategy.windowNanos());
    for (int i = 1; i < PollingSelectStrategy.PROBE_EVERY; i++) {
      strategy.calculateStrategy(nothing, false);
    }
    // and an event within a try opens it fully
    assertEquals(1, strategy.calculateStrategy(() -> 1, false));
    assertEquals(SHORT, strategy.windowNanos());
  }

  @Test
  void a_task_handed_over_by_another_thread_ends_the_poll() throws Exception {
    DefaultEventExecutor loop = new DefaultEventExecutor();
    try {
      PollingSelectStrategy strategy = new PollingSelectStrategy(LONG);
      CompletableFuture<Void> polling = new CompletableFuture<>();
      CompletableFuture<Integer> result = new CompletableFuture<>();
      loop.execute(() -> {
        try {
          result.complete(strategy.calculateStrategy(() -> {
            polling.complete(null);
            return 0;
          }, false));
        } catch (Exception e) {
          result.completeExceptionally(e);
        }
      });
      polling.get(10, TimeUnit.SECONDS);
      loop.execute(() -> { });
      // not SELECT: the loop goes on to run the task instead of sleeping (and never waited out its minute)
      assertEquals(0, result.get(30, TimeUnit.SECONDS));
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
