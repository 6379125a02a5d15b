package souk.common.bus;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

import java.util.concurrent.TimeUnit;

/** How one node asks another: every request names its action, carries who asks and why, and has a send timeout. */
public final class Requests {

  private Requests() {
  }

  /**
   * @param action    the {@link Headers#ACTION} header
   * @param requestId the HTTP request this serves, or {@code null}
   * @param userId    the authenticated caller, or {@code null}; only the gateway sets it
   * @param timeoutMs how long to wait for the reply before the request fails with a timeout, milliseconds
   */
  public static DeliveryOptions options(String action, String requestId, String userId, long timeoutMs) {
    DeliveryOptions options = new DeliveryOptions().addHeader(Headers.ACTION, action).setSendTimeout(timeoutMs)
      .addHeader(Headers.TIMEOUT_MS, Long.toString(timeoutMs));
    if (requestId != null) {
      options.addHeader(Headers.REQUEST_ID, requestId);
    }
    if (userId != null) {
      options.addHeader(Headers.USER_ID, userId);
    }
    return options;
  }

  /**
   * When the sender of {@code message} stops waiting, as a {@link System#nanoTime()} value counted from
   * {@code receivedNanos}; {@link Long#MAX_VALUE} when the message does not say.
   */
  public static long deadlineNanos(Message<?> message, long receivedNanos) {
    String timeout = message.headers().get(Headers.TIMEOUT_MS);
    if (timeout == null) {
      return Long.MAX_VALUE;
    }
    try {
      return receivedNanos + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(timeout));
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
