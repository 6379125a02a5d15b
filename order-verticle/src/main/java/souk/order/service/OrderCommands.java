package souk.order.service;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.api.ApiReply;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.common.db.TransactionGroups;
import souk.common.db.Transactions;
import souk.common.saga.PaymentStatus;
import souk.order.domain.NewOrder;
import souk.order.domain.Order;
import souk.order.domain.OrderStatus;
import souk.order.domain.OrderValidator;
import souk.order.saga.OrderUpdates;
import souk.order.saga.PaymentCommands;
import souk.order.store.IdempotencyStore;
import souk.order.store.OrderRepository;

import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Placing and cancelling orders. Each writes the order and its outbox message in one transaction (docs/saga.md), so
 * an acknowledged order always has its charge on the way and a cancelled paid order always has its refund.
 *
 * <p>Failures: 400 invalid body or key, 404 unknown order, 403 another user's, 409 already cancelled or the same
 * Idempotency-Key still in flight, 422 the key reused with another body.
 */
public final class OrderCommands {

  public static final String REPLAYED_HEADER = "Idempotent-Replayed";
  public static final int MAX_KEY_LENGTH = 255;
  private static final Logger LOG = LoggerFactory.getLogger(OrderCommands.class);

  private final Pool pool;
  private final TransactionGroups creates;
  private final OrderRepository orders;
  private final IdempotencyStore keys;
  private final OrderUpdates updates;
  private final Runnable outboxWritten;

  public OrderCommands(Pool pool, OrderRepository orders, IdempotencyStore keys, OrderUpdates updates,
                       Runnable outboxWritten) {
    this.pool = pool;
    this.creates = new TransactionGroups(pool);
    this.orders = orders;
    this.keys = keys;
    this.updates = updates;
    this.outboxWritten = outboxWritten;
  }

  /** 201 with the PENDING order, or the first response again when {@code idempotencyKey} was seen with this body. */
  public Future<ApiReply> create(UUID userId, String idempotencyKey, JsonObject body, String requestId) {
    return create(userId, idempotencyKey, body, requestId, Long.MAX_VALUE);
  }

  /**
   * Like {@link #create(UUID, String, JsonObject, String)}, for a caller that stops waiting at {@code deadlineNanos}: an
   * order without a key that has not been written by then is not written at all (the caller has its 504 already).
   */
  public Future<ApiReply> create(UUID userId, String idempotencyKey, JsonObject body, String requestId,
                                 long deadlineNanos) {
    NewOrder order;
    try {
      checkKey(idempotencyKey);
      order = OrderValidator.validate(body);
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
    if (idempotencyKey == null) {
      // one statement: alone, its own transaction with no BEGIN and COMMIT round trips; in a burst, one commit for
      // the orders placed together
      return creates.runStatement(client -> insert(client, userId, order, requestId), deadlineNanos)
        .onSuccess(r -> outboxWritten.run());
    }
    String fingerprint = order.fingerprint();
    return Transactions.<ApiReply>run(pool, tx -> keys.tryLock(tx, userId, idempotencyKey)
        .compose(locked -> locked ? keys.find(tx, userId, idempotencyKey)
          : Future.failedFuture(new ServiceException(ErrorCode.CONFLICT,
            "A request with this Idempotency-Key is still in progress")))
        .compose(stored -> {
          if (stored == null) {
            return insert(tx, userId, order, requestId)
              .compose(reply -> keys.save(tx, userId, idempotencyKey, fingerprint, reply.toJson()).map(reply));
          }
          if (!stored.fingerprint().equals(fingerprint)) {
            return Future.failedFuture(new ServiceException(ErrorCode.UNPROCESSABLE,
              "This Idempotency-Key was used with a different request body"));
          }
          return Future.succeededFuture(ApiReply.fromJson(stored.response()).withHeader(REPLAYED_HEADER, "true"));
        }))
      .onSuccess(reply -> {
        if (!reply.headers().containsKey(REPLAYED_HEADER)) {
          outboxWritten.run();
        }
      });
  }

  /** PENDING or CONFIRMED → CANCELLED {@code cancelled_by_user}; a captured payment is refunded. */
  public Future<Order> cancel(UUID userId, UUID orderId, String requestId) {
    return Transactions.run(pool, tx -> orders.findForUpdate(tx, orderId).compose(order -> {
        OrderQueries.checkOwner(order, userId);
        if (order.status() == OrderStatus.CANCELLED) {
          throw new ServiceException(ErrorCode.CONFLICT, "The order is already cancelled");
        }
        boolean refund = order.paymentStatus() == PaymentStatus.SUCCEEDED;
        return orders.update(tx, order.cancelled(OrderStatus.CANCELLED_BY_USER),
          refund ? PaymentCommands.refund(order, requestId) : null);
      }))
      .onSuccess(order -> {
        LOG.info("order cancelled", kv("orderId", orderId), kv("requestId", requestId));
        updates.statusChanged(order);
        outboxWritten.run();
      });
  }

  private Future<ApiReply> insert(SqlClient client, UUID userId, NewOrder order, String requestId) {
    UUID id = UUID.randomUUID();
    return orders.insert(client, id, userId, order, PaymentCommands.charge(id, userId, order, requestId))
      .map(created -> {
        LOG.debug("order placed", kv("orderId", created.id()), kv("total", created.total()),
          kv("requestId", requestId));
        return ApiReply.created("/api/v1/orders/" + created.id(), created.toJson());
      });
  }

  private static void checkKey(String key) {
    if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH)) {
      throw ServiceException.validation(new JsonArray().add(ServiceException.fieldError("Idempotency-Key",
        "must be 1 to " + MAX_KEY_LENGTH + " characters")));
    }
  }
}
