package souk.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import souk.common.bus.Actions;
import souk.common.bus.Addresses;
import souk.common.bus.ErrorCode;
import souk.common.bus.Requests;
import souk.common.bus.ServiceException;
import souk.gateway.http.JsonBody;
import souk.gateway.http.RequestIds;
import souk.gateway.limit.RateLimitHandler;
import souk.gateway.limit.RateLimiter;
import souk.gateway.limit.TrustedProxies;
import souk.gateway.routing.ServiceCaller;

import java.util.Locale;

/**
 * {@code POST /api/v1/auth/token} with {@code {email, password}}: the user service checks the credentials, the gateway
 * signs the token. Unknown email and wrong password get the same 401. Attempts are limited per client address and
 * email ({@code SOUK_LOGIN_RATE_LIMIT} a minute), on top of the per-address limit of every API request, so guessing
 * one account's password stalls and a spray across many emails still meets the address's own budget.
 */
public final class TokenEndpoint implements Handler<RoutingContext> {

  public static final String PATH = "/api/v1/auth/token";
  /** As at sign-up, in characters (code points). */
  static final int MAX_EMAIL_LENGTH = 254;

  private final ServiceCaller caller;
  private final Tokens tokens;
  private final long timeoutMs;
  private final RateLimiter attempts;
  private final TrustedProxies proxies;

  public TokenEndpoint(ServiceCaller caller, Tokens tokens, long timeoutMs, RateLimiter attempts,
                       TrustedProxies proxies) {
    this.caller = caller;
    this.tokens = tokens;
    this.timeoutMs = timeoutMs;
    this.attempts = attempts;
    this.proxies = proxies;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Future.succeededFuture()
      .map(v -> admitted(ctx, credentials(JsonBody.read(ctx))))
      .compose(credentials -> authenticate(ctx, credentials))
      .onSuccess(userId -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject()
          .put("accessToken", tokens.issue(userId))
          .put("tokenType", "Bearer")
          .put("expiresIn", tokens.ttlSeconds())
          .toBuffer()))
      .onFailure(ctx::fail);
  }

  private JsonObject admitted(RoutingContext ctx, JsonObject credentials) {
    String email = credentials.getString("email").trim().toLowerCase(Locale.ROOT);
    RateLimiter.Decision decision = attempts.acquire(RateLimitHandler.clientAddress(ctx, proxies) + "|" + email);
    if (!decision.allowed()) {
      throw new ServiceException(ErrorCode.TOO_MANY_REQUESTS, "Too many sign-in attempts for this email from this "
        + "address; retry after " + decision.retryAfterSeconds() + " s").retryAfter((int) decision.retryAfterSeconds());
    }
    return credentials;
  }

  private Future<String> authenticate(RoutingContext ctx, JsonObject credentials) {
    DeliveryOptions options = Requests.options(Actions.User.AUTHENTICATE, RequestIds.of(ctx), null, timeoutMs);
    return caller.request(Addresses.USER_SERVICE, credentials, options).map(reply -> reply.getString("userId"));
  }

  static JsonObject credentials(Object body) {
    JsonArray errors = new JsonArray();
    JsonObject json = body instanceof JsonObject object ? object : null;
    if (json == null) {
      throw ServiceException.validation(errors.add(ServiceException.fieldError("body", "must be a JSON object with email and password")));
    }
    for (String field : new String[] {"email", "password"}) {
      if (!(json.getValue(field) instanceof String)) {
        errors.add(ServiceException.fieldError(field, json.getValue(field) == null ? "is required" : "must be a string"));
      }
    }
    String email = errors.isEmpty() ? json.getString("email") : "";
    if (email.codePointCount(0, email.length()) > MAX_EMAIL_LENGTH) {
      // no account has one (sign-up refuses it), and the attempts limiter would keep it as part of a key
      errors.add(ServiceException.fieldError("email", "must be at most " + MAX_EMAIL_LENGTH + " characters"));
    }
    if (!errors.isEmpty()) {
      throw ServiceException.validation(errors);
    }
    return new JsonObject().put("email", json.getString("email")).put("password", json.getString("password"));
  }
}
