package souk.common.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorCodeTest {

  @Test
  void codes_are_unique_and_map_back() {
    Set<Integer> seen = new HashSet<>();
    for (ErrorCode code : ErrorCode.values()) {
      assertTrue(seen.add(code.code()), "duplicate " + code);
      assertEquals(code, ErrorCode.of(code.code()));
    }
    assertEquals(ErrorCode.INTERNAL, ErrorCode.of(1234));
  }

  @Test
  void event_bus_failures_map_to_503_and_504() {
    assertEquals(503, ErrorCode.of(new ReplyException(ReplyFailure.NO_HANDLERS, "none")).httpStatus());
    assertEquals(504, ErrorCode.of(new ReplyException(ReplyFailure.TIMEOUT, "slow")).httpStatus());
    assertEquals(503, ErrorCode.of(new ReplyException(ReplyFailure.ERROR, "closed")).httpStatus());
    assertEquals(500, ErrorCode.of(new IllegalStateException("bug")).httpStatus());
  }

  @Test
  void a_rejection_is_read_once_and_other_failures_are_left_as_they_are() {
    ReplyException rejection = new ServiceException(ErrorCode.FORBIDDEN, "not yours").toReplyException();
    ServiceException read = (ServiceException) ServiceException.readOnce(rejection);
    assertEquals(ErrorCode.FORBIDDEN, read.errorCode());
    assertEquals("not yours", read.detail());
    assertTrue(ServiceException.from(read) == read, "read back without parsing again");
    ReplyException timeout = new ReplyException(ReplyFailure.TIMEOUT, "slow");
    assertTrue(ServiceException.readOnce(timeout) == timeout);
    ReplyException bug = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, ErrorCode.INTERNAL.code(), "NPE at line 3");
    assertTrue(ServiceException.readOnce(bug) == bug, "a bug keeps its message for the log");
  }

  @Test
  void a_service_exception_survives_the_wire_with_its_field_errors() {
    JsonArray errors = new JsonArray().add(ServiceException.fieldError("email", "must be a valid email address"));
    ReplyException wire = ServiceException.validation(errors).toReplyException();
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, wire.failureType());

    ServiceException back = ServiceException.from(wire);
    assertEquals(ErrorCode.VALIDATION, back.errorCode());
    assertEquals(errors, back.errors());
    assertEquals(400, back.errorCode().httpStatus());
  }

  @Test
  void a_recipient_failure_without_json_keeps_its_code_and_says_nothing_internal() {
    ServiceException back = ServiceException.from(
      new ReplyException(ReplyFailure.RECIPIENT_FAILURE, ErrorCode.CONFLICT.code(), "java.sql.SQLException: boom"));
    assertEquals(ErrorCode.CONFLICT, back.errorCode());
    assertEquals("Conflict", back.detail());
    assertNull(back.errors());
  }

  @Test
  void an_unknown_failure_is_internal_without_its_message() {
    ServiceException back = ServiceException.from(new RuntimeException("SELECT * FROM secrets"));
    assertEquals(ErrorCode.INTERNAL, back.errorCode());
    assertTrue(!back.detail().contains("SELECT"));
  }
}
