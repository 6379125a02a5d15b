package souk.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens: JWTs signed HS256 with the shared secret, claims {@code sub} (user id), {@code iss} ({@code souk}),
 * {@code iat} and {@code exp}. A token verifies only if it is HS256 with this key, from this issuer, unexpired, and
 * carries a subject and an expiry: {@code alg:none}, another algorithm or key, a wrong signature all fail. A token
 * that passed is remembered until it expires, so a client's later requests skip the signature check and the decoding.
 */
public final class Tokens {

  public static final String ISSUER = "souk";
  public static final String ALGORITHM = "HS256";
  /** Shortest accepted secret, in bytes (HS256 wants at least its 256-bit output). */
  public static final int MIN_SECRET_BYTES = 32;

  /** Most verified tokens remembered at once; beyond that the memory starts again empty. */
  static final int MAX_REMEMBERED = 10_000;

  private final JWTAuth jwt;
  private final int ttlSeconds;
  // keyed by the whole token, signature included: a forged or altered token never matches one checked before
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  public Tokens(Vertx vertx, String secret, int ttlSeconds) {
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("SOUK_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    this.ttlSeconds = ttlSeconds;
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(secret))
      .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setAlgorithm(ALGORITHM)));
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  public String issue(String userId) {
    return jwt.generateToken(new JsonObject().put("sub", userId),
      new JWTOptions().setAlgorithm(ALGORITHM).setIssuer(ISSUER).setExpiresInSeconds(ttlSeconds));
  }

  /** The user id of a valid token; a failed future for any token that is not. */
  public Future<String> verify(String token) {
    Verified known = verified.get(token);
    if (known != null) {
      if (System.currentTimeMillis() / 1000 < known.expiresAt()) {
        return Future.succeededFuture(known.subject());
      }
      verified.remove(token);
    }
    return jwt.authenticate(new TokenCredentials(token)).compose(user -> {
      // vertx-auth-jwt keeps the decoded claims in the attributes; the principal holds only the raw token
      JsonObject claims = user.attributes().getJsonObject("accessToken", new JsonObject());
      String subject = claims.getString("sub");
      if (subject == null || subject.isBlank() || !(claims.getValue("exp") instanceof Number expiry)) {
        return Future.failedFuture(new IllegalArgumentException("token without subject or expiry"));
      }
      if (verified.size() >= MAX_REMEMBERED) {
        verified.clear();
      }
      verified.put(token, new Verified(subject, expiry.longValue()));
      return Future.succeededFuture(subject);
    });
  }

  /** A token whose signature and claims were checked: until it expires, the same string needs no second check. */
  private record Verified(String subject, long expiresAt) {
  }
}
