package souk.it;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway protects itself and the services: per-identity rate limits that hold across two gateways, a stricter
 * sign-in limit, circuit breakers, CORS, a bounded password-hashing queue, and hostile bodies refused with a 4xx.
 * Small limits make the effects visible: 5 requests a second with a burst of 5.
 */
class ProtectionIT {

  private static final int RATE = 5;
  private static final int BURST = 5;
  private static final int LOGINS_PER_MINUTE = 3;
  private static final int MAX_IDENTITIES = 200;
  private static final String SIGN_IN = "/api/v1/auth/token";
  private static final String ALLOWED_ORIGIN = "https://shop.example";

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster()
    .env("SOUK_RATE_LIMIT_RPS", String.valueOf(RATE))
    .env("SOUK_RATE_LIMIT_BURST", String.valueOf(BURST))
    .env("SOUK_LOGIN_RATE_LIMIT", String.valueOf(LOGINS_PER_MINUTE))
    .env("SOUK_CORS_ORIGINS", ALLOWED_ORIGIN)
    .env("SOUK_REQUEST_TIMEOUT_MS", "700")
    .env("SOUK_BREAKER_MAX_FAILURES", "3")
    .env("SOUK_BREAKER_RESET_MS", "3000")
    .env("SOUK_PASSWORD_HASH_QUEUE", "4");

  // a second gateway that trusts X-Forwarded-For from loopback, as if behind a proxy, and keeps few identities
  private static int secondPort;

  @BeforeAll
  static void secondGateway() throws Exception {
    secondPort = SoukCluster.freePort();
    cluster.start(SoukCluster.GATEWAY, SoukCluster.Host.LOCAL, Map.of(
      "SOUK_HTTP_PORT", String.valueOf(secondPort),
      "SOUK_TRUSTED_PROXIES", "127.0.0.1",
      "SOUK_RATE_LIMIT_MAX_IDENTITIES", String.valueOf(MAX_IDENTITIES)));
    Eventually.until("the second gateway becoming ready", Duration.ofSeconds(90), () -> ready(secondPort));
  }

  private static boolean ready(int port) {
    try {
      return send(port, HttpMethod.GET, "/ready", MultiMap.caseInsensitiveMultiMap(), null).statusCode() == 200;
    } catch (Exception notListeningYet) {
      return false;
    }
  }

  // ---- rate limits ----

  @Test
  void one_identity_flooding_gets_429s_and_no_more_than_its_budget_while_others_are_served() throws Exception {
    Account flooder = account();
    Account bystander = account();
    Flood flood = flood(100_000, i -> get(cluster.gatewayPort(), "/api/v1/users/me", bearer(flooder)),
      Duration.ofSeconds(4));
    flood.print("one gateway");
    assertTrue(flood.refused > 0, "some requests were refused");
    assertTrue(flood.admitted >= BURST, "a full bucket admits its burst: " + flood);
    assertTrue(flood.admitted <= flood.budget() + 1, "admitted no more than burst + rate x elapsed: " + flood);
    HttpResponse<Buffer> refused = flood.lastRefused;
    assertEquals("application/problem+json", refused.getHeader("Content-Type"));
    assertTrue(Integer.parseInt(refused.getHeader("Retry-After")) >= 1);
    assertEquals("0", refused.getHeader("RateLimit-Remaining"));
    assertEquals(200, get(cluster.gatewayPort(), "/api/v1/users/me", bearer(bystander)).statusCode());
  }

  @Test
  void every_api_answer_carries_the_rate_limit_headers() throws Exception {
    Account account = account();
    awaitAnonymousBudget();
    List<HttpResponse<Buffer>> answers = List.of(
      get(cluster.gatewayPort(), "/api/v1/users/me", bearer(account)),
      get(cluster.gatewayPort(), "/api/v1/no-such-thing", MultiMap.caseInsensitiveMultiMap()),
      get(cluster.gatewayPort(), "/api/v1/users/me", headers("Authorization", "Bearer forged")),
      send(cluster.gatewayPort(), HttpMethod.POST, "/api/v1/users", headers("Content-Type", "application/json"),
        Buffer.buffer("{not json")));
    assertEquals(List.of(200, 404, 401, 400), answers.stream().map(HttpResponse::statusCode).toList());
    for (HttpResponse<Buffer> answer : answers) {
      assertEquals(String.valueOf(BURST), answer.getHeader("RateLimit-Limit"));
      assertNotNull(answer.getHeader("RateLimit-Remaining"));
      assertNotNull(answer.getHeader("RateLimit-Reset"));
    }
  }

  @Test
  void a_forwarded_for_from_an_untrusted_peer_buys_no_fresh_bucket() throws Exception {
    awaitAnonymousBudget();
    Flood flood = flood(40, i -> get(cluster.gatewayPort(), "/api/v1/no-such-thing",
      headers("X-Forwarded-For", "198.51.100." + i)));
    assertTrue(flood.refused > 0, flood.toString());
    assertTrue(flood.admitted <= flood.budget() + 1, flood.toString());
  }

  @Test
  void behind_a_proxy_that_adds_its_own_forwarded_for_line_the_clients_line_buys_no_fresh_bucket() throws Exception {
    // the client writes a line of its own; the trusted proxy (loopback) adds a second line with the address it saw
    String proxySaw = "203.0.113." + ThreadLocalRandom.current().nextInt(1, 251);
    Flood flood = flood(40, i -> get(secondPort, "/api/v1/no-such-thing", MultiMap.caseInsensitiveMultiMap()
      .add("X-Forwarded-For", "198.51.100." + i).add("X-Forwarded-For", proxySaw)));
    assertTrue(flood.refused > 0, flood.toString());
    assertTrue(flood.admitted <= flood.budget() + 1, flood.toString());
  }

  @Test
  void two_gateways_together_admit_about_one_budget() throws Exception {
    Account account = account();
    Flood flood = flood(100_000, i -> get(i % 2 == 0 ? cluster.gatewayPort() : secondPort, "/api/v1/users/me",
      bearer(account)), Duration.ofSeconds(4));
    flood.print("two gateways");
    // each gateway starts with a full bucket, and usage reaches the other within 250 ms: one burst and one rate's
    // worth of slack; two gateways that did not share would admit twice the budget
    assertTrue(flood.admitted <= flood.budget() + BURST + RATE, "two gateways admitted " + flood);
    assertTrue(flood.admitted >= flood.budget() / 2, "and not much less than one budget: " + flood);
  }

  @Test
  void a_flood_of_distinct_identities_keeps_no_more_buckets_than_the_bound() throws Exception {
    for (int i = 0; i < 3 * MAX_IDENTITIES; i++) {
      assertEquals(404, get(secondPort, "/api/v1/no-such-thing",
        headers("X-Forwarded-For", "10.20." + (i / 250) + "." + (i % 250))).statusCode());
    }
    String metrics = send(secondPort, HttpMethod.GET, "/metrics", MultiMap.caseInsensitiveMultiMap(), null)
      .bodyAsString();
    double identities = metric(metrics, "souk_ratelimit_identities\\{[^}]*limiter=\"api\"[^}]*\\}");
    assertTrue(identities <= MAX_IDENTITIES && identities >= MAX_IDENTITIES / 2.0, "buckets kept: " + identities);
  }

  // ---- sign-in ----

  @Test
  void guessing_one_accounts_password_from_one_address_stalls() throws Exception {
    Account victim = account();
    Account other = account();
    awaitAnonymousBudget();
    // the account's own sign-in used one attempt of the three a minute
    assertEquals(401, login(cluster.gatewayPort(), victim.email(), "wrong guess 1", null).statusCode());
    assertEquals(401, login(cluster.gatewayPort(), victim.email(), "wrong guess 2", null).statusCode());
    HttpResponse<Buffer> stalled = login(cluster.gatewayPort(), victim.email().toUpperCase(), victim.password(), null);
    assertEquals(429, stalled.statusCode(), "the email is normalised: its case buys nothing");
    assertTrue(Integer.parseInt(stalled.getHeader("Retry-After")) >= 1);
    assertEquals(200, login(cluster.gatewayPort(), other.email(), other.password(), null).statusCode(),
      "another account from the same address is not stalled");
  }

  @Test
  void a_sign_in_spray_carrying_valid_tokens_still_meets_the_addresss_budget() throws Exception {
    List<Account> accounts = List.of(account(), account(), account());
    awaitAnonymousBudget();
    // a token of its own per request would otherwise give each account's bucket to the spray
    // with a trailing slash too, which reaches the same route
    Flood flood = flood(30, i -> send(cluster.gatewayPort(), HttpMethod.POST, i % 2 == 0 ? SIGN_IN : SIGN_IN + "/",
      bearer(accounts.get(i % accounts.size())).add("Content-Type", "application/json"),
      new JsonObject().put("email", "spray-" + i + "@example.com").put("password", "wrong password").toBuffer()));
    assertTrue(flood.refused > 0, flood.toString());
    assertTrue(flood.admitted <= flood.budget() + 1, flood.toString());
  }

  @Test
  void a_sign_in_flood_is_shed_with_503_and_a_valid_sign_in_still_gets_through() throws Exception {
    Account account = account();
    List<Future<HttpResponse<Buffer>>> flood = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      flood.add(loginAsync(secondPort, "nobody-" + i + "@example.com", "wrong password", "10.30.0." + i));
    }
    HttpResponse<Buffer> valid = login(secondPort, account.email(), account.password(), "10.30.1.1");
    int shed = 0;
    for (Future<HttpResponse<Buffer>> answer : flood) {
      HttpResponse<Buffer> response = answer.await(30, TimeUnit.SECONDS);
      // 504: accepted into the queue, but its 700 ms had passed when a hashing thread was free, so it was dropped
      assertTrue(List.of(401, 503, 504).contains(response.statusCode()), response.bodyAsString());
      if (response.statusCode() == 503) {
        shed++;
        assertEquals("1", response.getHeader("Retry-After"));
      }
    }
    assertTrue(shed > 0, "the hashing queue of 4 shed part of 40 sign-ins at once");
    if (valid.statusCode() == 503 || valid.statusCode() == 504) {
      // caught in the flood: shed, or expired in the queue. Once the flood has been answered it gets through
      TimeUnit.SECONDS.sleep(valid.statusCode() == 503 ? Long.parseLong(valid.getHeader("Retry-After")) : 1);
      valid = login(secondPort, account.email(), account.password(), "10.30.1.1");
    }
    assertEquals(200, valid.statusCode(), valid.bodyAsString());
    String userMetrics = cluster.client().get(cluster.node(SoukCluster.USER).managementPort(), "127.0.0.1", "/metrics")
      .send().await(10, TimeUnit.SECONDS).bodyAsString();
    assertTrue(metric(userMetrics, "souk_password_hash_shed_total(?:\\{[^}]*\\})?") >= shed);
  }

  // ---- hostile bodies and odd requests ----

  @Test
  void a_body_nested_a_thousand_levels_deep_is_a_400() throws Exception {
    awaitAnonymousBudget();
    HttpResponse<Buffer> response = send(cluster.gatewayPort(), HttpMethod.POST, "/api/v1/users",
      headers("Content-Type", "application/json"), Buffer.buffer("[".repeat(1_000) + "]".repeat(1_000)));
    assertEquals(400, response.statusCode(), response.bodyAsString());
    assertEquals("application/problem+json", response.getHeader("Content-Type"));
  }

  @Test
  void a_wrong_method_on_the_summary_says_which_method_is_allowed() throws Exception {
    Account account = account();
    HttpResponse<Buffer> response = send(cluster.gatewayPort(), HttpMethod.POST,
      "/api/v1/users/" + account.id() + "/summary", bearer(account), null);
    assertEquals(405, response.statusCode());
    assertEquals("GET", response.getHeader("Allow"));
  }

  @Test
  void a_password_of_emoji_accepted_at_sign_up_also_signs_in() throws Exception {
    awaitAnonymousBudget();
    String email = "\uD83D\uDE00" + UUID.randomUUID() + "@example.com";
    String password = "\uD83D\uDE00".repeat(128);
    HttpResponse<Buffer> created = send(cluster.gatewayPort(), HttpMethod.POST, "/api/v1/users",
      headers("Content-Type", "application/json"),
      new JsonObject().put("name", "Emoji").put("email", email).put("password", password).toBuffer());
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertEquals(200, login(cluster.gatewayPort(), email, password, null).statusCode());
  }

  // ---- CORS ----

  @Test
  void an_allowed_origin_gets_a_preflight_and_exposed_headers() throws Exception {
    HttpResponse<Buffer> preflight = send(cluster.gatewayPort(), HttpMethod.OPTIONS, "/api/v1/orders",
      headers("Origin", ALLOWED_ORIGIN).add("Access-Control-Request-Method", "POST")
        .add("Access-Control-Request-Headers", "authorization, content-type, idempotency-key"), null);
    assertEquals(204, preflight.statusCode());
    assertEquals(ALLOWED_ORIGIN, preflight.getHeader("Access-Control-Allow-Origin"));
    assertTrue(preflight.getHeader("Access-Control-Allow-Headers").contains("Idempotency-Key"));
    assertTrue(preflight.getHeader("Access-Control-Allow-Methods").contains("POST"));
    awaitAnonymousBudget();
    HttpResponse<Buffer> actual = get(cluster.gatewayPort(), "/api/v1/no-such-thing", headers("Origin", ALLOWED_ORIGIN));
    assertEquals(ALLOWED_ORIGIN, actual.getHeader("Access-Control-Allow-Origin"));
    assertTrue(actual.getHeader("Access-Control-Expose-Headers").contains("RateLimit-Remaining"));
  }

  @Test
  void another_origin_is_refused_and_never_reflected_while_same_origin_passes() throws Exception {
    HttpResponse<Buffer> refused = send(cluster.gatewayPort(), HttpMethod.OPTIONS, "/api/v1/orders",
      headers("Origin", "https://evil.example").add("Access-Control-Request-Method", "POST"), null);
    assertEquals(403, refused.statusCode());
    assertNull(refused.getHeader("Access-Control-Allow-Origin"));
    HttpResponse<Buffer> plain = get(cluster.gatewayPort(), "/health", headers("Origin", "https://evil.example"));
    assertEquals(403, plain.statusCode());
    assertNull(plain.getHeader("Access-Control-Allow-Origin"));
    HttpResponse<Buffer> same = get(cluster.gatewayPort(), "/health",
      headers("Origin", "http://127.0.0.1:" + cluster.gatewayPort()));
    assertEquals(200, same.statusCode());
  }

  // ---- circuit breaker ----

  @Test
  void a_service_that_stops_answering_opens_its_breaker_which_fails_fast_and_closes_when_it_returns()
    throws Exception {
    Account account = account();
    NodeProcess user = cluster.node(SoukCluster.USER);
    signal("STOP", user.pid());
    try {
      for (int i = 0; i < 3; i++) {
        assertEquals(504, get(cluster.gatewayPort(), "/api/v1/users/me", bearer(account)).statusCode());
      }
      HttpResponse<Buffer> fast = get(cluster.gatewayPort(), "/api/v1/users/me", bearer(account));
      assertEquals(503, fast.statusCode(), fast.bodyAsString());
      assertTrue(fast.bodyAsJsonObject().getString("detail").contains("failing"), fast.bodyAsString());
      assertTrue(Integer.parseInt(fast.getHeader("Retry-After")) >= 1);
      String metrics = cluster.get("/metrics").bodyAsString();
      assertEquals(2.0, metric(metrics, "souk_breaker_state\\{[^}]*service=\"user-service\"[^}]*\\}"));
    } finally {
      signal("CONT", user.pid());
    }
    JsonObject ready = cluster.awaitStatus("/ready", code -> true, Duration.ofSeconds(10));
    assertTrue(ready.encode().contains("\"breaker\":\"open\"") || ready.encode().contains("\"breaker\":\"half-open\""),
      ready.encode());
    Eventually.until("the half-open probe succeeding and the breaker closing", Duration.ofSeconds(30),
      () -> get(cluster.gatewayPort(), "/api/v1/users/me", bearer(account)).statusCode() == 200);
    cluster.awaitStatus("/ready", code -> code == 200, Duration.ofSeconds(30));
    assertTrue(cluster.get("/ready").bodyAsString().contains("\"breaker\":\"closed\""));
  }

  // ---- helpers ----

  private record Account(String id, String email, String password, String token) {
  }

  private record Flood(int admitted, int refused, double seconds, HttpResponse<Buffer> lastRefused) {
    double budget() {
      return BURST + RATE * seconds;
    }

    // the figures docs/protection.md quotes, in the test's output
    void print(String setting) {
      System.out.printf("[figures] %s: %d admitted, %d refused in %.2f s; one budget is %.1f (ratio %.2f)%n",
        setting, admitted, refused, seconds, budget(), admitted / budget());
    }
  }

  private interface Call {
    HttpResponse<Buffer> send(int i) throws Exception;
  }

  private static Flood flood(int count, Call call) throws Exception {
    return flood(count, call, Duration.ofMinutes(1));
  }

  /** Sends one request after the other, up to {@code count} or for {@code duration}, and tallies the answers. */
  private static Flood flood(int count, Call call, Duration duration) throws Exception {
    int admitted = 0;
    int refused = 0;
    HttpResponse<Buffer> lastRefused = null;
    long began = System.nanoTime();
    for (int i = 0; i < count && System.nanoTime() - began < duration.toNanos(); i++) {
      HttpResponse<Buffer> response = call.send(i);
      assertNotNull(response.getHeader("RateLimit-Limit"), "status " + response.statusCode());
      if (response.statusCode() == 429) {
        refused++;
        lastRefused = response;
      } else {
        assertTrue(response.statusCode() < 500, response.statusCode() + " " + response.bodyAsString());
        admitted++;
      }
    }
    return new Flood(admitted, refused, (System.nanoTime() - began) / 1e9, lastRefused);
  }

  /** Waits until this test's address has a full bucket again on the first gateway. */
  private static void awaitAnonymousBudget() throws Exception {
    // each look costs a request: look no more often than a full bucket takes to refill
    Eventually.await("the address's bucket refilling", Duration.ofSeconds(60), Duration.ofMillis(BURST * 1000L / RATE),
      () -> get(cluster.gatewayPort(), "/api/v1/no-such-thing", MultiMap.caseInsensitiveMultiMap())
        .getHeader("RateLimit-Remaining"),
      remaining -> remaining != null && Integer.parseInt(remaining) >= BURST - 1);
  }

  /** Signs up and in, waiting out the rate limit where needed. */
  private static Account account() throws Exception {
    String email = "user-" + UUID.randomUUID() + "@example.com";
    String password = "correct horse battery";
    HttpResponse<Buffer> created = patiently(() -> send(cluster.gatewayPort(), HttpMethod.POST, "/api/v1/users",
      headers("Content-Type", "application/json"),
      new JsonObject().put("name", "Test").put("email", email).put("password", password).toBuffer()));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    HttpResponse<Buffer> token = patiently(() -> login(cluster.gatewayPort(), email, password, null));
    assertEquals(200, token.statusCode(), token.bodyAsString());
    return new Account(created.bodyAsJsonObject().getString("id"), email, password,
      token.bodyAsJsonObject().getString("accessToken"));
  }

  private static HttpResponse<Buffer> patiently(Callable<HttpResponse<Buffer>> request) throws Exception {
    return Eventually.retryingAfter("an answer other than 429", Duration.ofMinutes(3), request,
      response -> response.statusCode() != 429);
  }

  private static HttpResponse<Buffer> login(int port, String email, String password, String forwardedFor)
    throws Exception {
    return loginAsync(port, email, password, forwardedFor).await(30, TimeUnit.SECONDS);
  }

  private static Future<HttpResponse<Buffer>> loginAsync(int port, String email, String password, String forwardedFor) {
    MultiMap headers = headers("Content-Type", "application/json");
    if (forwardedFor != null) {
      headers.add("X-Forwarded-For", forwardedFor);
    }
    return request(port, HttpMethod.POST, "/api/v1/auth/token", headers)
      .sendBuffer(new JsonObject().put("email", email).put("password", password).toBuffer());
  }

  private static MultiMap bearer(Account account) {
    return headers("Authorization", "Bearer " + account.token());
  }

  private static MultiMap headers(String name, String value) {
    return MultiMap.caseInsensitiveMultiMap().add(name, value);
  }

  private static HttpResponse<Buffer> get(int port, String path, MultiMap headers) throws Exception {
    return send(port, HttpMethod.GET, path, headers, null);
  }

  private static HttpResponse<Buffer> send(int port, HttpMethod method, String path, MultiMap headers, Buffer body)
    throws Exception {
    HttpRequest<Buffer> request = request(port, method, path, headers);
    return (body == null ? request.send() : request.sendBuffer(body)).await(30, TimeUnit.SECONDS);
  }

  private static HttpRequest<Buffer> request(int port, HttpMethod method, String path, MultiMap headers) {
    HttpRequest<Buffer> request = cluster.client().request(method, port, "127.0.0.1", path).timeout(20_000);
    request.headers().addAll(headers);
    return request;
  }

  private static double metric(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " ([0-9.eE+-]+)$").matcher(scrape);
    assertTrue(m.find(), "no " + series + " in the scrape");
    return Double.parseDouble(m.group(1));
  }

  private static void signal(String signal, long pid) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor());
  }
}
