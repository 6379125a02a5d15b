package souk.common.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An expected rejection (bad input, missing resource, conflict) raised by service code. It carries no stack trace:
 * it is an answer, not a bug. On the wire it is a {@link ReplyException} whose code is {@link ErrorCode#code()} and
 * whose message is {@code {detail, errors?}} as JSON, so field errors survive the trip to the gateway.
 */
public final class ServiceException extends RuntimeException {

  private final ErrorCode errorCode;
  private final JsonArray errors;
  private final int retryAfterSeconds;

  public ServiceException(ErrorCode errorCode, String detail) {
    this(errorCode, detail, null);
  }

  public ServiceException(ErrorCode errorCode, String detail, JsonArray errors) {
    this(errorCode, detail, errors, 0);
  }

  private ServiceException(ErrorCode errorCode, String detail, JsonArray errors, int retryAfterSeconds) {
    super(detail, null, false, false);
    this.errorCode = errorCode;
    this.errors = errors;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The same rejection, telling the client to wait {@code seconds} before trying again ({@code Retry-After}). */
  public ServiceException retryAfter(int seconds) {
    return new ServiceException(errorCode, getMessage(), errors, Math.max(1, seconds));
  }

  /** Seconds the client should wait before retrying, or 0 when the rejection does not say. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public ErrorCode errorCode() {
    return errorCode;
  }

  public String detail() {
    return getMessage();
  }

  /** {@code [{field, message}]} for validation failures, else {@code null}. */
  public JsonArray errors() {
    return errors;
  }

  /** One entry of {@link #errors()}. */
  public static JsonObject fieldError(String field, String message) {
    return new JsonObject().put("field", field).put("message", message);
  }

  public static ServiceException validation(JsonArray errors) {
    return new ServiceException(ErrorCode.VALIDATION, "The request has invalid fields", errors);
  }

  public ReplyException toReplyException() {
    JsonObject body = new JsonObject().put("detail", getMessage());
    if (errors != null) {
      body.put("errors", errors);
    }
    if (retryAfterSeconds > 0) {
      body.put("retryAfter", retryAfterSeconds);
    }
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, errorCode.code(), body.encode());
  }

  /** Reads back what {@link #toReplyException()} wrote; any other failure becomes the matching generic one. */
  public static ServiceException from(Throwable failure) {
    if (failure instanceof ServiceException e) {
      return e;
    }
    ErrorCode code = ErrorCode.of(failure);
    if (ErrorCode.isRecipientFailure(failure) && code != ErrorCode.INTERNAL) {
      try {
        JsonObject body = new JsonObject(failure.getMessage());
        return new ServiceException(code, body.getString("detail", code.title()), body.getJsonArray("errors"),
          Math.max(0, body.getInteger("retryAfter", 0)));
      } catch (RuntimeException notJson) {
        return new ServiceException(code, code.title());
      }
    }
    return new ServiceException(code, defaultDetail(code));
  }

  /**
   * A rejection a service sent, read back once ({@link #from(Throwable)}) so that the breaker and the answer do not
   * each parse it again; any other failure (a timeout, no handler, a bug) is returned as it is, its message kept
   * for the log.
   */
  public static Throwable readOnce(Throwable failure) {
    return ErrorCode.isRecipientFailure(failure) && ErrorCode.of(failure) != ErrorCode.INTERNAL
      ? from(failure) : failure;
  }

  private static String defaultDetail(ErrorCode code) {
    return switch (code) {
      case UNAVAILABLE -> "The service is not available right now";
      case TIMEOUT -> "The service did not answer in time";
      default -> "The request could not be completed";
    };
  }
}
