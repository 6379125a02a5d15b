package souk.it;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A small blocking HTTP client for the gateway of a {@link SoukCluster}, for readable tests. */
public final class Api {

  private final SoukCluster cluster;

  public Api(SoukCluster cluster) {
    this.cluster = cluster;
  }

  /** A user who signed up and logged in. */
  public record Account(String id, String email, String password, String token) {
    public String bearer() {
      return "Bearer " + token;
    }

    /** The id as stored in the services' {@code user_id} columns, for SQL. */
    public UUID uuid() {
      return UUID.fromString(id);
    }
  }

  public Account newAccount() throws Exception {
    String email = "user-" + UUID.randomUUID() + "@example.com";
    String password = "correct horse battery";
    HttpResponse<Buffer> created = json(HttpMethod.POST, "/api/v1/users", null,
      new JsonObject().put("name", "Test User").put("email", email).put("password", password));
    if (created.statusCode() != 201) {
      throw new AssertionError("sign-up failed: " + created.statusCode() + " " + created.bodyAsString());
    }
    return new Account(created.bodyAsJsonObject().getString("id"), email, password, token(email, password));
  }

  public String token(String email, String password) throws Exception {
    HttpResponse<Buffer> response = json(HttpMethod.POST, "/api/v1/auth/token", null,
      new JsonObject().put("email", email).put("password", password));
    if (response.statusCode() != 200) {
      throw new AssertionError("login failed: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getString("accessToken");
  }

  public HttpResponse<Buffer> get(String path, String authorization) throws Exception {
    return send(request(HttpMethod.GET, path, authorization, MultiMap.caseInsensitiveMultiMap()), null);
  }

  public HttpResponse<Buffer> json(HttpMethod method, String path, String authorization, Object body)
    throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    return send(request(method, path, authorization, headers), body == null ? null : Buffer.buffer(
      body instanceof JsonObject json ? json.encode() : String.valueOf(body)));
  }

  /** Any method, headers and raw body, for requests a well-behaved client would never send. */
  public HttpResponse<Buffer> raw(HttpMethod method, String path, MultiMap headers, Buffer body) throws Exception {
    return send(request(method, path, null, headers), body);
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path, String authorization, MultiMap headers) {
    HttpRequest<Buffer> request = cluster.client().request(method, cluster.gatewayPort(), cluster.gatewayHost(), path)
      .timeout(20_000);
    request.headers().addAll(headers);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request;
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request, Buffer body) throws Exception {
    return (body == null ? request.send() : request.sendBuffer(body)).await(30, TimeUnit.SECONDS);
  }
}
