package souk.order.domain;

import org.junit.jupiter.api.Test;
import souk.common.bus.ServiceException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PageCursorTest {

  @Test
  void a_cursor_reads_back_to_the_same_position_with_microseconds() {
    PageCursor cursor = new PageCursor(Instant.parse("2025-03-01T10:15:30.123456Z"), UUID.randomUUID());
    assertEquals(cursor, PageCursor.decode(cursor.encode()));
  }

  @Test
  void garbage_and_forged_cursors_are_a_validation_failure_on_the_cursor_field() {
    String forged = Base64.getUrlEncoder().encodeToString("v2:1:x".getBytes(StandardCharsets.UTF_8));
    for (String bad : new String[] {"", "%%%", "abc", forged,
      Base64.getUrlEncoder().encodeToString("v1:notanumber:00000000-0000-0000-0000-000000000000".getBytes())}) {
      ServiceException e = assertThrows(ServiceException.class, () -> PageCursor.decode(bad), bad);
      assertEquals("cursor", e.errors().getJsonObject(0).getString("field"));
    }
  }

  @Test
  void limit_defaults_to_20_and_must_be_1_to_100() {
    PageRequest page = PageRequest.parse(null, null);
    assertEquals(20, page.limit());
    assertNull(page.cursor());
    assertEquals(1, PageRequest.parse("1", null).limit());
    assertEquals(100, PageRequest.parse("100", null).limit());
    for (String bad : new String[] {"0", "101", "-1", "abc", "", "2.5"}) {
      ServiceException e = assertThrows(ServiceException.class, () -> PageRequest.parse(bad, null), bad);
      assertEquals("limit", e.errors().getJsonObject(0).getString("field"));
    }
  }

  @Test
  void a_bad_limit_and_a_bad_cursor_are_both_reported() {
    ServiceException e = assertThrows(ServiceException.class, () -> PageRequest.parse("0", "nope"));
    assertEquals(2, e.errors().size());
  }
}
