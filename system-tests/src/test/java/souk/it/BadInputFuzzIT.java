package souk.it;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random bad input on every route, with and without a token: whatever arrives, the answer is never a 5xx, and every
 * error is a problem document. The seed is printed with any failure, so a failing case can be replayed.
 */
class BadInputFuzzIT {

  private static final int CASES_PER_ROUTE = 40;

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster();

  private static final Api api = new Api(cluster);

  private record Route(HttpMethod method, String path) {
  }

  @Test
  void no_input_makes_a_5xx() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Api.Account account = api.newAccount();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < CASES_PER_ROUTE; i++) {
      for (Route route : routes(random, account)) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        if (random.nextInt(4) > 0) {
          headers.add("Authorization", account.bearer());
        }
        switch (random.nextInt(4)) {
          case 0 -> headers.add("Content-Type", "text/plain");
          case 1 -> { }
          default -> headers.add("Content-Type", "application/json");
        }
        if (random.nextBoolean()) {
          headers.add("Idempotency-Key", headerText(random, 300));
        }
        Buffer body = random.nextInt(8) == 0 ? null : Json.encodeToBuffer(body(random, route));
        HttpResponse<Buffer> response = api.raw(route.method(), route.path(), headers, body);
        int status = response.statusCode();
        if (status >= 500) {
          failures.add(route + " " + body + " → " + status + " " + response.bodyAsString());
        } else if (status >= 400) {
          assertEquals("application/problem+json", response.getHeader("Content-Type"), route.toString());
        }
      }
    }
    assertTrue(failures.isEmpty(), "seed " + seed + ": " + failures);
  }

  private static List<Route> routes(Random random, Api.Account account) {
    String id = switch (random.nextInt(4)) {
      case 0 -> account.id();
      case 1 -> UUID.randomUUID().toString();
      default -> URLEncoder.encode(text(random, 80), StandardCharsets.UTF_8);
    };
    String query = random.nextInt(5) == 0
      // percent signs that decode to nothing: the query string itself is malformed
      ? "?limit=%" + "zZ%".charAt(random.nextInt(3)) + "&cursor=%E0%A4%A"
      : "?limit=" + URLEncoder.encode(text(random, 12), StandardCharsets.UTF_8)
        + "&cursor=" + URLEncoder.encode(text(random, 40), StandardCharsets.UTF_8);
    return List.of(
      new Route(HttpMethod.POST, "/api/v1/users"),
      new Route(HttpMethod.POST, "/api/v1/auth/token"),
      new Route(HttpMethod.GET, "/api/v1/users/me"),
      new Route(HttpMethod.GET, "/api/v1/users/" + id),
      new Route(HttpMethod.GET, "/api/v1/users/" + id + "/summary"),
      new Route(HttpMethod.POST, "/api/v1/orders"),
      new Route(HttpMethod.GET, "/api/v1/orders" + query),
      new Route(HttpMethod.GET, "/api/v1/orders/" + id),
      new Route(HttpMethod.POST, "/api/v1/orders/" + id + "/cancel"));
  }

  /**
   * Mostly a valid body with one or two fields made hostile, so that bad values reach the deep paths (storage,
   * payment) and not only the first validation; sometimes anything at all.
   */
  private static Object body(Random random, Route route) {
    if (random.nextInt(4) == 0) {
      return json(random, 3);
    }
    JsonObject valid;
    if (route.path().equals("/api/v1/users") || route.path().equals("/api/v1/auth/token")) {
      valid = new JsonObject().put("name", "Fuzz").put("email", "fuzz-" + UUID.randomUUID() + "@example.com")
        .put("password", "fuzz password");
    } else {
      valid = ShopClient.order("tok_visa", 1 + random.nextInt(1_000), 1 + random.nextInt(5));
      if (random.nextBoolean()) {
        JsonObject line = valid.getJsonArray("items").getJsonObject(0);
        String field = List.of("sku", "quantity", "unitPrice").get(random.nextInt(3));
        line.put(field, json(random, 0));
        return valid;
      }
    }
    List<String> fields = new ArrayList<>(valid.fieldNames());
    for (int i = 1 + random.nextInt(2); i > 0; i--) {
      valid.put(fields.get(random.nextInt(fields.size())), json(random, 1));
    }
    return valid;
  }

  /** Any JSON value, biased towards the shapes the API expects, with hostile leaves. */
  private static Object json(Random random, int depth) {
    int pick = random.nextInt(depth <= 0 ? 6 : 9);
    return switch (pick) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> switch (random.nextInt(5)) {
        case 0 -> random.nextLong();
        case 1 -> random.nextDouble() * 1e6;
        case 2 -> new java.math.BigInteger(130, random);
        case 3 -> -random.nextInt(10);
        default -> random.nextInt(2_000);
      };
      case 3, 4, 5 -> text(random, random.nextInt(10) == 0 ? 70_000 : 40);
      case 6 -> {
        JsonArray array = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(json(random, depth - 1));
        }
        yield array;
      }
      default -> {
        JsonObject object = new JsonObject();
        for (String field : List.of("name", "email", "password", "items", "sku", "quantity", "unitPrice",
          "currency", "paymentMethod")) {
          if (random.nextInt(3) > 0) {
            object.put(field, json(random, depth - 1));
          }
        }
        yield object;
      }
    };
  }

  // what an HTTP client can send at all in a header: visible ASCII and spaces
  private static String headerText(Random random, int maxLength) {
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(maxLength); i >= 0; i--) {
      text.append((char) (' ' + random.nextInt(95)));
    }
    return text.toString().trim().isEmpty() ? "k" : text.toString().trim();
  }

  private static String text(Random random, int maxLength) {
    String[] alphabet = {"a", "Z", "0", "-", "_", "@", ".", " ", "'", "\"", "\\", "/", "%", "\u0000", "é", "名",
      "😀", "\n", "EUR", "tok_visa", "SELECT", ";"};
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(Math.max(1, maxLength));
    while (text.length() < length) {
      text.append(alphabet[random.nextInt(alphabet.length)]);
    }
    return text.toString();
  }
}
