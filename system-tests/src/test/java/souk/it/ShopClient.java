package souk.it;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A shopper's view of a {@link SoukCluster}: sign up, get a token, place and read orders; plus SQL for audits. */
final class ShopClient implements AutoCloseable {

  /** A signed-up user and its bearer token. */
  record Shopper(String id, String token) {
  }

  private final SoukCluster cluster;
  private final WebClient client;

  ShopClient(SoukCluster cluster) {
    this.cluster = cluster;
    this.client = WebClient.create(cluster.vertx(), new WebClientOptions(), new PoolOptions().setHttp1MaxSize(32));
  }

  Shopper signUp() throws Exception {
    String email = "u" + UUID.randomUUID().toString().substring(0, 12) + "@example.com";
    String password = "correct horse battery";
    HttpResponse<Buffer> created = send("POST", "/api/v1/users", null, null,
      new JsonObject().put("name", "Shopper").put("email", email).put("password", password));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    HttpResponse<Buffer> token = send("POST", "/api/v1/auth/token", null, null,
      new JsonObject().put("email", email).put("password", password));
    assertEquals(200, token.statusCode(), token.bodyAsString());
    return new Shopper(created.bodyAsJsonObject().getString("id"), token.bodyAsJsonObject().getString("accessToken"));
  }

  static JsonObject order(String paymentMethod, long unitPrice, int quantity) {
    return new JsonObject()
      .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("quantity", quantity)
        .put("unitPrice", unitPrice)).add(new JsonObject().put("sku", "gift_wrap").put("quantity", 1)
        .put("unitPrice", 150)))
      .put("currency", "EUR")
      .put("paymentMethod", paymentMethod);
  }

  HttpResponse<Buffer> place(Shopper shopper, JsonObject body, String idempotencyKey) throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (idempotencyKey != null) {
      headers.add("Idempotency-Key", idempotencyKey);
    }
    return send("POST", "/api/v1/orders", shopper, headers, body);
  }

  /** Places an order that must be accepted; returns it. */
  JsonObject placed(Shopper shopper, JsonObject body) throws Exception {
    HttpResponse<Buffer> response = place(shopper, body, null);
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  HttpResponse<Buffer> get(Shopper shopper, String path) throws Exception {
    return send("GET", path, shopper, null, null);
  }

  HttpResponse<Buffer> post(Shopper shopper, String path) throws Exception {
    return send("POST", path, shopper, null, null);
  }

  /** Polls the order until {@code done} holds (bounded: 90 s, 600 polls); returns it. */
  JsonObject awaitOrder(Shopper shopper, String orderId, Predicate<JsonObject> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonObject last = null;
    for (int i = 0; i < 600 && System.nanoTime() < deadline; i++) {
      HttpResponse<Buffer> response = get(shopper, "/api/v1/orders/" + orderId);
      if (response.statusCode() == 200) {
        last = response.bodyAsJsonObject();
        if (done.test(last)) {
          return last;
        }
      }
      TimeUnit.MILLISECONDS.sleep(150);
    }
    throw new AssertionError("order " + orderId + " never reached the expected state; last: " + last);
  }

  static Predicate<JsonObject> paymentIs(String status) {
    return order -> order.getJsonObject("payment") != null
      && status.equals(order.getJsonObject("payment").getString("status"));
  }

  HttpResponse<Buffer> send(String method, String path, Shopper shopper, MultiMap headers, JsonObject body)
    throws Exception {
    HttpRequest<Buffer> request = client.request(io.vertx.core.http.HttpMethod.valueOf(method),
      cluster.gatewayPort(), "127.0.0.1", path).timeout(20_000);
    if (shopper != null) {
      request.bearerTokenAuthentication(shopper.token());
    }
    if (headers != null) {
      request.putHeaders(headers);
    }
    return (body == null ? request.send() : request.sendJsonObject(body)).await(30, TimeUnit.SECONDS);
  }

  /** Opens a connection to the database of {@code kind}; the caller closes it. */
  PgConnection connect(String kind) throws Exception {
    return PgConnection.connect(cluster.vertx(), new PgConnectOptions().setHost(env("SOUK_PG_HOST", "localhost"))
      .setPort(Integer.parseInt(env("SOUK_PG_PORT", "5432"))).setUser(env("SOUK_PG_USER", "postgres"))
      .setPassword(env("SOUK_PG_PASSWORD", "")).setDatabase(cluster.database(kind))).await(10, TimeUnit.SECONDS);
  }

  RowSet<Row> sql(String kind, String statement, Object... params) throws Exception {
    PgConnection conn = connect(kind);
    try {
      return conn.preparedQuery(statement).execute(Tuple.wrap(params)).await(30, TimeUnit.SECONDS);
    } finally {
      conn.close();
    }
  }

  long count(String kind, String statement, Object... params) throws Exception {
    return sql(kind, statement, params).iterator().next().getLong(0);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  @Override
  public void close() {
    client.close();
  }
}
