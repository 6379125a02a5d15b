package souk.common.testing;

import io.vertx.core.Context;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Runs a test's code on a Vert.x context, where code that must run on its event loop expects to be. */
public final class OnContext {

  private OnContext() {
  }

  /** What {@code action} returns, run on {@code context}'s thread; fails after 10 s. */
  public static <T> T call(Context context, Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }
}
