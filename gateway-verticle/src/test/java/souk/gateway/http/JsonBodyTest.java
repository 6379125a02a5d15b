package souk.gateway.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonBodyTest {

  @Test
  void json_media_types_are_recognised() {
    assertTrue(JsonBody.isJson("application/json"));
    assertTrue(JsonBody.isJson("Application/JSON; charset=utf-8"));
    assertTrue(JsonBody.isJson("application/merge-patch+json"));
  }

  @Test
  void other_media_types_are_not() {
    assertFalse(JsonBody.isJson(null));
    assertFalse(JsonBody.isJson("text/plain"));
    assertFalse(JsonBody.isJson("application/x-www-form-urlencoded"));
    assertFalse(JsonBody.isJson("text/json-ish"));
  }
}
