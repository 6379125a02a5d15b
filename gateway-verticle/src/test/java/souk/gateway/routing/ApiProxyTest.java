package souk.gateway.routing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.common.api.ApiReply;
import souk.common.api.ApiRequest;
import souk.common.api.RouteSpec;
import souk.common.bus.ErrorCode;
import souk.common.bus.Headers;
import souk.common.bus.ServiceDispatcher;
import souk.common.bus.ServiceException;
import souk.gateway.http.Problems;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The API proxy over a real router and a real event bus: routing, authentication and every failure's answer. */
@ExtendWith(VertxExtension.class)
class ApiProxyTest {

  private static final String SERVICE = "thing-service";
  /** Declares routes but has no live node. */
  private static final String GONE = "gone-service";
  /** Has a live record, but nothing consumes its address. */
  private static final String SILENT = "silent-service";
  private static final String USER = "5b3c9a52-5d3e-4f0b-9a43-1f1f5e0d7c11";

  private static final RouteTable ROUTES = RouteTable.of(Map.of(
      SERVICE, List.of(
        RouteSpec.open("GET", "/api/v1/things/:id", "one"),
        RouteSpec.open("GET", "/api/v1/things/mine", "mine"),
        RouteSpec.open("POST", "/api/v1/things", "create"),
        RouteSpec.authenticated("GET", "/api/v1/private", "private"),
        RouteSpec.open("GET", "/api/v1/fail/:code", "fail"),
        RouteSpec.open("GET", "/api/v1/slow", "slow")),
      GONE, List.of(RouteSpec.open("GET", "/api/v1/gone", "any")),
      SILENT, List.of(RouteSpec.open("GET", "/api/v1/silent", "any"))),
    Map.of(SERVICE, List.of(SERVICE), SILENT, List.of(SILENT)));

  private TestGateway gateway;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    ServiceDispatcher things = new ServiceDispatcher(vertx, SERVICE, "node-1")
      .on("one", m -> Future.succeededFuture(ApiReply.ok(new JsonObject().put("action", "one")
        .put("id", ApiRequest.fromJson(m.body()).param("id")))))
      .on("mine", m -> Future.succeededFuture(ApiReply.ok(new JsonObject().put("action", "mine"))))
      .on("create", m -> Future.succeededFuture(ApiReply.created("/api/v1/things/7",
        ApiRequest.fromJson(m.body()).bodyObject())))
      .on("private", m -> Future.succeededFuture(ApiReply.ok(new JsonObject()
        .put("caller", m.headers().get(Headers.USER_ID)))))
      .on("fail", m -> Future.failedFuture(new ServiceException(
        ErrorCode.valueOf(ApiRequest.fromJson(m.body()).param("code")), "as told")))
      .on("slow", m -> Promise.promise().future());
    things.start().await();
    gateway = TestGateway.start(vertx, ROUTES).await();
  }

  private Future<HttpResponse<Buffer>> get(String path) {
    return gateway.request(HttpMethod.GET, path).send();
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode());
    assertEquals(Problems.CONTENT_TYPE, response.getHeader("Content-Type"));
    assertEquals(status, response.bodyAsJsonObject().getInteger("status"));
    assertNotNull(response.getHeader("X-Request-Id"));
  }

  @Test
  void every_error_code_a_service_fails_with_becomes_its_http_status(VertxTestContext test) {
    List<ErrorCode> codes = Arrays.asList(ErrorCode.values());
    Future.all(codes.stream().map(code -> get("/api/v1/fail/" + code.name())).toList())
      .onComplete(test.succeeding(all -> test.verify(() -> {
        for (int i = 0; i < codes.size(); i++) {
          ErrorCode code = codes.get(i);
          HttpResponse<Buffer> response = all.resultAt(i);
          assertProblem(response, code.httpStatus());
          assertEquals(code.title(), response.bodyAsJsonObject().getString("title"), code.name());
          // the service's words reach the client, except for a bug's
          assertEquals(code != ErrorCode.INTERNAL, "as told".equals(response.bodyAsJsonObject().getString("detail")));
          int status = code.httpStatus();
          assertEquals(status == 503 || status == 429, response.getHeader("Retry-After") != null, code.name());
          assertEquals(status == 401, response.getHeader("WWW-Authenticate") != null, code.name());
        }
        test.completeNow();
      })));
  }

  @Test
  void a_path_with_dot_segments_reaches_the_route_the_router_resolves_it_to(VertxTestContext test) {
    get("/api/v1/./fail/x/../CONFLICT").onComplete(test.succeeding(response -> test.verify(() -> {
      assertProblem(response, 409);
      test.completeNow();
    })));
  }

  @Test
  void a_route_whose_service_has_no_live_node_is_503_with_retry_after(VertxTestContext test) {
    get("/api/v1/gone").onComplete(test.succeeding(response -> test.verify(() -> {
      assertProblem(response, 503);
      assertEquals(String.valueOf(Problems.RETRY_AFTER_SECONDS), response.getHeader("Retry-After"));
      test.completeNow();
    })));
  }

  @Test
  void a_live_record_with_no_consumer_behind_it_is_503(VertxTestContext test) {
    get("/api/v1/silent").onComplete(test.succeeding(response -> test.verify(() -> {
      assertProblem(response, 503);
      test.completeNow();
    })));
  }

  @Test
  void a_service_that_does_not_answer_in_time_is_504(VertxTestContext test) {
    get("/api/v1/slow").onComplete(test.succeeding(response -> test.verify(() -> {
      assertProblem(response, 504);
      assertNull(response.getHeader("Retry-After"));
      test.completeNow();
    })));
  }

  @Test
  void literal_segments_win_over_parameters_and_parameters_reach_the_service(VertxTestContext test) {
    Future.all(get("/api/v1/things/mine"), get("/api/v1/things/42"))
      .onComplete(test.succeeding(both -> test.verify(() -> {
        assertEquals("mine", both.<HttpResponse<Buffer>>resultAt(0).bodyAsJsonObject().getString("action"));
        JsonObject one = both.<HttpResponse<Buffer>>resultAt(1).bodyAsJsonObject();
        assertEquals(new JsonObject().put("action", "one").put("id", "42"), one);
        test.completeNow();
      })));
  }

  @Test
  void the_reply_status_headers_and_body_reach_the_client(VertxTestContext test) {
    gateway.request(HttpMethod.POST, "/api/v1/things").sendJsonObject(new JsonObject().put("name", "kettle"))
      .onComplete(test.succeeding(response -> test.verify(() -> {
        assertEquals(201, response.statusCode());
        assertEquals("/api/v1/things/7", response.getHeader("Location"));
        assertEquals("application/json", response.getHeader("Content-Type"));
        assertEquals(new JsonObject().put("name", "kettle"), response.bodyAsJsonObject());
        test.completeNow();
      })));
  }

  @Test
  void malformed_json_is_400_and_a_body_over_the_limit_is_413(VertxTestContext test) {
    Future<HttpResponse<Buffer>> malformed = gateway.request(HttpMethod.POST, "/api/v1/things")
      .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"name\":"));
    Future<HttpResponse<Buffer>> large = gateway.request(HttpMethod.POST, "/api/v1/things")
      .putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("\"" + "x".repeat(TestGateway.BODY_LIMIT) + "\""));
    Future.all(malformed, large).onComplete(test.succeeding(both -> test.verify(() -> {
      assertProblem(malformed.result(), 400);
      assertProblem(large.result(), 413);
      test.completeNow();
    })));
  }

  @Test
  void an_unknown_path_is_404(VertxTestContext test) {
    Future.all(get("/api/v1/nothing-here"), get("/elsewhere")).onComplete(test.succeeding(both -> test.verify(() -> {
      assertProblem(both.resultAt(0), 404);
      assertProblem(both.resultAt(1), 404);
      test.completeNow();
    })));
  }

  @Test
  void a_known_path_with_another_method_is_405_with_allow_for_service_and_gateway_routes(VertxTestContext test) {
    Future<HttpResponse<Buffer>> declared = gateway.request(HttpMethod.DELETE, "/api/v1/things/42").send();
    Future<HttpResponse<Buffer>> own = get("/api/v1/auth/token");
    Future.all(declared, own).onComplete(test.succeeding(both -> test.verify(() -> {
      assertProblem(declared.result(), 405);
      assertEquals("GET", declared.result().getHeader("Allow"));
      assertProblem(own.result(), 405);
      assertEquals("POST", own.result().getHeader("Allow"));
      test.completeNow();
    })));
  }

  @Test
  void an_authenticated_route_needs_a_valid_token_and_passes_its_subject_as_the_caller(VertxTestContext test) {
    Future<HttpResponse<Buffer>> none = get("/api/v1/private");
    Future<HttpResponse<Buffer>> forged = gateway.request(HttpMethod.GET, "/api/v1/private")
      .putHeader("Authorization", "Bearer not.a.token").send();
    Future<HttpResponse<Buffer>> valid = gateway.request(HttpMethod.GET, "/api/v1/private")
      .putHeader("Authorization", gateway.bearer(USER)).send();
    Future.all(none, forged, valid).onComplete(test.succeeding(all -> test.verify(() -> {
      assertProblem(none.result(), 401);
      assertEquals("Bearer realm=\"souk\"", none.result().getHeader("WWW-Authenticate"));
      assertProblem(forged.result(), 401);
      assertEquals(200, valid.result().statusCode());
      assertEquals(USER, valid.result().bodyAsJsonObject().getString("caller"));
      test.completeNow();
    })));
  }
}
