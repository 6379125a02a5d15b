package souk.payment.api;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.ServiceDispatcher;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The payment service answers exactly the actions the shared contract names for it, and no other. */
class PaymentApiTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void the_payment_service_answers_exactly_the_actions_the_contract_names() {
    ServiceDispatcher dispatcher = new ServiceDispatcher(vertx, Addresses.PAYMENT_SERVICE, "node-1");
    new PaymentApi(null).register(dispatcher);
    assertEquals(Actions.answeredBy(Addresses.PAYMENT_SERVICE), dispatcher.actions());
  }

  @Test
  void an_action_the_contract_does_not_name_fails_at_start_up() {
    ServiceDispatcher dispatcher = new ServiceDispatcher(vertx, Addresses.PAYMENT_SERVICE, "node-1");
    assertThrows(IllegalArgumentException.class, () -> dispatcher.on("charge-twice", m -> null));
  }
}
