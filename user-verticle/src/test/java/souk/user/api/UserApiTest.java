package souk.user.api;

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

/** The user service answers exactly the actions the shared contract names for it, and routes only to those. */
class UserApiTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void the_user_service_answers_exactly_the_actions_the_contract_names() {
    ServiceDispatcher dispatcher = new ServiceDispatcher(vertx, Addresses.USER_SERVICE, "node-1");
    new UserApi(null).register(dispatcher);
    assertEquals(Actions.answeredBy(Addresses.USER_SERVICE), dispatcher.actions());
  }

  @Test
  void every_route_names_an_action_of_the_contract() {
    for (RouteSpec route : UserApi.ROUTES) {
      assertTrue(Actions.answeredBy(Addresses.USER_SERVICE).contains(route.action()), route.action());
    }
  }
}
