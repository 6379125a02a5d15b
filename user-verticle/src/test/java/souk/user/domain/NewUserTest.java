package souk.user.domain;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NewUserTest {

  private static JsonObject valid() {
    return new JsonObject().put("name", "Ada").put("email", "ada@example.com").put("password", "correct horse");
  }

  private static List<String> invalidFields(Object body) {
    ServiceException e = assertThrows(ServiceException.class, () -> NewUser.parse(body));
    assertEquals(ErrorCode.VALIDATION, e.errorCode());
    JsonArray errors = e.errors();
    return errors.stream().map(o -> ((JsonObject) o).getString("field")).toList();
  }

  @Test
  void a_valid_body_parses() {
    NewUser user = NewUser.parse(valid());
    assertEquals("ada@example.com", user.email());
  }

  @Test
  void every_bad_field_is_reported() {
    assertEquals(List.of("name", "email", "password"), invalidFields(new JsonObject()));
    assertEquals(List.of("name", "email", "password"),
      invalidFields(new JsonObject().put("name", 1).put("email", true).put("password", new JsonArray())));
  }

  @Test
  void a_body_that_is_not_an_object_is_one_error() {
    assertEquals(List.of("body"), invalidFields(null));
    assertEquals(List.of("body"), invalidFields(new JsonArray()));
    assertEquals(List.of("body"), invalidFields("text"));
  }

  @Test
  void lengths_are_counted_in_characters() {
    assertEquals("😀".repeat(100), NewUser.parse(valid().put("name", "😀".repeat(100))).name());
    assertEquals(List.of("name"), invalidFields(valid().put("name", "x".repeat(101))));
    assertEquals(List.of("name"), invalidFields(valid().put("name", "   ")));
    assertEquals(List.of("password"), invalidFields(valid().put("password", "1234567")));
    assertEquals(List.of("password"), invalidFields(valid().put("password", "p".repeat(129))));
    assertEquals(List.of("email"), invalidFields(valid().put("email", "a".repeat(250) + "@b.co")));
  }

  @Test
  void emails_need_one_at_and_a_dotted_domain() {
    for (String email : List.of("plain", "a@b", "a@@b.co", "a b@c.co", "@b.co", "a@.co", "a@b.")) {
      assertEquals(List.of("email"), invalidFields(valid().put("email", email)), email);
    }
    NewUser.parse(valid().put("email", "o'brien+tag@sub.exämple.com"));
  }

  @Test
  void nul_characters_are_refused_before_they_reach_postgresql() {
    assertEquals(List.of("name"), invalidFields(valid().put("name", "a\u0000b")));
  }

  @Test
  void the_password_never_appears_in_to_string() {
    assertEquals(-1, NewUser.parse(valid()).toString().indexOf("correct horse"));
  }
}
