package souk.common.bus;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import souk.common.testing.OnContext;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests sent through {@link RequestSender} answer as the event bus's own do, on the caller's context, without
 * tying their reply handlers to the caller's verticle.
 */
class RequestSenderTest {

  private static final String ADDRESS = "request-sender-test";
  private static final DeliveryOptions TWO_SECONDS = new DeliveryOptions().setSendTimeout(2_000);

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void the_answer_comes_on_the_callers_context_and_thread() throws Exception {
    vertx.eventBus().<String>consumer(ADDRESS, message -> message.reply(message.body() + "!"));
    // a duplicate, as the context of an HTTP request or of a SQL callback is
    Context caller = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    CompletableFuture<Boolean> onCaller = new CompletableFuture<>();
    Future<Message<String>> answer = OnContext.call(caller, () -> {
      Thread thread = Thread.currentThread();
      return new RequestSender(vertx).<String>request(ADDRESS, "hello", TWO_SECONDS)
        .onComplete(done -> onCaller.complete(Vertx.currentContext() == caller && Thread.currentThread() == thread));
    });
    assertEquals("hello!", answer.await(10, TimeUnit.SECONDS).body());
    assertTrue(onCaller.get(10, TimeUnit.SECONDS), "the answer's handlers ran on the caller's context");
  }

  @Test
  void a_refusal_comes_back_as_the_event_bus_gives_it() throws Exception {
    vertx.eventBus().consumer(ADDRESS, message -> message.fail(409, "taken"));
    Future<Message<Object>> answer = OnContext.call(vertx.getOrCreateContext(),
      () -> new RequestSender(vertx).request(ADDRESS, "x", TWO_SECONDS));
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    answer.onComplete(done -> failure.complete(done.cause()));
    ReplyException refused = (ReplyException) failure.get(10, TimeUnit.SECONDS);
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, refused.failureType());
    assertEquals(409, refused.failureCode());
  }

  @Test
  void a_request_outlives_the_verticle_that_sent_it_where_the_event_bus_alone_drops_its_reply() throws Exception {
    assertEquals("late", sentThenUndeployed(vertx, (v, sender) -> sender.request(ADDRESS, "x", TWO_SECONDS))
      .await(10, TimeUnit.SECONDS).body());
    // the same request made from the verticle's own context: its reply handler goes with the verticle
    assertDropped(sentThenUndeployed(vertx, (v, sender) -> v.eventBus().request(ADDRESS, "x", TWO_SECONDS)));
  }

  @Test
  void with_a_tracer_a_request_is_sent_from_the_callers_own_context() throws Exception {
    Vertx traced = Vertx.builder().with(new VertxOptions().setTracingOptions(new TracingOptions()))
      .withTracer(options -> new VertxTracer<Object, Object>() { }).build();
    try {
      // so its reply handler goes with the verticle, as the event bus alone does
      assertDropped(sentThenUndeployed(traced, (v, sender) -> sender.request(ADDRESS, "x", TWO_SECONDS)));
    } finally {
      traced.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_request_no_one_listens_for_fails_with_no_handlers() throws Exception {
    Future<Message<Object>> answer = OnContext.call(vertx.getOrCreateContext(),
      () -> new RequestSender(vertx).request("nobody-listens-here", "x", TWO_SECONDS));
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    answer.onComplete(done -> failure.complete(done.cause()));
    ReplyException none = (ReplyException) failure.get(10, TimeUnit.SECONDS);
    assertEquals(ReplyFailure.NO_HANDLERS, none.failureType());
  }

  @Test
  void off_an_event_loop_a_request_is_sent_as_it_is() throws Exception {
    vertx.eventBus().<String>consumer(ADDRESS, message -> message.reply("ok"));
    assertEquals("ok", new RequestSender(vertx).<String>request(ADDRESS, "x", TWO_SECONDS)
      .await(10, TimeUnit.SECONDS).body());
  }

  // a verticle sends one request from its start and is undeployed; only then is the request answered. Its outcome
  private static Future<Message<String>> sentThenUndeployed(Vertx vertx,
    BiFunction<Vertx, RequestSender, Future<Message<String>>> send) throws Exception {
    CompletableFuture<Message<String>> received = new CompletableFuture<>();
    MessageConsumer<String> consumer = vertx.eventBus().consumer(ADDRESS, received::complete);
    CompletableFuture<Future<Message<String>>> sent = new CompletableFuture<>();
    RequestSender sender = new RequestSender(vertx);
    String id = vertx.deployVerticle(new AbstractVerticle() {
      @Override
      public void start() {
        sent.complete(send.apply(vertx, sender));
      }
    }).await(10, TimeUnit.SECONDS);
    Message<String> request = received.get(10, TimeUnit.SECONDS);
    vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    request.reply("late");
    consumer.unregister().await(10, TimeUnit.SECONDS);
    return sent.get(10, TimeUnit.SECONDS);
  }

  private static void assertDropped(Future<Message<String>> outcome) throws Exception {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    outcome.onComplete(done -> failure.complete(done.cause()));
    Throwable dropped = failure.get(10, TimeUnit.SECONDS);
    assertTrue(dropped instanceof ReplyException e && e.failureType() == ReplyFailure.TIMEOUT, String.valueOf(dropped));
  }
}
