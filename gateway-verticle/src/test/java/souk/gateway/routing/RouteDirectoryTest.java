package souk.gateway.routing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import org.junit.jupiter.api.Test;
import souk.common.api.RouteSpec;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RouteDirectoryTest {

  private static Record record(Object routes) {
    return new Record().setName("user-service").setRegistration("r-1")
      .setMetadata(new JsonObject().put("routes", routes));
  }

  @Test
  void malformed_routes_are_left_out_and_counted_and_the_good_ones_kept() {
    RouteSpec good = RouteSpec.authenticated("GET", "/api/v1/users/me", "get-me");
    JsonArray routes = new JsonArray()
      .add(good.toJson())
      .add(new JsonObject().put("method", "GET").put("action", "no-path"))
      .add(new JsonObject().put("method", "GET").put("path", "no-leading-slash").put("action", "x"))
      .add(new JsonObject().put("method", 5).put("path", "/api/v1/x").put("action", "x"))
      .add(new JsonObject().put("method", "get me").put("path", "/api/v1/x").put("action", "x"))
      .add(new JsonObject().put("method", "GET").put("path", "/api/v1/x").put("action", "x").put("headers", "nope"))
      .add("not an object")
      .addNull();
    RouteDirectory.Declared declared = RouteDirectory.declared(record(routes));
    assertEquals(List.of(good), declared.routes());
    assertEquals(7, declared.invalid());
    RouteTable table = RouteTable.of(Map.of("user-service", declared.routes()), Map.of());
    assertInstanceOf(RouteTable.Found.class, table.match("GET", "/api/v1/users/me"));
  }

  @Test
  void routes_that_are_not_a_list_count_as_one_malformed_entry() {
    assertEquals(new RouteDirectory.Declared(List.of(), 1), RouteDirectory.declared(record("everything")));
    assertEquals(new RouteDirectory.Declared(List.of(), 0),
      RouteDirectory.declared(new Record().setName("gateway").setMetadata(new JsonObject())));
  }
}
