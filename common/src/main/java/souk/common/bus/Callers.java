package souk.common.bus;

import io.vertx.core.MultiMap;

import java.util.UUID;

/** Who asks a service: the user the gateway authenticated, from the {@link Headers#USER_ID} header. */
public final class Callers {

  private Callers() {
  }

  /**
   * The caller's user id. Fails with {@link ErrorCode#UNAUTHORIZED} when the header is absent or blank, and with
   * {@link ErrorCode#FORBIDDEN} when it is not a UUID: no user has such an id, so it may read or write nothing.
   */
  public static UUID userId(MultiMap headers) {
    String user = headers.get(Headers.USER_ID);
    if (user == null || user.isBlank()) {
      throw new ServiceException(ErrorCode.UNAUTHORIZED, "No authenticated caller");
    }
    try {
      return UUID.fromString(user);
    } catch (IllegalArgumentException e) {
      throw new ServiceException(ErrorCode.FORBIDDEN, "The caller is not a user");
    }
  }
}
