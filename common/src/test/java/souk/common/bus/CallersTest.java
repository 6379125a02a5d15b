package souk.common.bus;

import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A service knows its caller only from the gateway's header, and refuses one it cannot read, never with a 500. */
class CallersTest {

  private static ErrorCode refusal(MultiMap headers) {
    return assertThrows(ServiceException.class, () -> Callers.userId(headers)).errorCode();
  }

  @Test
  void the_caller_is_the_uuid_in_the_user_header() {
    UUID user = UUID.randomUUID();
    assertEquals(user, Callers.userId(MultiMap.caseInsensitiveMultiMap().add(Headers.USER_ID, user.toString())));
  }

  @Test
  void no_user_header_or_a_blank_one_is_unauthorized() {
    assertEquals(ErrorCode.UNAUTHORIZED, refusal(MultiMap.caseInsensitiveMultiMap()));
    assertEquals(ErrorCode.UNAUTHORIZED, refusal(MultiMap.caseInsensitiveMultiMap().add(Headers.USER_ID, " ")));
  }

  @Test
  void a_user_header_that_is_not_a_uuid_is_forbidden() {
    for (String id : new String[] {"u-1", "1-2-3-4-5-6", "' OR '1'='1", UUID.randomUUID() + "0"}) {
      assertEquals(ErrorCode.FORBIDDEN, refusal(MultiMap.caseInsensitiveMultiMap().add(Headers.USER_ID, id)), id);
    }
  }
}
