package souk.gateway.routing;

import org.junit.jupiter.api.Test;
import souk.common.api.RouteSpec;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableTest {

  private final RouteTable table = RouteTable.of(Map.of(
      "user-service", List.of(
        RouteSpec.open("POST", "/api/v1/users", "create-user"),
        RouteSpec.authenticated("GET", "/api/v1/users/:id", "get-user"),
        RouteSpec.authenticated("GET", "/api/v1/users/me", "get-me")),
      "order-service", List.of(RouteSpec.authenticated("POST", "/api/v1/orders/:id/cancel", "cancel"))),
    Map.of("user-service", List.of("user-service.node.a", "user-service.node.b")));

  @Test
  void literal_segments_win_over_parameters() {
    RouteTable.Found found = assertInstanceOf(RouteTable.Found.class, table.match("GET", "/api/v1/users/me"));
    assertEquals("get-me", found.entry().spec().action());
  }

  @Test
  void parameters_are_extracted() {
    RouteTable.Found found = assertInstanceOf(RouteTable.Found.class,
      table.match("POST", "/api/v1/orders/42/cancel"));
    assertEquals(Map.of("id", "42"), found.params());
    assertEquals("order-service", found.entry().service());
  }

  @Test
  void a_known_path_with_another_method_lists_the_allowed_ones() {
    RouteTable.WrongMethod wrong = assertInstanceOf(RouteTable.WrongMethod.class,
      table.match("DELETE", "/api/v1/users/me"));
    assertEquals(Set.of("GET"), wrong.allowed());
  }

  @Test
  void unknown_paths_are_not_found() {
    assertInstanceOf(RouteTable.NotFound.class, table.match("GET", "/api/v1/unknown"));
    assertInstanceOf(RouteTable.NotFound.class, table.match("GET", "/api/v1/users/a/b"));
    assertInstanceOf(RouteTable.NotFound.class, table.match("POST", "/api/v1/orders//cancel"));
  }

  @Test
  void liveness_is_per_service() {
    assertTrue(table.isLive("user-service"));
    assertFalse(table.isLive("order-service"));
    assertEquals(List.of("user-service.node.a", "user-service.node.b"), table.nodes("user-service"));
    assertEquals(List.of(), table.nodes("order-service"));
  }

  @Test
  void templates_match_whole_paths_only() {
    PathTemplate template = new PathTemplate("/api/v1/users/:id");
    assertNull(template.match("/api/v1/users"));
    assertEquals(Map.of("id", "x"), template.match("/api/v1/users/x/"));
    assertNull(template.match("/api/v2/users/x"));
  }
}
