package souk.gateway.auth;

import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The one JWT signer of the tests (the gateway's and the system tests', which get it through this module's test jar):
 * plain JDK HMAC, independent of the code under test, so that a forged, expired or foreign token is made exactly as
 * an attacker would make it.
 */
public final class TestJwts {

  private TestJwts() {
  }

  /** {@code claims} signed with {@code alg} ({@code HS256} or {@code HS512}) and {@code secret}. */
  public static String sign(String alg, String secret, JsonObject claims) {
    String input = b64(new JsonObject().put("alg", alg).put("typ", "JWT").encode()) + "." + b64(claims.encode());
    String javaAlg = alg.equals("HS512") ? "HmacSHA512" : "HmacSHA256";
    try {
      Mac mac = Mac.getInstance(javaAlg);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), javaAlg));
      byte[] signature = mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
      return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code claims} with {@code alg: none} and no signature. */
  public static String unsigned(JsonObject claims) {
    return b64(new JsonObject().put("alg", "none").put("typ", "JWT").encode()) + "." + b64(claims.encode()) + ".";
  }

  /** The claims of a Souk token for {@code subject}, issued now and valid {@code ttlSeconds}. */
  public static JsonObject claims(String subject, long ttlSeconds) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", subject).put("iss", Tokens.ISSUER).put("iat", now).put("exp", now + ttlSeconds);
  }

  private static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
