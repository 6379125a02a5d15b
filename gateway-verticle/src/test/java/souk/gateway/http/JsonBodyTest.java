package souk.gateway.http;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  @Test
  void nesting_depth_counts_brackets_outside_strings_only() {
    assertEquals(0, JsonBody.depth(Buffer.buffer("42")));
    assertEquals(3, JsonBody.depth(Buffer.buffer("{\"a\":[1,{}],\"b\":\"[[[[\"}")));
    assertEquals(1, JsonBody.depth(Buffer.buffer("{\"a\":\"\\\"[[[\"}")), "an escaped quote does not end the string");
    assertEquals(1_000, JsonBody.depth(Buffer.buffer("[".repeat(1_000) + "]".repeat(1_000))));
  }
}
