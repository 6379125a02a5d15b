package souk.common.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * The one table of failure codes used across the event bus. Services fail messages with {@link #code()}; the
 * gateway turns a code back into {@link #httpStatus()} in one place. Codes are stable: they are the wire format.
 */
public enum ErrorCode {
  VALIDATION(4000, 400, "Invalid request"),
  UNAUTHORIZED(4010, 401, "Unauthorized"),
  FORBIDDEN(4030, 403, "Forbidden"),
  NOT_FOUND(4040, 404, "Not found"),
  CONFLICT(4090, 409, "Conflict"),
  PAYLOAD_TOO_LARGE(4130, 413, "Payload too large"),
  UNSUPPORTED_MEDIA_TYPE(4150, 415, "Unsupported media type"),
  UNPROCESSABLE(4220, 422, "Unprocessable request"),
  TOO_MANY_REQUESTS(4290, 429, "Too many requests"),
  UNAVAILABLE(5030, 503, "Service unavailable"),
  TIMEOUT(5040, 504, "Upstream timeout"),
  INTERNAL(5000, 500, "Internal error");

  /** values() copies its array on every call; this is asked once per failed reply. */
  private static final ErrorCode[] ALL = values();

  private final int code;
  private final int httpStatus;
  private final String title;

  ErrorCode(int code, int httpStatus, String title) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.title = title;
  }

  public int code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String title() {
    return title;
  }

  /** The code of a failure code, or {@link #INTERNAL} for one this table does not know. */
  public static ErrorCode of(int code) {
    for (ErrorCode value : ALL) {
      if (value.code == code) {
        return value;
      }
    }
    return INTERNAL;
  }

  /**
   * What a failed event-bus request means for the caller: no handler and a closed node are {@link #UNAVAILABLE},
   * a timeout is {@link #TIMEOUT}, a recipient failure carries its own code.
   */
  public static ErrorCode of(Throwable failure) {
    if (failure instanceof ServiceException e) {
      return e.errorCode();
    }
    if (failure instanceof ReplyException e) {
      return switch (e.failureType()) {
        case NO_HANDLERS, ERROR -> UNAVAILABLE;
        case TIMEOUT -> TIMEOUT;
        case RECIPIENT_FAILURE -> of(e.failureCode());
      };
    }
    return INTERNAL;
  }

  static boolean isRecipientFailure(Throwable failure) {
    return failure instanceof ReplyException e && e.failureType() == ReplyFailure.RECIPIENT_FAILURE;
  }
}
