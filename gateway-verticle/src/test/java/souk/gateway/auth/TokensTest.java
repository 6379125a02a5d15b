package souk.gateway.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokensTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";
  private static final String USER = "5b3c9a52-5d3e-4f0b-9a43-1f1f5e0d7c11";

  private Vertx vertx;
  private Tokens tokens;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    tokens = new Tokens(vertx, SECRET, 900);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void an_issued_token_verifies_to_its_user() throws Exception {
    assertEquals(USER, tokens.verify(tokens.issue(USER)).await(5, TimeUnit.SECONDS));
  }

  @Test
  void an_issued_token_carries_the_contract_claims() {
    JsonObject claims = claims(tokens.issue(USER));
    assertEquals(USER, claims.getString("sub"));
    assertEquals("souk", claims.getString("iss"));
    long iat = claims.getLong("iat");
    assertEquals(900, claims.getLong("exp") - iat);
    assertEquals("HS256", header(tokens.issue(USER)).getString("alg"));
  }

  @Test
  void a_short_secret_is_refused_at_start() {
    assertThrows(IllegalArgumentException.class, () -> new Tokens(vertx, "too short", 900));
  }

  @Test
  void alg_none_is_rejected() {
    assertRejected(TestJwts.unsigned(validClaims()));
  }

  @Test
  void another_key_is_rejected() {
    assertRejected(sign("HS256", "another-secret-that-is-also-long-enough-000", validClaims()));
  }

  @Test
  void another_algorithm_with_the_same_key_is_rejected() {
    assertRejected(sign("HS512", SECRET, validClaims()));
  }

  @Test
  void a_tampered_payload_is_rejected() {
    String[] parts = tokens.issue(USER).split("\\.");
    String forged = b64(validClaims().put("sub", "00000000-0000-0000-0000-000000000000").encode());
    assertRejected(parts[0] + "." + forged + "." + parts[2]);
  }

  @Test
  void an_expired_token_is_rejected() {
    long now = System.currentTimeMillis() / 1000;
    assertRejected(sign("HS256", SECRET, validClaims().put("iat", now - 3600).put("exp", now - 1800)));
  }

  @Test
  void a_wrong_issuer_is_rejected() {
    assertRejected(sign("HS256", SECRET, validClaims().put("iss", "someone-else")));
  }

  @Test
  void a_token_without_expiry_is_rejected() {
    JsonObject claims = validClaims();
    claims.remove("exp");
    assertRejected(sign("HS256", SECRET, claims));
  }

  @Test
  void a_token_checked_before_is_still_refused_once_it_expires() throws Exception {
    tokens = new Tokens(vertx, SECRET, List.of(), 900, 0);
    JsonObject claims = validClaims().put("exp", System.currentTimeMillis() / 1000 + 2);
    String token = sign("HS256", SECRET, claims);
    assertEquals(USER, tokens.verify(token).await(5, TimeUnit.SECONDS));
    assertEquals(USER, tokens.verify(token).await(5, TimeUnit.SECONDS), "remembered");
    TimeUnit.MILLISECONDS.sleep(2_100);
    assertRejected(token);
  }

  @Test
  void tokens_name_their_secret_and_a_previous_secret_verifies_only_while_it_is_listed() throws Exception {
    String next = "the next secret, also at least thirty-two bytes";
    String header = new String(java.util.Base64.getUrlDecoder().decode(tokens.issue(USER).split("\\.")[0]));
    assertEquals(Tokens.keyId(SECRET), new JsonObject(header).getString("kid"));
    String oldToken = tokens.issue(USER);
    Tokens rotated = new Tokens(vertx, next, List.of(SECRET), 900, Tokens.DEFAULT_LEEWAY_SECONDS);
    assertEquals(USER, rotated.verify(oldToken).await(5, TimeUnit.SECONDS), "signed before the rotation");
    assertEquals(USER, rotated.verify(rotated.issue(USER)).await(5, TimeUnit.SECONDS));
    tokens = new Tokens(vertx, next, List.of(), 900, Tokens.DEFAULT_LEEWAY_SECONDS);
    assertRejected(oldToken);
  }

  @Test
  void a_token_from_a_gateway_whose_clock_is_ten_seconds_ahead_is_accepted_within_the_leeway() throws Exception {
    long ahead = System.currentTimeMillis() / 1000 + 10;
    String token = sign("HS256", SECRET, validClaims().put("iat", ahead).put("exp", ahead + 600));
    assertEquals(USER, tokens.verify(token).await(5, TimeUnit.SECONDS));
    tokens = new Tokens(vertx, SECRET, List.of(), 900, 0);
    assertRejected(token);
  }

  @Test
  void garbage_is_rejected() {
    assertRejected("not.a.token");
    assertRejected("");
  }

  private void assertRejected(String token) {
    var result = tokens.verify(token);
    try {
      result.await(5, TimeUnit.SECONDS);
    } catch (Exception expected) {
      assertTrue(result.failed());
      return;
    }
    throw new AssertionError("accepted a bad token: " + token);
  }

  private static JsonObject validClaims() {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", USER).put("iss", "souk").put("iat", now).put("exp", now + 600);
  }

  private static String sign(String alg, String secret, JsonObject claims) {
    return TestJwts.sign(alg, secret, claims);
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject claims(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static JsonObject header(String token) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8));
  }
}
