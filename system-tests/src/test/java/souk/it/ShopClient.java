package souk.it;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.time.Duration;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A shopper's view of a {@link SoukCluster}: sign up, place and read orders; plus SQL for audits. */
final class ShopClient implements AutoCloseable {

  private final SoukCluster cluster;
  private final Api api;

  ShopClient(SoukCluster cluster) {
    this.cluster = cluster;
    this.api = new Api(cluster);
  }

  Api.Account signUp() throws Exception {
    return api.newAccount();
  }

  static JsonObject order(String paymentMethod, long unitPrice, int quantity) {
    return new JsonObject()
      .put("items", new JsonArray().add(new JsonObject().put("sku", "SKU-1").put("quantity", quantity)
        .put("unitPrice", unitPrice)).add(new JsonObject().put("sku", "gift_wrap").put("quantity", 1)
        .put("unitPrice", 150)))
      .put("currency", "EUR")
      .put("paymentMethod", paymentMethod);
  }

  HttpResponse<Buffer> place(Api.Account shopper, JsonObject body, String idempotencyKey) throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (idempotencyKey != null) {
      headers.add("Idempotency-Key", idempotencyKey);
    }
    return send("POST", "/api/v1/orders", shopper, headers, body);
  }

  /** Places an order that must be accepted; returns it. */
  JsonObject placed(Api.Account shopper, JsonObject body) throws Exception {
    HttpResponse<Buffer> response = place(shopper, body, null);
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  HttpResponse<Buffer> get(Api.Account shopper, String path) throws Exception {
    return send("GET", path, shopper, null, null);
  }

  HttpResponse<Buffer> post(Api.Account shopper, String path) throws Exception {
    return send("POST", path, shopper, null, null);
  }

  /** Polls the order until {@code done} holds (bounded: 90 s, 600 polls); returns it. */
  JsonObject awaitOrder(Api.Account shopper, String orderId, Predicate<JsonObject> done) throws Exception {
    return Eventually.await("order " + orderId + " reaching the expected state", Duration.ofSeconds(90),
      Duration.ofMillis(150), () -> get(shopper, "/api/v1/orders/" + orderId),
      response -> response.statusCode() == 200 && done.test(response.bodyAsJsonObject())).bodyAsJsonObject();
  }

  /** Waits (bounded: 120 s) until no order is PENDING; returns how many still are, for the caller to judge. */
  long awaitSettled() throws Exception {
    Eventually.poll(Duration.ofSeconds(120), Duration.ofMillis(500), this::pending, n -> n == 0);
    return pending();
  }

  private long pending() throws Exception {
    return count(SoukCluster.ORDER, "SELECT count(*) FROM orders WHERE status = 'PENDING'");
  }

  static Predicate<JsonObject> paymentIs(String status) {
    return order -> order.getJsonObject("payment") != null
      && status.equals(order.getJsonObject("payment").getString("status"));
  }

  HttpResponse<Buffer> send(String method, String path, Api.Account shopper, MultiMap headers, JsonObject body)
    throws Exception {
    MultiMap all = MultiMap.caseInsensitiveMultiMap();
    if (headers != null) {
      all.addAll(headers);
    }
    if (shopper != null) {
      all.add("Authorization", shopper.bearer());
    }
    if (body != null) {
      all.add("Content-Type", "application/json");
    }
    return api.raw(HttpMethod.valueOf(method), path, all, body == null ? null : body.toBuffer());
  }

  PgConnection connect(String kind) throws Exception {
    return cluster.connect(kind);
  }

  RowSet<Row> sql(String kind, String statement, Object... params) throws Exception {
    return cluster.sql(kind, statement, params);
  }

  long count(String kind, String statement, Object... params) throws Exception {
    return cluster.count(kind, statement, params);
  }

  @Override
  public void close() {
    // the cluster owns the HTTP client
  }
}
