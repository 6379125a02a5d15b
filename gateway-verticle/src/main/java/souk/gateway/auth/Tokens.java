package souk.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens: JWTs signed HS256 with the shared secret, claims {@code sub} (user id), {@code iss} ({@code souk}),
 * {@code iat} and {@code exp}. A token verifies only if it is HS256 with this key, from this issuer, unexpired, and
 * carries a subject and an expiry: {@code alg:none}, another algorithm or key, a wrong signature all fail. Tokens
 * carry a {@code kid} naming their secret; previous secrets still verify during a rotation; clocks may disagree by the
 * leeway. A token
 * that passed is remembered until it expires, so a client's later requests skip the signature check and the decoding.
 */
public final class Tokens {

  public static final String ISSUER = "souk";
  public static final String ALGORITHM = "HS256";
  /** Shortest accepted secret, in bytes (HS256 wants at least its 256-bit output). */
  public static final int MIN_SECRET_BYTES = 32;

  /** Most verified tokens remembered at once; beyond that the memory starts again empty. */
  static final int MAX_REMEMBERED = 10_000;

  /** Default tolerance for clocks that disagree between gateway hosts, in seconds. */
  public static final int DEFAULT_LEEWAY_SECONDS = 30;

  private final JWTAuth signer;
  private final String keyId;
  // the current secret first, then the previous ones, which only verify
  private final List<JWTAuth> verifiers;
  private final int ttlSeconds;
  private final int leewaySeconds;
  // keyed by the whole token, signature included: a forged or altered token never matches one checked before
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  public Tokens(Vertx vertx, String secret, int ttlSeconds) {
    this(vertx, secret, List.of(), ttlSeconds, DEFAULT_LEEWAY_SECONDS);
  }

  /**
   * @param secret          signs and verifies ({@code SOUK_JWT_SECRET})
   * @param previousSecrets only verify ({@code SOUK_JWT_PREVIOUS_SECRETS}), so that a secret can be rolled across
   *                        gateways without signing everyone out
   * @param leewaySeconds   how far {@code iat} may lie in the future, and {@code exp} in the past, for clocks that
   *                        disagree between hosts ({@code SOUK_JWT_LEEWAY_SECONDS})
   */
  public Tokens(Vertx vertx, String secret, List<String> previousSecrets, int ttlSeconds, int leewaySeconds) {
    List<String> secrets = new ArrayList<>();
    secrets.add(secret);
    secrets.addAll(previousSecrets);
    for (String each : secrets) {
      if (each.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("SOUK_JWT_SECRET and SOUK_JWT_PREVIOUS_SECRETS must each be at least "
          + MIN_SECRET_BYTES + " bytes");
      }
    }
    this.ttlSeconds = ttlSeconds;
    this.leewaySeconds = leewaySeconds;
    this.keyId = keyId(secret);
    this.verifiers = secrets.stream().map(each -> auth(vertx, each, leewaySeconds)).toList();
    this.signer = verifiers.get(0);
  }

  private static JWTAuth auth(Vertx vertx, String secret, int leewaySeconds) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(secret))
      .setJWTOptions(new JWTOptions().setIssuer(ISSUER).setAlgorithm(ALGORITHM).setLeeway(leewaySeconds)));
  }

  /** A token's {@code kid}: names the secret that signed it without revealing it (a SHA-256 prefix). */
  static String keyId(String secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  public String issue(String userId) {
    return signer.generateToken(new JsonObject().put("sub", userId),
      new JWTOptions().setAlgorithm(ALGORITHM).setIssuer(ISSUER).setExpiresInSeconds(ttlSeconds)
        .setHeader(new JsonObject().put("kid", keyId)));
  }

  /** The user id of a valid token; a failed future for any token that is not. */
  public Future<String> verify(String token) {
    Verified known = verified.get(token);
    if (known != null) {
      if (System.currentTimeMillis() / 1000 < known.expiresAt() + leewaySeconds) {
        return Future.succeededFuture(known.subject());
      }
      verified.remove(token);
    }
    return authenticate(token, 0).compose(user -> {
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

  // the current secret first; a previous one only when it fails
  private Future<User> authenticate(String token, int index) {
    return verifiers.get(index).authenticate(new TokenCredentials(token))
      .recover(e -> index + 1 < verifiers.size() ? authenticate(token, index + 1) : Future.failedFuture(e));
  }

  /** A token whose signature and claims were checked: until it expires, the same string needs no second check. */
  private record Verified(String subject, long expiresAt) {
  }
}
