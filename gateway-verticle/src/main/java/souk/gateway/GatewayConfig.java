package souk.gateway;

import io.vertx.core.json.JsonObject;
import souk.common.config.ConfigLoader;
import souk.common.config.NodeConfig;
import souk.gateway.auth.Tokens;
import souk.gateway.bridge.BridgeLimits;

import java.util.List;

import static souk.common.config.ConfigLoader.positive;

/**
 * Gateway settings, from {@code gateway-node.json} and {@code SOUK_*} variables.
 *
 * @param httpHost          interface the API listens on ({@code SOUK_HTTP_HOST}, default 127.0.0.1)
 * @param httpPort          API port ({@code SOUK_HTTP_PORT}, default 8080; 0 picks a free port)
 * @param requiredServices  service kinds that must each have a live node for {@code /ready} to be 200
 * @param requestTimeoutMs  how long the gateway waits for a service's answer before a 504, milliseconds
 * @param bodyLimitBytes    largest request body accepted; larger is a 413 (default 64 KiB)
 * @param jwtSecret         HS256 signing secret, 32+ bytes ({@code SOUK_JWT_SECRET}); empty for a development secret
 * @param jwtPreviousSecrets secrets that only verify, during a rotation ({@code SOUK_JWT_PREVIOUS_SECRETS})
 * @param jwtLeewaySeconds  tolerance for clocks that disagree between hosts, seconds (default 30)
 * @param tokenTtlSeconds   lifetime of an access token, seconds (default 900)
 * @param aggregateTimeoutMs how long an aggregation waits for an optional part before leaving it out, milliseconds
 * @param idleTimeoutSeconds a client connection silent this long is closed (default 60)
 * @param tlsCert           PEM certificate chain for HTTPS ({@code SOUK_TLS_CERT}); empty for plain HTTP
 * @param tlsKey            PEM private key for HTTPS ({@code SOUK_TLS_KEY}); empty for plain HTTP
 * @param limits            rate limits, trusted proxies and cross-origin rules
 * @param breakers          circuit breaker settings
 * @param bridge            bounds of the browser bridge
 */
public record GatewayConfig(String httpHost, int httpPort, List<String> requiredServices, long requestTimeoutMs,
                            long bodyLimitBytes, String jwtSecret, List<String> jwtPreviousSecrets,
                            int jwtLeewaySeconds, int tokenTtlSeconds,
                            long aggregateTimeoutMs, int idleTimeoutSeconds, String tlsCert, String tlsKey,
                            Protection limits,
                            BreakerSettings breakers, BridgeLimits bridge) {

  public static final String SERVICE = "gateway";

  /**
   * @param ratePerSecond  API requests per second per client identity ({@code SOUK_RATE_LIMIT_RPS}, default 50)
   * @param burst          API requests an identity may make at once ({@code SOUK_RATE_LIMIT_BURST}, default 100)
   * @param loginPerMinute sign-in attempts a minute per (address, email) ({@code SOUK_LOGIN_RATE_LIMIT}, default 10)
   * @param maxIdentities  most identities each limiter tracks at once (default 50,000)
   * @param syncMs         how often gateways share what they admitted, milliseconds (default 250)
   * @param trustedProxies addresses or CIDR blocks whose {@code X-Forwarded-For} is believed (default none)
   * @param corsOrigins    exact origins allowed cross-origin (default none: same-origin only)
   * @param maxInFlight    most API requests one gateway serves at once; more are shed with 503
   *                       ({@code SOUK_MAX_IN_FLIGHT}, default 512); also the most whose bodies arrive at once
   * @param bodyTimeoutMs  how long a request body may take to arrive before a 408, milliseconds
   *                       ({@code SOUK_BODY_TIMEOUT_MS}, default 10000)
   */
  public record Protection(int ratePerSecond, int burst, int loginPerMinute, int maxIdentities, long syncMs,
                           List<String> trustedProxies, List<String> corsOrigins, int maxInFlight,
                           long bodyTimeoutMs) {
  }

  /**
   * @param maxFailures consecutive failures that open a service's breaker (default 5)
   * @param resetMs     how long an open breaker waits before probing, milliseconds (default 5000)
   */
  public record BreakerSettings(int maxFailures, long resetMs) {
  }

  public static GatewayConfig from(JsonObject json) {
    Protection limits = new Protection(
      positive(json, "rateLimitRps"),
      positive(json, "rateLimitBurst"),
      positive(json, "loginRateLimit"),
      positive(json, "rateLimitMaxIdentities"),
      positive(json, "rateLimitSyncMs"),
      NodeConfig.splitList(json.getString("trustedProxies")),
      NodeConfig.splitList(json.getString("corsOrigins")),
      positive(json, "maxInFlight"),
      positive(json, "bodyTimeoutMs"));
    return new GatewayConfig(
      json.getString("httpHost"),
      ConfigLoader.intIn(json, "httpPort", 0, 65_535),
      NodeConfig.splitList(json.getString("requiredServices")),
      positive(json, "requestTimeoutMs"),
      positive(json, "bodyLimitBytes"),
      json.getString("jwtSecret"),
      NodeConfig.splitList(json.getString("jwtPreviousSecrets", "")),
      ConfigLoader.intIn(json, "jwtLeewaySeconds", 0, 3_600, Tokens.DEFAULT_LEEWAY_SECONDS),
      positive(json, "tokenTtlSeconds"),
      positive(json, "aggregateTimeoutMs"),
      positive(json, "idleTimeoutSeconds"),
      json.getString("tlsCert", ""),
      json.getString("tlsKey", ""),
      limits,
      new BreakerSettings(positive(json, "breakerMaxFailures"), positive(json, "breakerResetMs")),
      new BridgeLimits(positive(json, "bridgeMaxSocketsPerUser"), positive(json, "bridgeMaxRegistrations"),
        positive(json, "bridgeMaxFrameBytes"), positive(json, "bridgeIdleSeconds"),
        positive(json, "bridgeMaxAnonymousPerAddress"), positive(json, "bridgeMaxAnonymous")));
  }
}
