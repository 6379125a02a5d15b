package souk.order.service;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.order.domain.Order;
import souk.order.domain.PageCursor;
import souk.order.domain.PageRequest;
import souk.order.store.OrderRepository;

import java.util.List;
import java.util.UUID;

/** Reading orders: one (owner only), a user's pages newest first, and the summary the gateway aggregates. */
public final class OrderQueries {

  /** Orders in a summary's {@code recentOrders}. */
  public static final int SUMMARY_RECENT = 5;

  private final Pool pool;
  private final OrderRepository orders;

  public OrderQueries(Pool pool, OrderRepository orders) {
    this.pool = pool;
    this.orders = orders;
  }

  /** The order; 404 when unknown, 403 when it is another user's. */
  public Future<Order> get(UUID userId, UUID orderId) {
    return orders.find(pool, orderId).map(order -> {
      checkOwner(order, userId);
      return order;
    });
  }

  /** {@code {items, nextCursor}}: {@code nextCursor} is {@code null} on the last page. */
  public Future<JsonObject> list(UUID userId, PageRequest page) {
    // one row more than asked tells whether another page exists without a count
    return orders.listByUser(pool, userId, page.cursor(), page.limit() + 1).map(found -> {
      boolean more = found.size() > page.limit();
      List<Order> items = more ? found.subList(0, page.limit()) : found;
      Order last = items.isEmpty() ? null : items.get(items.size() - 1);
      String next = more ? new PageCursor(last.createdAt(), last.id()).encode() : null;
      return new JsonObject().put("items", json(items)).put("nextCursor", next);
    });
  }

  /** {@code {recentOrders: [at most 5, newest first], orderCount}}. */
  public Future<JsonObject> summary(UUID userId) {
    return Future.all(orders.listByUser(pool, userId, null, SUMMARY_RECENT), orders.countByUser(pool, userId))
      .map(all -> new JsonObject()
        .put("recentOrders", json(all.resultAt(0)))
        .put("orderCount", all.<Long>resultAt(1)));
  }

  static void checkOwner(Order order, UUID userId) {
    if (order == null) {
      throw new ServiceException(ErrorCode.NOT_FOUND, "No such order");
    }
    if (!order.userId().equals(userId)) {
      throw new ServiceException(ErrorCode.FORBIDDEN, "This order belongs to another user");
    }
  }

  private static JsonArray json(List<Order> orders) {
    return new JsonArray(orders.stream().map(Order::toJson).toList());
  }
}
