package souk.common.node;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.netty.util.internal.ThreadExecutorMap;

/**
 * An event loop that, having run out of work, polls for more for a few microseconds before it sleeps, while the gaps
 * between its events are that short.
 *
 * <p>A request crosses three processes and several event loops, and a loop with nothing to do sleeps in
 * {@code epoll_wait} until its next event. On a virtual machine a processor left with nothing to run halts, and
 * waking a thread on it goes through the hypervisor: tens of microseconds in which the work waits and the processor
 * idles, several times a request. A loop whose next event comes within that time is better off polling for it.
 *
 * <p>Between two polls the loop yields its processor, so that a thread ready to run there goes first; with none, the
 * processor stays awake instead of halting. The window adapts: an event that arrives within it opens it fully, a
 * window that passes without one halves it, down to none, and a loop without a window tries a full one once every
 * {@value #PROBE_EVERY} sleeps, closing it again if nothing came. A node at rest, whose loops sleep for milliseconds,
 * hardly polls; a busy one polls through the gaps between its events. A task handed to the loop by another thread
 * ends the polling at once; a timer falls due at most one window late.
 */
final class PollingSelectStrategy implements SelectStrategy {

  /** Sleeps without a window between two tries of a full one. */
  static final int PROBE_EVERY = 16;
  /** A window narrower than this is closed. */
  private static final long MIN_NANOS = 2_000;

  private final long maxNanos;
  private long windowNanos;
  private int sleepsWithoutWindow;
  private SingleThreadEventExecutor loop;

  /** @param maxNanos the widest window, in nanoseconds */
  PollingSelectStrategy(long maxNanos) {
    this.maxNanos = maxNanos;
    this.windowNanos = maxNanos;
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    if (hasTasks) {
      return selectNow.get();
    }
    long window = windowNanos;
    boolean probe = window == 0;
    if (probe) {
      if (++sleepsWithoutWindow < PROBE_EVERY) {
        return SelectStrategy.SELECT;
      }
      sleepsWithoutWindow = 0;
      window = maxNanos;
    }
    SingleThreadEventExecutor tasks = loop();
    long deadline = System.nanoTime() + window;
    do {
      int ready = selectNow.get();
      if (ready > 0 || (tasks != null && tasks.pendingTasks() > 0)) {
        windowNanos = maxNanos;
        return ready;
      }
      Thread.yield();
    } while (System.nanoTime() - deadline < 0);
    windowNanos = probe || window / 2 < MIN_NANOS ? 0 : window / 2;
    return SelectStrategy.SELECT;
  }

  /** The current window, in nanoseconds: 0 when the loop sleeps at once. */
  long windowNanos() {
    return windowNanos;
  }

  // the strategy is made before its loop; it runs on the loop's thread, which knows its executor
  private SingleThreadEventExecutor loop() {
    if (loop == null && ThreadExecutorMap.currentExecutor() instanceof SingleThreadEventExecutor single) {
      loop = single;
    }
    return loop;
  }
}
