package souk.gateway.aggregate;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.common.api.ApiReply;
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceDispatcher;
import souk.common.bus.ServiceException;
import souk.gateway.routing.RouteTable;
import souk.gateway.routing.TestGateway;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code GET /api/v1/users/{id}/summary} against three services stood in for by consumers: the user part decides the
 * answer, an order or payment part that fails or is late is left out and named in {@code degraded}.
 */
@ExtendWith(VertxExtension.class)
class SummaryEndpointTest {

  private static final String USER = "5b3c9a52-5d3e-4f0b-9a43-1f1f5e0d7c11";
  private static final JsonObject ORDERS = new JsonObject().put("recentOrders", new JsonArray().add("o-1"))
    .put("orderCount", 1);
  private static final JsonObject PAYMENTS = new JsonObject().put("succeeded", 1)
    .put("totalCaptured", new JsonObject().put("EUR", 900));

  private Vertx vertx;
  private TestGateway gateway;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    gateway = TestGateway.start(vertx, RouteTable.EMPTY).await();
  }

  private void serve(String service, String action, Supplier<Future<?>> answer) throws Exception {
    new ServiceDispatcher(vertx, service, "node-1").on(action, m -> answer.get()).start().await();
  }

  /** The user service knows the user; the order and payment services answer with {@code orders}, {@code payments}. */
  private void services(Supplier<Future<?>> orders, Supplier<Future<?>> payments) throws Exception {
    serve(Addresses.USER_SERVICE, Actions.User.GET,
      () -> Future.succeededFuture(ApiReply.ok(new JsonObject().put("id", USER))));
    serve(Addresses.ORDER_SERVICE, Actions.SUMMARY, orders);
    serve(Addresses.PAYMENT_SERVICE, Actions.SUMMARY, payments);
  }

  private static Supplier<Future<?>> answering(JsonObject part) {
    return () -> Future.succeededFuture(part);
  }

  private Future<HttpResponse<Buffer>> summary(String id) {
    return gateway.request(HttpMethod.GET, "/api/v1/users/" + id + "/summary")
      .putHeader("Authorization", gateway.bearer(USER)).send();
  }

  @Test
  void every_part_answered_is_a_whole_summary_with_nothing_degraded(VertxTestContext test) throws Exception {
    services(answering(ORDERS), answering(PAYMENTS));
    summary(USER).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(200, response.statusCode());
      JsonObject body = response.bodyAsJsonObject();
      assertEquals(USER, body.getJsonObject("user").getString("id"));
      assertEquals(ORDERS.getJsonArray("recentOrders"), body.getJsonArray("recentOrders"));
      assertEquals(1, body.getInteger("orderCount"));
      assertEquals(PAYMENTS, body.getJsonObject("payments"));
      assertEquals(new JsonArray(), body.getJsonArray("degraded"));
      test.completeNow();
    })));
  }

  @Test
  void a_failing_payment_service_leaves_its_part_null_and_named_in_degraded(VertxTestContext test) throws Exception {
    services(answering(ORDERS),
      () -> Future.failedFuture(new ServiceException(ErrorCode.UNAVAILABLE, "database down")));
    summary(USER).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(200, response.statusCode());
      JsonObject body = response.bodyAsJsonObject();
      assertNull(body.getValue("payments"));
      assertEquals(1, body.getInteger("orderCount"));
      assertEquals(new JsonArray().add(Addresses.PAYMENT_SERVICE), body.getJsonArray("degraded"));
      test.completeNow();
    })));
  }

  @Test
  void an_order_service_slower_than_the_part_timeout_is_left_out(VertxTestContext test) throws Exception {
    services(() -> Promise.promise().future(), answering(PAYMENTS));
    summary(USER).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(200, response.statusCode());
      JsonObject body = response.bodyAsJsonObject();
      assertNull(body.getValue("recentOrders"));
      assertNull(body.getValue("orderCount"));
      assertEquals(PAYMENTS, body.getJsonObject("payments"));
      assertEquals(new JsonArray().add(Addresses.ORDER_SERVICE), body.getJsonArray("degraded"));
      test.completeNow();
    })));
  }

  @Test
  void a_user_that_is_gone_is_404_whatever_the_other_parts_say(VertxTestContext test) throws Exception {
    serve(Addresses.USER_SERVICE, Actions.User.GET,
      () -> Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "No such user")));
    serve(Addresses.ORDER_SERVICE, Actions.SUMMARY, answering(ORDERS));
    serve(Addresses.PAYMENT_SERVICE, Actions.SUMMARY, answering(PAYMENTS));
    summary(USER).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(404, response.statusCode());
      assertEquals("No such user", response.bodyAsJsonObject().getString("detail"));
      test.completeNow();
    })));
  }

  @Test
  void no_user_service_node_is_503_with_retry_after(VertxTestContext test) {
    summary(USER).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(503, response.statusCode());
      assertEquals("application/problem+json", response.getHeader("Content-Type"));
      assertEquals("5", response.getHeader("Retry-After"));
      test.completeNow();
    })));
  }

  @Test
  void a_user_service_slower_than_the_request_timeout_is_504(VertxTestContext test) throws Exception {
    serve(Addresses.USER_SERVICE, Actions.User.GET, () -> Promise.promise().future());
    summary(USER).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(504, response.statusCode());
      test.completeNow();
    })));
  }

  @Test
  void another_users_summary_is_403_and_no_token_is_401(VertxTestContext test) throws Exception {
    services(answering(ORDERS), answering(PAYMENTS));
    Future<HttpResponse<Buffer>> other = summary("0b0b0b0b-0000-4000-8000-000000000000");
    Future<HttpResponse<Buffer>> anonymous = gateway.request(HttpMethod.GET, "/api/v1/users/" + USER + "/summary")
      .send();
    Future.all(other, anonymous).onComplete(test.succeeding(both -> test.verify(() -> {
      assertEquals(403, other.result().statusCode());
      assertEquals(401, anonymous.result().statusCode());
      test.completeNow();
    })));
  }
}
