package souk.gateway.routing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import souk.common.bus.RequestSender;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the gateway's requests to services, choosing the node itself: round-robin over the nodes that have a live
 * discovery record, on each node's own address. A node that is stopping removes its record first and keeps serving
 * for a moment, so the gateway stops choosing it before it stops listening: a rolling restart loses no request.
 *
 * <p>A request that provably reached no handler (no consumer at the address, or the node's connection refused) is
 * sent once more to the next node; a timeout is not retried, since the request may have been served. Every call goes
 * through the service's circuit breaker ({@link Breakers}).
 */
public final class ServiceCaller {

  private final RequestSender sender;
  private final RouteDirectory directory;
  private final Breakers breakers;
  private final AtomicInteger next = new AtomicInteger();

  public ServiceCaller(Vertx vertx, RouteDirectory directory, Breakers breakers) {
    this.sender = new RequestSender(vertx);
    this.directory = directory;
    this.breakers = breakers;
  }

  /** The reply's JSON body. */
  public Future<JsonObject> request(String service, JsonObject body, DeliveryOptions options) {
    return this.<JsonObject>ask(service, body, options).map(Message::body);
  }

  /** The reply message, its headers included. */
  public <T> Future<Message<T>> ask(String service, JsonObject body, DeliveryOptions options) {
    return breakers.call(service, () -> pickAndSend(service, body, options));
  }

  private <T> Future<Message<T>> pickAndSend(String service, JsonObject body, DeliveryOptions options) {
    List<String> nodes = directory.table().nodes(service);
    if (nodes.isEmpty()) {
      // no record seen (yet): let the event bus find a consumer, or answer that there is none
      return send(service, body, options);
    }
    int first = Math.floorMod(next.getAndIncrement(), nodes.size());
    return this.<T>send(nodes.get(first), body, options).recover(failure -> nodes.size() > 1 && neverDelivered(failure)
      ? this.<T>send(nodes.get((first + 1) % nodes.size()), body, options)
      : Future.failedFuture(failure));
  }

  private <T> Future<Message<T>> send(String address, JsonObject body, DeliveryOptions options) {
    return sender.request(address, body, new DeliveryOptions(options));
  }

  static boolean neverDelivered(Throwable failure) {
    return failure instanceof ReplyException e
      && (e.failureType() == ReplyFailure.NO_HANDLERS || e.failureType() == ReplyFailure.ERROR);
  }
}
