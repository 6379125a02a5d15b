package souk.common.bus;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends event-bus requests from a context of its own on the caller's event loop, and answers on the caller's
 * context, as {@code vertx.eventBus().request(...)} would.
 *
 * <p>A request sent from a verticle's context registers its reply handler as one of the verticle's close hooks, which
 * hashes the handler while its lock is held; on JDK 17 that inflates the lock into a monitor, one a request, each with
 * an entry that every young collection walks until the monitor is reclaimed (75,000 of them in a gateway under load).
 * A context that belongs to no verticle keeps no close hooks. A reply handler no longer goes with its verticle when
 * that is undeployed: a reply that comes after is still delivered, and the handler and its timer stay until the reply
 * or the request's timeout.
 *
 * <p>From a context that is not an event loop's (a worker's, or none), or with a tracer (whose spans follow the
 * caller's context), requests are sent as they are. Each sender makes one context per event loop it is called on.
 */
public final class RequestSender {

  private final VertxInternal vertx;
  private final Map<EventLoop, ContextInternal> senders = new ConcurrentHashMap<>();

  public RequestSender(Vertx vertx) {
    this.vertx = (VertxInternal) vertx;
  }

  public <T> Future<Message<T>> request(String address, Object body, DeliveryOptions options) {
    ContextInternal caller = ContextInternal.current();
    if (caller == null || !caller.isEventLoopContext() || vertx.tracer() != null) {
      return vertx.eventBus().request(address, body, options);
    }
    ContextInternal sender = senders.computeIfAbsent(caller.nettyEventLoop(), loop -> vertx.contextBuilder()
      .withThreadingModel(ThreadingModel.EVENT_LOOP).withEventLoop(loop).build());
    Future<Message<T>> sent;
    ContextInternal previous = sender.beginDispatch();
    try {
      sent = vertx.eventBus().request(address, body, options);
    } finally {
      sender.endDispatch(previous);
    }
    Promise<Message<T>> answer = caller.promise();
    sent.onComplete(outcome -> caller.emit(outcome, answer::handle));
    return answer.future();
  }
}
