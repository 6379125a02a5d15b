package souk.gateway.auth;

import io.vertx.core.Future;
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
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceDispatcher;
import souk.common.bus.ServiceException;
import souk.gateway.routing.RouteTable;
import souk.gateway.routing.TestGateway;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code POST /api/v1/auth/token} against a user service stood in for by a consumer. */
@ExtendWith(VertxExtension.class)
class TokenEndpointTest {

  private static final String USER = "5b3c9a52-5d3e-4f0b-9a43-1f1f5e0d7c11";
  private static final String PASSWORD = "correct horse";

  private TestGateway gateway;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    gateway = TestGateway.start(vertx, RouteTable.EMPTY).await();
  }

  private static void userService(Vertx vertx) throws Exception {
    new ServiceDispatcher(vertx, Addresses.USER_SERVICE, "node-1")
      .on(Actions.User.AUTHENTICATE, m -> PASSWORD.equals(m.body().getString("password"))
        ? Future.succeededFuture(new JsonObject().put("userId", USER))
        : Future.failedFuture(new ServiceException(ErrorCode.UNAUTHORIZED, "Invalid email or password")))
      .start().await();
  }

  private Future<HttpResponse<Buffer>> token(Object body) {
    return gateway.request(HttpMethod.POST, TokenEndpoint.PATH).sendJson(body);
  }

  @Test
  void valid_credentials_get_a_bearer_token_of_their_user(Vertx vertx, VertxTestContext test) throws Exception {
    userService(vertx);
    token(new JsonObject().put("email", "ada@example.com").put("password", PASSWORD))
      .compose(response -> {
        test.verify(() -> {
          assertEquals(200, response.statusCode());
          assertEquals("Bearer", response.bodyAsJsonObject().getString("tokenType"));
          assertEquals(900, response.bodyAsJsonObject().getInteger("expiresIn"));
        });
        return gateway.verify(response.bodyAsJsonObject().getString("accessToken"));
      })
      .onComplete(test.succeeding(subject -> test.verify(() -> {
        assertEquals(USER, subject);
        test.completeNow();
      })));
  }

  @Test
  void wrong_credentials_are_401_with_the_bearer_challenge(Vertx vertx, VertxTestContext test) throws Exception {
    userService(vertx);
    token(new JsonObject().put("email", "ada@example.com").put("password", "wrong"))
      .onComplete(test.succeeding(response -> test.verify(() -> {
        assertEquals(401, response.statusCode());
        assertEquals("application/problem+json", response.getHeader("Content-Type"));
        assertEquals("Bearer realm=\"souk\"", response.getHeader("WWW-Authenticate"));
        test.completeNow();
      })));
  }

  @Test
  void a_body_without_string_email_and_password_is_400_naming_both(VertxTestContext test) {
    token(new JsonObject().put("email", 5)).onComplete(test.succeeding(response -> test.verify(() -> {
      assertEquals(400, response.statusCode());
      JsonArray errors = response.bodyAsJsonObject().getJsonArray("errors");
      assertEquals(Set.of("email", "password"), Set.of(errors.getJsonObject(0).getString("field"),
        errors.getJsonObject(1).getString("field")));
      test.completeNow();
    })));
  }

  @Test
  void an_email_longer_than_any_account_can_have_is_400_and_asks_no_one(Vertx vertx, VertxTestContext test)
    throws Exception {
    vertx.eventBus().consumer(Addresses.USER_SERVICE, m -> test.failNow("the user service was asked"));
    token(new JsonObject().put("email", "a".repeat(250) + "@b.co").put("password", PASSWORD))
      .onComplete(test.succeeding(response -> test.verify(() -> {
        assertEquals(400, response.statusCode());
        assertEquals("email", response.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("field"));
        test.completeNow();
      })));
  }

  @Test
  void no_user_service_node_is_503(VertxTestContext test) {
    token(new JsonObject().put("email", "ada@example.com").put("password", PASSWORD))
      .onComplete(test.succeeding(response -> test.verify(() -> {
        assertEquals(503, response.statusCode());
        test.completeNow();
      })));
  }
}
