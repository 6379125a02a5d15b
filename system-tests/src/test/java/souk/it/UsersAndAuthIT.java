package souk.it;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import souk.gateway.auth.TestJwts;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sign-up, tokens and reading users, through a real gateway and user node on the real PostgreSQL. */
class UsersAndAuthIT {

  private static final String SECRET = "users-and-auth-it-secret-0123456789abcdef";
  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster().env("SOUK_JWT_SECRET", SECRET).env("SOUK_ACCESS_LOG", "all");
  private static final Api api = new Api(cluster);

  @Test
  void sign_up_answers_201_with_location_and_never_the_password() throws Exception {
    String email = unique("ada");
    HttpResponse<Buffer> created = signUp("Ada", email, "correct horse");
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject user = created.bodyAsJsonObject();
    assertEquals("/api/v1/users/" + user.getString("id"), created.getHeader("Location"));
    assertEquals(Set.of("id", "name", "email", "createdAt"), user.fieldNames());
    assertEquals(email, user.getString("email"));
    assertFalse(created.bodyAsString().contains("correct horse"));
    String stored = cluster.sql(SoukCluster.USER, "SELECT password_hash FROM users WHERE id = $1",
      UUID.fromString(user.getString("id"))).iterator().next().getString(0);
    assertTrue(stored.startsWith("$2b$"), "bcrypt hash stored, not the password");
  }

  @Test
  void email_is_unique_whatever_its_case() throws Exception {
    String email = unique("Grace");
    assertEquals(201, signUp("Grace", email, "correct horse").statusCode());
    HttpResponse<Buffer> again = signUp("Grace", email.toUpperCase(), "another password");
    assertProblem(again, 409);
  }

  @Test
  void invalid_fields_are_each_reported() throws Exception {
    HttpResponse<Buffer> response = api.json(HttpMethod.POST, "/api/v1/users", null,
      new JsonObject().put("name", "").put("email", "not-an-email").put("password", "short"));
    assertProblem(response, 400);
    JsonArray errors = response.bodyAsJsonObject().getJsonArray("errors");
    assertEquals(List.of("name", "email", "password"), errors.stream().map(e -> ((JsonObject) e).getString("field")).toList());
  }

  @Test
  void bad_bodies_of_every_shape_are_4xx() throws Exception {
    List<String> bodies = List.of("", "null", "[]", "[1,2]", "\"text\"", "42", "true", "{}",
      "{\"name\":1,\"email\":true,\"password\":[]}",
      "{\"name\":null,\"email\":null,\"password\":null}",
      "{\"name\":{\"a\":1},\"email\":\"a@b.co\",\"password\":\"12345678\"}",
      "{\"name\":\"" + "x".repeat(101) + "\",\"email\":\"a@b.co\",\"password\":\"12345678\"}",
      "{\"name\":\"n\",\"email\":\"" + "e".repeat(250) + "@b.co\",\"password\":\"12345678\"}",
      "{\"name\":\"n\",\"email\":\"a@b.co\",\"password\":\"" + "p".repeat(129) + "\"}",
      "{\"name\":\"nul\\u0000byte\",\"email\":\"" + unique("nul") + "\",\"password\":\"12345678\"}",
      "{\"name\":\"n\",\"email\":\"a@b.co\"", "{\"name\":\"n\"}}", "{'name':'n'}");
    for (String body : bodies) {
      HttpResponse<Buffer> response = api.raw(HttpMethod.POST, "/api/v1/users", jsonType(), Buffer.buffer(body));
      assertEquals(400, response.statusCode(), "body " + body + " → " + response.bodyAsString());
      assertProblemShape(response);
    }
    byte[] invalidUtf8 = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertProblem(api.raw(HttpMethod.POST, "/api/v1/users", jsonType(), Buffer.buffer(invalidUtf8)), 400);
  }

  @Test
  void strings_are_stored_verbatim() throws Exception {
    String name = "O'Brien \"; DROP TABLE users; -- ✓ 名前 😀";
    String email = "o'brien+" + UUID.randomUUID() + "@exämple.com";
    HttpResponse<Buffer> created = signUp(name, email, "pässwörd ' \" 😀");
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String token = api.token(email, "pässwörd ' \" 😀");
    JsonObject me = api.get("/api/v1/users/me", "Bearer " + token).bodyAsJsonObject();
    assertEquals(name, me.getString("name"));
    assertEquals(email, me.getString("email"));
  }

  @Test
  void transport_rules_413_415_400_404_405() throws Exception {
    String huge = "{\"name\":\"" + "x".repeat(70_000) + "\"}";
    assertProblem(api.raw(HttpMethod.POST, "/api/v1/users", jsonType(), Buffer.buffer(huge)), 413);
    MultiMap text = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "text/plain");
    assertProblem(api.raw(HttpMethod.POST, "/api/v1/users", text, Buffer.buffer("{\"a\":1}")), 415);
    assertProblem(api.raw(HttpMethod.POST, "/api/v1/users", MultiMap.caseInsensitiveMultiMap(),
      Buffer.buffer("{\"a\":1}")), 415);
    assertProblem(api.raw(HttpMethod.POST, "/api/v1/users", jsonType(), Buffer.buffer("{bad json")), 400);
    Api.Account account = api.newAccount();
    assertProblem(api.get("/api/v1/users/me?limit=%zz", account.bearer()), 400);
    HttpResponse<Buffer> unknown = api.get("/api/v1/nothing-here", null);
    assertProblem(unknown, 404);
    assertEquals("nosniff", unknown.getHeader("X-Content-Type-Options"));
    assertEquals("no-store", unknown.getHeader("Cache-Control"));
    HttpResponse<Buffer> wrongMethod = api.raw(HttpMethod.DELETE, "/api/v1/users/me", jsonType(), null);
    assertProblem(wrongMethod, 405);
    assertEquals("GET", wrongMethod.getHeader("Allow"));
    HttpResponse<Buffer> tokenGet = api.get("/api/v1/auth/token", null);
    assertProblem(tokenGet, 405);
    assertEquals("POST", tokenGet.getHeader("Allow"));
  }

  @Test
  void a_token_is_issued_for_good_credentials_only_and_failures_look_alike() throws Exception {
    Api.Account account = api.newAccount();
    HttpResponse<Buffer> ok = api.json(HttpMethod.POST, "/api/v1/auth/token", null,
      new JsonObject().put("email", account.email().toUpperCase()).put("password", account.password()));
    assertEquals(200, ok.statusCode());
    assertEquals("Bearer", ok.bodyAsJsonObject().getString("tokenType"));
    assertEquals(900, ok.bodyAsJsonObject().getInteger("expiresIn"));
    assertEquals("no-store", ok.getHeader("Cache-Control"));

    HttpResponse<Buffer> wrongPassword = api.json(HttpMethod.POST, "/api/v1/auth/token", null,
      new JsonObject().put("email", account.email()).put("password", "wrong password"));
    HttpResponse<Buffer> unknownEmail = api.json(HttpMethod.POST, "/api/v1/auth/token", null,
      new JsonObject().put("email", unique("nobody")).put("password", "wrong password"));
    assertProblem(wrongPassword, 401);
    assertProblem(unknownEmail, 401);
    assertEquals(wrongPassword.bodyAsString(), unknownEmail.bodyAsString());
    assertProblem(api.json(HttpMethod.POST, "/api/v1/auth/token", null, new JsonObject()), 400);
    // found by BadInputFuzzIT: a NUL in the email once reached PostgreSQL and made a 500
    assertProblem(api.json(HttpMethod.POST, "/api/v1/auth/token", null,
      new JsonObject().put("email", "nul\u0000@example.com").put("password", "whatever1")), 401);
  }

  @Test
  void users_read_themselves_and_no_one_else() throws Exception {
    Api.Account ada = api.newAccount();
    Api.Account bob = api.newAccount();
    HttpResponse<Buffer> me = api.get("/api/v1/users/me", ada.bearer());
    assertEquals(200, me.statusCode());
    assertEquals(ada.id(), me.bodyAsJsonObject().getString("id"));
    assertEquals(200, api.get("/api/v1/users/" + ada.id(), ada.bearer()).statusCode());
    assertProblem(api.get("/api/v1/users/" + bob.id(), ada.bearer()), 403);
    assertProblem(api.get("/api/v1/users/" + UUID.randomUUID(), ada.bearer()), 403);
  }

  @Test
  void a_user_whose_row_is_gone_is_404() throws Exception {
    Api.Account gone = api.newAccount();
    // read first: the user node keeps what it read, and the database's notification of the deletion drops it
    assertEquals(200, api.get("/api/v1/users/me", gone.bearer()).statusCode());
    cluster.sql(SoukCluster.USER, "DELETE FROM users WHERE id = $1", UUID.fromString(gone.id()));
    Eventually.await("the deleted user is no longer served", Duration.ofSeconds(10),
      () -> api.get("/api/v1/users/me", gone.bearer()).statusCode(), status -> status == 404);
    assertProblem(api.get("/api/v1/users/me", gone.bearer()), 404);
    assertProblem(api.get("/api/v1/users/" + gone.id(), gone.bearer()), 404);
  }

  @Test
  void bad_tokens_are_401_with_www_authenticate() throws Exception {
    Api.Account account = api.newAccount();
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", account.id()).put("iss", "souk").put("iat", now).put("exp", now + 600);
    List<String> authorizations = List.of(
      "",
      "Bearer",
      "Basic dXNlcjpwYXNz",
      "Bearer not-a-jwt",
      "Bearer " + unsigned(claims),
      "Bearer " + sign("HS256", "another-secret-that-is-also-long-enough-000", claims),
      "Bearer " + sign("HS512", SECRET, claims),
      "Bearer " + sign("HS256", SECRET, claims.copy().put("iat", now - 7200).put("exp", now - 3600)),
      "Bearer " + sign("HS256", SECRET, claims.copy().put("iss", "evil")),
      "Bearer " + account.token().substring(0, account.token().length() - 2) + "xx");
    for (String authorization : authorizations) {
      HttpResponse<Buffer> response = api.get("/api/v1/users/me", authorization.isEmpty() ? null : authorization);
      assertProblem(response, 401);
      assertTrue(response.getHeader("WWW-Authenticate").startsWith("Bearer"), authorization);
    }
    // the same claims signed the right way are accepted: the rejections above are about the token, not the user
    assertEquals(200, api.get("/api/v1/users/me", "Bearer " + sign("HS256", SECRET, claims)).statusCode());
  }

  @Test
  void request_ids_are_echoed_or_generated_and_logged_by_both_nodes() throws Exception {
    Api.Account account = api.newAccount();
    String requestId = "it-" + UUID.randomUUID();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("X-Request-Id", requestId)
      .add("Authorization", account.bearer());
    HttpResponse<Buffer> response = api.raw(HttpMethod.GET, "/api/v1/users/me", headers, null);
    assertEquals(200, response.statusCode());
    assertEquals(requestId, response.getHeader("X-Request-Id"));

    MultiMap insane = MultiMap.caseInsensitiveMultiMap().add("X-Request-Id", "bad id with spaces <script>");
    String generated = api.raw(HttpMethod.GET, "/health", insane, null).getHeader("X-Request-Id");
    assertNotNull(generated);
    assertNotEquals("bad id with spaces <script>", generated);

    String gatewayLog = cluster.node("gateway").log();
    String userLog = cluster.node("user").log();
    assertTrue(gatewayLog.contains("\"requestId\":\"" + requestId + "\""), "gateway logged the request id");
    assertTrue(userLog.contains("\"requestId\":\"" + requestId + "\""), "user node logged the request id");
  }


  private static HttpResponse<Buffer> signUp(String name, String email, String password) throws Exception {
    return api.json(HttpMethod.POST, "/api/v1/users", null,
      new JsonObject().put("name", name).put("email", email).put("password", password));
  }

  static void assertProblem(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertProblemShape(response);
  }

  static void assertProblemShape(HttpResponse<Buffer> response) {
    assertEquals("application/problem+json", response.getHeader("Content-Type"));
    JsonObject problem = response.bodyAsJsonObject();
    assertEquals(response.statusCode(), problem.getInteger("status"));
    assertNotNull(problem.getString("title"));
    assertNotNull(problem.getString("type"));
    assertNotNull(problem.getString("detail"));
    String text = response.bodyAsString();
    assertFalse(text.contains("Exception") || text.contains("at souk.") || text.contains("SELECT"), text);
  }

  private static MultiMap jsonType() {
    return MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID() + "@example.com";
  }

  private static String unsigned(JsonObject claims) {
    return TestJwts.unsigned(claims);
  }

  private static String sign(String alg, String secret, JsonObject claims) {
    return TestJwts.sign(alg, secret, claims);
  }
}
