package souk.common.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.api.ApiReply;
import souk.common.log.AccessLogMode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Receives a service's event-bus requests and hands each to the handler registered for its {@code action} header.
 * A handler returns a future of the reply body (an {@link ApiReply} goes as JSON bytes with its status and headers as
 * message headers); a {@link ServiceException} becomes a coded failure, anything else is logged with the request id
 * and answered as {@link ErrorCode#INTERNAL} without detail.
 *
 * <p>It listens on the service address (load-balanced across nodes) and on this node's own address, and counts the
 * requests in flight so that a stopping node can finish them before it leaves ({@link #drain(long)}).
 */
public final class ServiceDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceDispatcher.class);

  private final Vertx vertx;
  private final String service;
  private final String nodeId;
  private final AccessLogMode accessLog;
  private final DependencyFailures dependencies;
  private final Map<String, Function<Message<JsonObject>, Future<?>>> handlers = new HashMap<>();
  private List<MessageConsumer<JsonObject>> consumers = List.of();
  private int inFlight;
  private Promise<Void> drained;

  public ServiceDispatcher(Vertx vertx, String service, String nodeId) {
    this(vertx, service, nodeId, AccessLogMode.ERRORS, DependencyFailures.NONE);
  }

  /**
   * @param accessLog    which handled actions get a {@code handled} line (failures are logged anyway)
   * @param dependencies which failures of what the service depends on are answers rather than bugs
   */
  public ServiceDispatcher(Vertx vertx, String service, String nodeId, AccessLogMode accessLog,
                           DependencyFailures dependencies) {
    this.vertx = vertx;
    this.service = service;
    this.nodeId = nodeId;
    this.accessLog = accessLog;
    this.dependencies = dependencies;
    on(Actions.PING, message -> Future.succeededFuture(new JsonObject().put("service", service).put("nodeId", nodeId)));
  }

  /**
   * Registers the handler of one action; its future's value is the reply body. A service {@link Actions} knows may
   * answer only the actions it names there: any other fails at start-up, before a sender could spell it differently.
   */
  public ServiceDispatcher on(String action, Function<Message<JsonObject>, Future<?>> handler) {
    Set<String> declared = Actions.answeredBy(service);
    if (!declared.isEmpty() && !declared.contains(action)) {
      throw new IllegalArgumentException(service + " answers an action that souk.common.bus.Actions does not name: "
        + action);
    }
    handlers.put(action, handler);
    return this;
  }

  /** The actions registered so far, {@link Actions#PING} included. */
  public Set<String> actions() {
    return Set.copyOf(handlers.keySet());
  }

  /** Starts consuming; completes once the registrations have reached the cluster. */
  public Future<Void> start() {
    MessageConsumer<JsonObject> shared = vertx.eventBus().consumer(service, this::handle);
    MessageConsumer<JsonObject> own = vertx.eventBus().consumer(Addresses.nodeAddress(service, nodeId), this::handle);
    consumers = List.of(shared, own);
    return Future.all(shared.completion(), own.completion()).mapEmpty();
  }

  /** Stops taking new requests and completes when those in flight are answered, or after {@code timeoutMs}. */
  public Future<Void> drain(long timeoutMs) {
    Future<?> unregistered = Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    return unregistered.compose(v -> {
      if (inFlight == 0) {
        return Future.succeededFuture();
      }
      drained = Promise.promise();
      return drained.future().timeout(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(timeout -> {
          LOG.warn("stopping with requests still in flight", kv("inFlight", inFlight));
          return Future.succeededFuture();
        });
    });
  }

  private void handle(Message<JsonObject> message) {
    String action = message.headers().get(Headers.ACTION);
    Function<Message<JsonObject>, Future<?>> handler = action == null ? null : handlers.get(action);
    if (handler == null) {
      message.fail(ErrorCode.VALIDATION.code(),
        new ServiceException(ErrorCode.VALIDATION, "Unknown action").toReplyException().getMessage());
      return;
    }
    // typed as JSON, but any member may send anything: a string or bytes would fail the handler with a cast
    Object body = ((Message<?>) message).body();
    if (body != null && !(body instanceof JsonObject)) {
      message.fail(ErrorCode.VALIDATION.code(), new ServiceException(ErrorCode.VALIDATION,
        "The request body must be a JSON object").toReplyException().getMessage());
      return;
    }
    inFlight++;
    long began = System.nanoTime();
    Future<?> result;
    try {
      result = handler.apply(message);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(done -> {
      int code = 0;
      if (done.succeeded()) {
        reply(message, done.result());
      } else {
        code = replyFailure(message, action, done.cause());
      }
      if (accessLog.logs(code >= ErrorCode.INTERNAL.code()) && !Actions.PING.equals(action)) {
        LOG.info("handled", kv("action", action), kv("requestId", message.headers().get(Headers.REQUEST_ID)),
          kv("failureCode", code), kv("durationMs", (System.nanoTime() - began) / 1_000_000));
      }
      if (--inFlight == 0 && drained != null) {
        drained.tryComplete();
      }
    });
  }

  private static void reply(Message<JsonObject> message, Object result) {
    if (result instanceof ApiReply api) {
      message.reply(api.bodyBuffer(), api.options());
    } else {
      message.reply(result);
    }
  }

  private int replyFailure(Message<JsonObject> message, String action, Throwable cause) {
    ServiceException failure = cause instanceof ServiceException e ? e : null;
    String requestId = message.headers().get(Headers.REQUEST_ID);
    if (failure == null) {
      failure = dependencies.classify(cause);
      if (failure != null) {
        LOG.warn("action failed on a dependency", kv("action", action), kv("requestId", requestId),
          kv("answer", failure.errorCode().name()), kv("error", String.valueOf(cause)));
      }
    }
    if (failure == null) {
      LOG.error("action failed", kv("action", action), kv("requestId", requestId), cause);
      failure = new ServiceException(ErrorCode.INTERNAL, "The request could not be completed");
    }
    message.fail(failure.errorCode().code(), failure.toReplyException().getMessage());
    return failure.errorCode().code();
  }
}
