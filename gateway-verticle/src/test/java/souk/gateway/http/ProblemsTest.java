package souk.gateway.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import souk.common.bus.ServiceException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The problem document is written by hand from a cached head: it must be the JSON a JSON encoder would write. */
class ProblemsTest {

  private static String expected(int status, String title, String detail, JsonArray errors) {
    JsonObject body = new JsonObject()
      .put("type", "https://souk.dev/problems/" + title.toLowerCase().replaceAll("[^a-z0-9]+", "-"))
      .put("title", title)
      .put("status", status)
      .put("detail", detail);
    if (errors != null && !errors.isEmpty()) {
      body.put("errors", errors);
    }
    return body.encode();
  }

  @Test
  void writesWhatAnEncoderWouldForAnyDetail() {
    List<String> details = List.of("You may only read your own user", "quote \" and backslash \\ and slash /",
      "line\nbreak\ttab\u0001control", "non-ASCII: é ü 中文 😀", "", "</script><script>alert(1)</script>");
    for (String detail : details) {
      assertEquals(expected(403, "Forbidden", detail, null), Problems.body(403, "Forbidden", detail, null).toString());
    }
  }

  @Test
  void keepsFieldErrorsAndTheOrderOfFields() {
    JsonArray errors = new JsonArray().add(ServiceException.fieldError("email", "must be an \"email\""));
    String body = Problems.body(400, "Validation failed", "The request has invalid fields", errors).toString();
    assertEquals(expected(400, "Validation failed", "The request has invalid fields", errors), body);
    assertEquals(List.of("type", "title", "status", "detail", "errors"),
      List.copyOf(new JsonObject(body).fieldNames()));
  }

  @Test
  void leavesOutEmptyErrorsAndWritesAMissingDetailAsNull() {
    assertEquals(expected(409, "Conflict", "taken", null), Problems.body(409, "Conflict", "taken", new JsonArray())
      .toString());
    String body = Problems.body(500, "Internal error", null, null).toString();
    assertEquals(expected(500, "Internal error", null, null), body);
    assertFalse(new JsonObject(body).containsKey("errors"));
  }

  @Test
  void keepsTheStatusOfEachTitle() {
    // one title, two statuses: the cached head of one must not answer for the other
    assertEquals(429, new JsonObject(Problems.body(429, "Slow down", "a", null)).getInteger("status"));
    assertEquals(503, new JsonObject(Problems.body(503, "Slow down", "b", null)).getInteger("status"));
  }
}
