package souk.gateway.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.common.bus.Addresses;
import souk.gateway.auth.Tokens;
import souk.gateway.http.Bearer;
import souk.gateway.limit.TrustedProxies;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bound on bridge sockets that have not registered: per client address, on a real SockJS bridge. */
@ExtendWith(VertxExtension.class)
class OrderUpdatesBridgeTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";
  private static final int PER_ADDRESS = 4;

  private Tokens tokens;
  private OrderUpdatesBridge bridge;
  private HttpServer server;
  private WebSocketClient client;
  private final AtomicInteger closed = new AtomicInteger();

  @BeforeEach
  void start(Vertx vertx) {
    tokens = new Tokens(vertx, SECRET, 900);
    bridge = OrderUpdatesBridge.create(vertx, new Bearer(tokens),
      new BridgeLimits(8, 4, 8192, 30, PER_ADDRESS, 10_000), TrustedProxies.of(List.of()));
    Router router = Router.router(vertx);
    bridge.mount(router);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    server.close().await();
  }

  @Test
  void sockets_that_do_not_register_are_bounded_per_address_and_registering_frees_a_place() throws Exception {
    List<WebSocket> sockets = new ArrayList<>();
    for (int i = 0; i < PER_ADDRESS + 2; i++) {
      sockets.add(open());
    }
    assertClosed(2, "the sockets over the bound are closed at once");

    register(sockets.get(0));
    open();
    assertClosed(2, "a registered socket no longer counts: the next one is kept");
    open();
    assertClosed(3, "and the bound holds again");
  }

  @Test
  void an_ipv6_client_is_counted_by_its_64_network() {
    assertEquals("2001:db8:1:2::/64", OrderUpdatesBridge.network("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
    assertEquals("2001:db8:1:2::/64", OrderUpdatesBridge.network("2001:db8:1:2::1"));
    assertEquals("0:0:0:0::/64", OrderUpdatesBridge.network("::1"));
    assertEquals("203.0.113.7", OrderUpdatesBridge.network("203.0.113.7"));
    assertEquals("203.0.113.7", OrderUpdatesBridge.network("::ffff:203.0.113.7"), "an IPv4 client behind a dual stack");
    assertEquals("203.0.113.8", OrderUpdatesBridge.network("::ffff:cb00:7108"));
    assertEquals("unknown", OrderUpdatesBridge.network("unknown"));
  }

  private WebSocket open() throws Exception {
    WebSocket socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort())
      .setURI(OrderUpdatesBridge.PATH + "/websocket")).await(10, TimeUnit.SECONDS);
    try {
      socket.closeHandler(v -> closed.incrementAndGet());
    } catch (IllegalStateException alreadyClosed) {
      closed.incrementAndGet();
    }
    return socket;
  }

  // nothing answers a register that succeeds: the bridge's count of sockets not registered shows it is done
  private void register(WebSocket socket) throws Exception {
    int before = bridge.anonymousSockets();
    String user = UUID.randomUUID().toString();
    socket.writeTextMessage(new JsonObject().put("type", "register").put("address", Addresses.orderUpdates(user))
      .put("headers", new JsonObject().put("Authorization", "Bearer " + tokens.issue(user))).encode())
      .await(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (bridge.anonymousSockets() == before && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    assertEquals(before - 1, bridge.anonymousSockets(), "the register went through");
  }

  /** Waits for {@code count} closed sockets (at most 10 s), then checks for a moment that no more close. */
  private void assertClosed(int count, String message) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (closed.get() < count && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    TimeUnit.MILLISECONDS.sleep(300);
    assertEquals(count, closed.get(), message);
  }
}
