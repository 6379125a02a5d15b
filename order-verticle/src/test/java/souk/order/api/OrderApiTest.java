package souk.order.api;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import souk.common.api.RouteSpec;
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.ServiceDispatcher;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The order service answers exactly the actions the shared contract names for it, and routes only to those. */
class OrderApiTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void the_order_service_answers_exactly_the_actions_the_contract_names() {
    ServiceDispatcher dispatcher = new ServiceDispatcher(vertx, Addresses.ORDER_SERVICE, "node-1");
    new OrderApi(null, null, null).register(dispatcher);
    assertEquals(Actions.answeredBy(Addresses.ORDER_SERVICE), dispatcher.actions());
  }

  @Test
  void every_route_names_an_action_of_the_contract() {
    for (RouteSpec route : OrderApi.ROUTES) {
      assertTrue(Actions.answeredBy(Addresses.ORDER_SERVICE).contains(route.action()), route.action());
    }
  }
}
