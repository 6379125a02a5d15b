package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import souk.common.bus.Addresses;
import souk.gateway.auth.TestJwts;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser bridge, driven from Node by the official {@code @vertx/eventbus-bridge-client.js}: a user's own
 * updates reach their sockets on both gateways; registering for another user's address, without a token, with an
 * expired or forged one, on a service's or a reply address, and every send or publish are refused, deliver nothing,
 * and disturb no other socket. The bridge keeps to the CORS rules of the API and bounds the frames a browser posts.
 */
class BridgeIT {

  private static final String SECRET = "a secret for the bridge tests, 32+ bytes long";

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster().env("SOUK_JWT_SECRET", SECRET);

  private static final ShopClient shop = new ShopClient(cluster);

  @Test
  void own_updates_reach_every_gateway_and_everything_else_is_refused() throws Exception {
    Path node = NodeTools.home();
    int second = SoukCluster.freePort();
    cluster.start(SoukCluster.GATEWAY, SoukCluster.Host.LOCAL, Map.of("SOUK_HTTP_PORT", String.valueOf(second)));
    awaitReady(second);

    Api.Account alice = shop.signUp();
    Api.Account bob = shop.signUp();
    String placedBefore = shop.placed(alice, ShopClient.order("tok_visa", 100, 1)).getString("id");
    String first = "http://127.0.0.1:" + cluster.gatewayPort() + "/eventbus";
    String other = "http://127.0.0.1:" + second + "/eventbus";
    String mine = Addresses.orderUpdates(alice.id());
    JsonObject aliceHeaders = new JsonObject().put("Authorization", alice.bearer());

    JsonArray probes = new JsonArray()
      .add(probe("own, second gateway", other, "register", mine, aliceHeaders))
      .add(probe("own, first gateway", first, "register", mine,
        new JsonObject().put("authorization", alice.bearer())))
      .add(probe("another user's address", first, "register", Addresses.orderUpdates(bob.id()), aliceHeaders))
      .add(probe("no token", first, "register", mine, new JsonObject()))
      .add(probe("expired token", other, "register", mine,
        new JsonObject().put("Authorization", "Bearer " + token(alice.id(), SECRET, -3_600))))
      .add(probe("token signed with another secret", first, "register", mine,
        new JsonObject().put("Authorization", "Bearer " + token(alice.id(), "not the cluster's secret, 32+ bytes", 600))))
      .add(probe("send into order-service", first, "send", Addresses.ORDER_SERVICE,
        aliceHeaders.copy().put("action", "get-order").put("x-user-id", alice.id()))
        .put("body", new JsonObject().put("params", new JsonObject().put("id", placedBefore))))
      .add(probe("publish to own address", other, "publish", mine, aliceHeaders)
        .put("body", new JsonObject().put("orderId", "forged").put("status", "CONFIRMED")))
      .add(probe("register on a reply address", first, "register", "__vertx.reply.1", aliceHeaders))
      .add(probe("register on a service address", first, "register", Addresses.ORDER_SERVICE, aliceHeaders))
      .add(probe("register on every user's updates", other, "register", Addresses.ORDER_UPDATES, aliceHeaders));

    Process probe = new ProcessBuilder("node", "bridge-probe.js", probes.encode(), "10").directory(node.toFile())
      .redirectErrorStream(true).start();
    Map<String, JsonObject> results = new HashMap<>();
    List<String> output = new ArrayList<>();
    String aliceOrder;
    String bobOrder;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(probe.getInputStream(),
      StandardCharsets.UTF_8))) {
      String line = lines.readLine();
      while (line != null && !line.equals("ready")) {
        output.add(line);
        line = lines.readLine();
      }
      assertEquals("ready", line, "the probes never got going: " + output);
      // placed through the first gateway; the second hears of it over the clustered bus
      aliceOrder = shop.placed(alice, ShopClient.order("tok_visa", 1_500, 1)).getString("id");
      bobOrder = shop.placed(bob, ShopClient.order("tok_visa", 900, 1)).getString("id");
      shop.awaitOrder(alice, aliceOrder, o -> "CONFIRMED".equals(o.getString("status")));
      shop.awaitOrder(bob, bobOrder, o -> "CONFIRMED".equals(o.getString("status")));
      for (line = lines.readLine(); line != null; line = lines.readLine()) {
        output.add(line);
        if (line.startsWith("{")) {
          JsonObject result = new JsonObject(line);
          results.put(result.getString("name"), result);
        }
      }
    } finally {
      if (!probe.waitFor(90, TimeUnit.SECONDS)) {
        probe.destroyForcibly();
      }
    }
    assertEquals(0, probe.exitValue(), String.join("\n", output));

    for (String own : List.of("own, second gateway", "own, first gateway")) {
      JsonObject result = results.get(own);
      assertTrue(result.getJsonArray("errors").isEmpty(), own + ": " + result);
      List<JsonObject> updates = result.getJsonArray("received").stream().map(JsonObject.class::cast).toList();
      assertTrue(updates.stream().anyMatch(u -> aliceOrder.equals(u.getString("orderId"))
        && "CONFIRMED".equals(u.getString("status"))), own + " missed the update: " + result);
      assertTrue(updates.stream().allMatch(u -> aliceOrder.equals(u.getString("orderId"))),
        own + " received something that is not its own update: " + result);
      assertEquals(1, updates.stream().filter(u -> "CONFIRMED".equals(u.getString("status"))).count(),
        own + " got the update once: " + result);
    }
    for (JsonObject result : results.values()) {
      if (result.getString("name").startsWith("own")) {
        continue;
      }
      assertTrue(result.getBoolean("opened"), result.encode());
      assertFalse(result.getJsonArray("errors").isEmpty(), "not refused: " + result);
      assertTrue(result.getJsonArray("received").isEmpty(), "delivered: " + result);
      assertTrue(result.getJsonArray("replied").isEmpty(), "answered: " + result);
    }
    assertEquals(11, results.size(), String.join("\n", output));
    assertEquals("CONFIRMED", shop.get(alice, "/api/v1/orders/" + placedBefore).bodyAsJsonObject()
      .getString("status"));
  }

  @Test
  void the_bridge_follows_the_cors_rules_and_bounds_what_a_browser_may_post() throws Exception {
    int port = cluster.gatewayPort();
    HttpResponse<Buffer> info = cluster.client().get(port, "127.0.0.1", "/eventbus/info").send()
      .await(10, TimeUnit.SECONDS);
    assertEquals(200, info.statusCode(), info.bodyAsString());
    assertTrue(info.bodyAsJsonObject().getBoolean("websocket"));
    HttpResponse<Buffer> foreign = cluster.client().get(port, "127.0.0.1", "/eventbus/info")
      .putHeader("Origin", "https://elsewhere.example").send().await(10, TimeUnit.SECONDS);
    assertEquals(403, foreign.statusCode(), "an origin not in SOUK_CORS_ORIGINS reached the bridge");
    assertNull(foreign.getHeader("Access-Control-Allow-Origin"));

    HttpResponse<Buffer> huge = cluster.client().post(port, "127.0.0.1", "/eventbus/000/abcdefgh/xhr_send")
      .sendBuffer(Buffer.buffer("[\"" + "x".repeat(20_000) + "\"]")).await(10, TimeUnit.SECONDS);
    assertEquals(413, huge.statusCode(), "a frame larger than SOUK_BRIDGE_MAX_FRAME_BYTES was taken");

    HttpResponse<Buffer> page = cluster.client().get(port, "127.0.0.1", "/").send().await(10, TimeUnit.SECONDS);
    assertEquals(200, page.statusCode());
    assertTrue(page.bodyAsString().contains("<title>Souk console</title>"));
    String policy = page.getHeader("Content-Security-Policy");
    assertNotNull(policy, "the console has no Content-Security-Policy");
    assertTrue(policy.startsWith("default-src 'none'") && policy.contains("script-src 'self'"), policy);
    HttpResponse<Buffer> sockJs = cluster.client().get(port, "127.0.0.1", "/console/lib/sockjs/sockjs.min.js").send()
      .await(10, TimeUnit.SECONDS);
    assertEquals(200, sockJs.statusCode(), "the SockJS client is not served by the gateway");
  }

  private static JsonObject probe(String name, String url, String action, String address, JsonObject headers) {
    return new JsonObject().put("name", name).put("url", url).put("action", action).put("address", address)
      .put("headers", headers);
  }

  /** An HS256 token for {@code subject} from issuer souk, expiring {@code expiresIn} seconds from now. */
  static String token(String subject, String secret, long expiresIn) {
    long now = System.currentTimeMillis() / 1000;
    return TestJwts.sign("HS256", secret, new JsonObject().put("sub", subject).put("iss", "souk")
      .put("iat", now + Math.min(0, expiresIn) - 60).put("exp", now + expiresIn));
  }

  private static void awaitReady(int port) throws Exception {
    Eventually.until("the second gateway becoming ready", Duration.ofSeconds(90), () -> cluster.client()
      .get(port, "127.0.0.1", "/ready").send().await(5, TimeUnit.SECONDS).statusCode() == 200);
  }
}
