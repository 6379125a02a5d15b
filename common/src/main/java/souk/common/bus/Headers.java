package souk.common.bus;

/**
 * Event-bus message headers. The gateway sets the caller's identity; services trust these headers, never a user id
 * taken from a message body.
 */
public final class Headers {

  /** The operation a service is asked to perform, named in {@link Actions}. */
  public static final String ACTION = "action";
  /** The request id of the HTTP request that caused this message, for logs on every node. */
  public static final String REQUEST_ID = "x-request-id";
  /** The authenticated caller, set by the gateway only. */
  public static final String USER_ID = "x-user-id";
  /**
   * How long the sender waits for the reply, in milliseconds: work still queued after that is not started, since its
   * answer would reach no one.
   */
  public static final String TIMEOUT_MS = "x-timeout-ms";

  private Headers() {
  }
}
