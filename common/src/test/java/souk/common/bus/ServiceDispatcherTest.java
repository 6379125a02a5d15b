package souk.common.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import souk.common.api.ApiRequest;
import souk.common.db.PgFailures;
import souk.common.log.AccessLogMode;

import java.net.ConnectException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dispatcher on a real (local) event bus: actions, failure codes, and draining on stop. */
class ServiceDispatcherTest {

  private Vertx vertx;
  private ServiceDispatcher dispatcher;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    dispatcher = new ServiceDispatcher(vertx, "test-service", "node-1", AccessLogMode.ERRORS, PgFailures.INSTANCE);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private ServiceException ask(String action) {
    Future<?> reply = vertx.eventBus().request("test-service", new JsonObject(),
      new DeliveryOptions().addHeader(Headers.ACTION, action).setSendTimeout(5_000));
    ReplyException e = assertThrows(ReplyException.class, () -> reply.await(10, TimeUnit.SECONDS));
    return ServiceException.from(e);
  }

  @Test
  void ping_answers_with_the_node_id_on_both_addresses() throws Exception {
    dispatcher.start().await(5, TimeUnit.SECONDS);
    DeliveryOptions ping = new DeliveryOptions().addHeader(Headers.ACTION, Actions.PING);
    JsonObject shared = vertx.eventBus().<JsonObject>request("test-service", new JsonObject(), ping)
      .await(5, TimeUnit.SECONDS).body();
    JsonObject own = vertx.eventBus().<JsonObject>request(Addresses.nodeAddress("test-service", "node-1"),
      new JsonObject(), ping).await(5, TimeUnit.SECONDS).body();
    assertEquals("node-1", shared.getString("nodeId"));
    assertEquals("node-1", own.getString("nodeId"));
  }

  @Test
  void a_body_that_is_not_a_json_object_is_a_validation_failure_not_a_bug() throws Exception {
    dispatcher.on("read", message -> Future.succeededFuture(ApiRequest.fromJson(message.body()).param("id")))
      .start().await(5, TimeUnit.SECONDS);
    for (Object body : new Object[] {"text", Buffer.buffer("bytes"), new JsonObject().put("params", "x"),
      new JsonObject().put("query", new JsonArray())}) {
      Future<?> reply = vertx.eventBus().request("test-service", body,
        new DeliveryOptions().addHeader(Headers.ACTION, "read").setSendTimeout(5_000));
      ReplyException e = assertThrows(ReplyException.class, () -> reply.await(10, TimeUnit.SECONDS));
      assertEquals(ErrorCode.VALIDATION, ServiceException.from(e).errorCode(), String.valueOf(body));
    }
    assertEquals("7", vertx.eventBus().request("test-service",
        new JsonObject().put("params", new JsonObject().put("id", "7")),
        new DeliveryOptions().addHeader(Headers.ACTION, "read")).await(10, TimeUnit.SECONDS).body());
  }

  @Test
  void failures_keep_their_code_and_lose_their_internals() throws Exception {
    dispatcher
      .on("conflict", m -> Future.failedFuture(new ServiceException(ErrorCode.CONFLICT, "taken")))
      .on("bug", m -> Future.failedFuture(new IllegalStateException("SELECT secret FROM t")))
      .on("throws", m -> {
        throw new IllegalStateException("thrown, not returned");
      })
      .on("db-down", m -> Future.failedFuture(new ConnectException("Connection refused")))
      .on("bad-data", m -> Future.failedFuture(new PgException("invalid byte sequence", "ERROR", "22021", null)))
      .start().await(5, TimeUnit.SECONDS);

    assertEquals(ErrorCode.CONFLICT, ask("conflict").errorCode());
    assertEquals("taken", ask("conflict").detail());
    ServiceException bug = ask("bug");
    assertEquals(ErrorCode.INTERNAL, bug.errorCode());
    assertFalse(bug.detail().contains("SELECT"));
    assertEquals(ErrorCode.INTERNAL, ask("throws").errorCode());
    assertEquals(ErrorCode.UNAVAILABLE, ask("db-down").errorCode());
    assertEquals(ErrorCode.VALIDATION, ask("bad-data").errorCode());
    assertEquals(ErrorCode.VALIDATION, ask("no-such-action").errorCode());
  }

  @Test
  void drain_waits_for_requests_in_flight_and_takes_no_new_ones() throws Exception {
    Promise<JsonObject> slow = Promise.promise();
    Promise<Void> received = Promise.promise();
    dispatcher.on("slow", m -> {
      received.complete();
      return slow.future();
    }).start().await(5, TimeUnit.SECONDS);
    Future<?> inFlight = vertx.eventBus().request("test-service", new JsonObject(),
      new DeliveryOptions().addHeader(Headers.ACTION, "slow").setSendTimeout(10_000));
    received.future().await(5, TimeUnit.SECONDS);

    Future<Void> drained = dispatcher.drain(5_000);
    ReplyException refused = assertThrows(ReplyException.class, () -> vertx.eventBus()
      .request("test-service", new JsonObject(), new DeliveryOptions().addHeader(Headers.ACTION, Actions.PING))
      .await(5, TimeUnit.SECONDS));
    assertEquals(ErrorCode.UNAVAILABLE, ErrorCode.of(refused), "no consumer any more");
    assertFalse(drained.isComplete(), "still waiting for the request in flight");

    vertx.runOnContext(v -> slow.complete(new JsonObject().put("done", true)));
    drained.await(5, TimeUnit.SECONDS);
    inFlight.await(5, TimeUnit.SECONDS);
    assertTrue(inFlight.succeeded(), "the request in flight was answered");
  }
}
