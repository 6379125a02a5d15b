package souk.order.saga;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import souk.common.bus.Addresses;
import souk.common.bus.Headers;
import souk.order.domain.Order;

/**
 * Tells browsers that an order changed (its status, or its payment: a refund): one publish on
 * {@link Addresses#ORDER_UPDATES} for the gateways, which pass it on to {@code orders.updates.<userId>}. Best effort: a
 * publish is fire-and-forget, nobody listening is fine, and it happens only after the change is committed.
 */
public final class OrderUpdates {

  private final EventBus eventBus;

  public OrderUpdates(EventBus eventBus) {
    this.eventBus = eventBus;
  }

  public void statusChanged(Order order) {
    eventBus.publish(Addresses.ORDER_UPDATES, order.statusUpdate(),
      new DeliveryOptions().addHeader(Headers.USER_ID, order.userId().toString()));
  }
}
