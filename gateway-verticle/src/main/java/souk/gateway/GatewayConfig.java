package souk.gateway;

import io.vertx.core.json.JsonObject;
import souk.common.config.NodeConfig;

import java.util.List;

/**
 * Gateway settings, from {@code gateway-node.json} and {@code SOUK_*} variables.
 *
 * @param httpHost          interface the API listens on ({@code SOUK_HTTP_HOST}, default 127.0.0.1)
 * @param httpPort          API port ({@code SOUK_HTTP_PORT}, default 8080; 0 picks a free port)
 * @param requiredServices  service kinds that must each have a live node for {@code /ready} to be 200
 * @param requestTimeoutMs  how long the gateway waits for a service's answer before a 504, milliseconds
 * @param bodyLimitBytes    largest request body accepted; larger is a 413 (default 64 KiB)
 * @param jwtSecret         HS256 signing secret, 32+ bytes ({@code SOUK_JWT_SECRET}); empty for a development secret
 * @param tokenTtlSeconds   lifetime of an access token, seconds (default 900)
 * @param aggregateTimeoutMs how long an aggregation waits for an optional part before leaving it out, milliseconds
 * @param idleTimeoutSeconds a client connection silent this long is closed (default 60)
 */
public record GatewayConfig(String httpHost, int httpPort, List<String> requiredServices, long requestTimeoutMs,
                            long bodyLimitBytes, String jwtSecret, int tokenTtlSeconds,
                            long aggregateTimeoutMs, int idleTimeoutSeconds) {

  public static final String SERVICE = "gateway";

  public static GatewayConfig from(JsonObject json) {
    return new GatewayConfig(
      json.getString("httpHost"),
      json.getInteger("httpPort"),
      NodeConfig.splitList(json.getString("requiredServices")),
      json.getLong("requestTimeoutMs"),
      json.getLong("bodyLimitBytes"),
      json.getString("jwtSecret"),
      json.getInteger("tokenTtlSeconds"),
      json.getLong("aggregateTimeoutMs"),
      json.getInteger("idleTimeoutSeconds"));
  }
}
