package souk.it;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A flood of hostile input at the gateway: over ten thousand malformed, oversized, truncated, wrongly typed or
 * injection-shaped requests with forged tokens; raw bytes that are not HTTP; slow (slowloris) connections while
 * a normal client is served; and hostile bridge frames. Never a 5xx, never a stack trace in the nodes' logs, nothing
 * delivered that should not be, and the gateway's heap after a full collection no larger than before. Figures printed.
 */
class HostileInputIT {

  private static final String SECRET = "a secret for the hostile input tests, 32+ bytes";
  private static final int REQUESTS = 10_000;
  private static final int IN_FLIGHT = 32;
  /** The gateway's in-flight bound here: above the flood's window, below the slow bodies' count. */
  private static final int MAX_IN_FLIGHT = 48;
  private static final int SLOW_BODIES = 64;

  @RegisterExtension
  static final SoukCluster cluster = new SoukCluster().env("SOUK_JWT_SECRET", SECRET)
    .env("SOUK_MAX_IN_FLIGHT", String.valueOf(MAX_IN_FLIGHT)).env("SOUK_BODY_TIMEOUT_MS", "5000");
  private static final Api api = new Api(cluster);

  @Test
  void a_flood_of_hostile_input_gets_no_5xx_no_stack_trace_and_leaves_the_heap_flat() throws Exception {
    Api.Account victim = api.newAccount();
    long heapBefore = cluster.node(SoukCluster.GATEWAY).heapAfterGcKb();
    long began = System.nanoTime();
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    List<String> serverErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    Random random = new Random(42);
    List<Future<HttpResponse<Buffer>>> window = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      window.add(hostile(random, victim, i));
      if (window.size() == IN_FLIGHT) {
        drain(window, statuses, serverErrors);
      }
    }
    drain(window, statuses, serverErrors);
    double floodSeconds = (System.nanoTime() - began) / 1e9;

    int raw = rawBytes();
    long slowlorisServed = slowloris();
    Map<Integer, Integer> slowBodies = new java.util.TreeMap<>();
    int slowBodiesStatus = slowBodies(victim, slowBodies);
    int frames = hostileFrames(victim);
    long heapAfter = cluster.node(SoukCluster.GATEWAY).heapAfterGcKb();

    System.out.printf("[hostile input] %d requests in %.1f s, statuses %s; %d raw non-HTTP connections; "
        + "slowloris: %d normal requests served meanwhile; %d slow bodies: a normal request answered %d, the slow "
        + "ones %s; %d hostile bridge frames; gateway heap after GC %d -> %d KB%n",
      REQUESTS, floodSeconds, statuses, raw, slowlorisServed, SLOW_BODIES, slowBodiesStatus, slowBodies, frames,
      heapBefore, heapAfter);
    assertEquals(List.of(), serverErrors.subList(0, Math.min(10, serverErrors.size())), "5xx answers");
    assertTrue(slowlorisServed > 0, "slow connections starved normal clients");
    assertEquals(200, slowBodiesStatus, "requests whose bodies never arrive held the gateway's in-flight slots");
    assertEquals(Map.of(408, MAX_IN_FLIGHT, 503, SLOW_BODIES - MAX_IN_FLIGHT), slowBodies,
      "bodies arriving are bounded in number (503) and in time (408)");
    assertEquals(200, api.get("/api/v1/users/me", victim.bearer()).statusCode(), "the gateway still serves");
    assertTrue(heapAfter <= heapBefore + 16 * 1024, "gateway heap grew from " + heapBefore + " to " + heapAfter + " KB");
    for (NodeProcess node : cluster.nodes()) {
      assertEquals(List.of(), node.troubles(), node.name() + " logged a stack trace or an error");
    }
  }

  private static void drain(List<Future<HttpResponse<Buffer>>> window, Map<Integer, AtomicInteger> statuses,
                            List<String> serverErrors) throws Exception {
    for (Future<HttpResponse<Buffer>> sent : window) {
      try {
        HttpResponse<Buffer> response = sent.await(30, TimeUnit.SECONDS);
        statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
        if (response.statusCode() >= 500) {
          serverErrors.add(response.statusCode() + " " + response.bodyAsString());
        }
      } catch (Exception closed) {
        // the gateway may close a connection on input that is not HTTP enough to answer
        statuses.computeIfAbsent(0, s -> new AtomicInteger()).incrementAndGet();
      }
    }
    window.clear();
  }

  private static final String[] INJECTIONS = {"' OR '1'='1", "1; DROP TABLE orders; --", "../../../../etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "<script>alert(1)</script>", "${jndi:ldap://x/a}", "\u0000", "%00", "%ff%fe",
    "{{7*7}}", "\u202e", "😀", "a".repeat(3_000), "-1", "9".repeat(40), "null", "[]", "{}", "NaN", "1e309"};

  /** One hostile request of a kind chosen by {@code i}; the answer, or a failed future for a closed connection. */
  private static Future<HttpResponse<Buffer>> hostile(Random random, Api.Account victim, int i) {
    String injection = INJECTIONS[random.nextInt(INJECTIONS.length)];
    String encoded = java.net.URLEncoder.encode(injection, StandardCharsets.UTF_8);
    String[] paths = {"/api/v1/users/" + encoded, "/api/v1/orders/" + encoded, "/api/v1/orders/" + encoded + "/cancel",
      "/api/v1/orders?limit=" + encoded + "&cursor=" + encoded, "/api/v1/users/" + victim.id() + "/summary?x=" + encoded,
      "/api/v1/" + encoded, "/" + encoded, "/eventbus/" + encoded, "/docs/" + encoded};
    HttpMethod[] methods = {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH,
      HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.valueOf("PROPFIND"), HttpMethod.HEAD};
    String path = switch (i % 4) {
      case 0 -> "/api/v1/orders";
      case 1 -> "/api/v1/users";
      case 2 -> "/api/v1/auth/token";
      default -> paths[random.nextInt(paths.length)];
    };
    HttpMethod method = i % 4 == 3 ? methods[random.nextInt(methods.length)] : HttpMethod.POST;
    var request = cluster.client().request(method, cluster.gatewayPort(), cluster.gatewayHost(), path).timeout(20_000);
    // this client refuses control characters in headers; the raw-socket cases send those
    String header = injection.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? encoded : injection;
    switch (random.nextInt(6)) {
      case 0 -> request.putHeader("Authorization", "Bearer " + forgedToken(random, victim));
      case 1 -> request.putHeader("Authorization", victim.bearer());
      case 2 -> request.putHeader("Authorization", "Basic " + header);
      case 3 -> request.putHeader("X-Forwarded-For", header).putHeader("X-Request-Id", header);
      case 4 -> request.putHeader("Idempotency-Key", header).putHeader("Authorization", victim.bearer());
      default -> { }
    }
    request.putHeader("Content-Type", random.nextInt(5) == 0 ? "text/html; charset=" + encoded : "application/json");
    return request.sendBuffer(body(random, injection));
  }

  private static Buffer body(Random random, String injection) {
    return switch (random.nextInt(10)) {
      case 0 -> Buffer.buffer("{\"items\":".repeat(2_000));
      case 1 -> Buffer.buffer(new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff, '{', '}'});
      case 2 -> Buffer.buffer("{\"email\":\"" + "x".repeat(70_000) + "\"}");
      case 3 -> Buffer.buffer("{\"items\":[{\"sku\":" + 1 + ",\"quantity\":\"many\",\"unitPrice\":-1}],\"currency\":[]}");
      case 4 -> new JsonObject().put("email", injection).put("password", injection).put("name", injection).toBuffer();
      case 5 -> new JsonObject().put("items", List.of(Map.of("sku", injection, "quantity", 1e300, "unitPrice",
        Long.MAX_VALUE))).put("currency", injection).put("paymentMethod", injection).toBuffer();
      case 6 -> Buffer.buffer("{\"email\":\"a@b.c\",\"password\":\"x\"");
      case 7 -> Buffer.buffer("");
      case 8 -> Buffer.buffer("[" + "1,".repeat(5_000) + "1]");
      default -> Buffer.buffer(injection);
    };
  }

  /** alg:none, another key, a truncated or altered signature, a huge token, garbage. */
  private static String forgedToken(Random random, Api.Account victim) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String claims = b64.encodeToString(new JsonObject().put("sub", victim.id()).put("iss", "souk")
      .put("exp", System.currentTimeMillis() / 1000 + 600).encode().getBytes(StandardCharsets.UTF_8));
    String none = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    try {
      return switch (random.nextInt(5)) {
        case 0 -> none + "." + claims + ".";
        case 1 -> BridgeIT.token(victim.id(), "somebody else's secret, 32+ bytes long", 600);
        case 2 -> victim.token().substring(0, victim.token().length() - 3) + "abc";
        case 3 -> "x".repeat(5_000);
        default -> victim.token().replace('.', '!');
      };
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Connections that send bytes which are not HTTP, or HTTP that lies; none may be answered with a 5xx. */
  private static int rawBytes() throws Exception {
    String[] garbage = {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "\u0000\u0001\u0002\u0003\r\n\r\n",
      "GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\rb\r\n\r\n",
      "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{",
      "POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "POST /api/v1/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nzz\r\n",
      "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n",
      "GET / HTTP/1.1\r\nNo colon here\r\n\r\n"};
    int sent = 0;
    for (int round = 0; round < 20; round++) {
      for (String bytes : garbage) {
        try (Socket socket = new Socket(cluster.gatewayHost(), cluster.gatewayPort())) {
          socket.setSoTimeout(3_000);
          OutputStream out = socket.getOutputStream();
          out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          socket.shutdownOutput();
          String answer = firstLine(socket.getInputStream());
          // the one 5xx: Vert.x itself answers a version of HTTP that does not exist with 501, before Souk sees it
          boolean noSuchVersion = bytes.startsWith("GET / HTTP/9.9") && answer.matches("HTTP/9\\.9 501 .*");
          assertTrue(answer.isEmpty() || noSuchVersion || answer.matches("HTTP/1\\.[01] 4\\d\\d.*"),
            "answered " + answer + " to " + bytes.substring(0, Math.min(60, bytes.length())));
        } catch (java.net.SocketTimeoutException | java.net.SocketException closedOrSilent) {
          // closing the connection, or waiting for the rest of a body that never comes, is a fair answer
        }
        sent++;
      }
    }
    return sent;
  }

  private static String firstLine(InputStream in) throws Exception {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n' && line.length() < 200; c = in.read()) {
      line.append((char) c);
    }
    return line.toString().trim();
  }

  /** 200 connections that dribble their headers for 6 s; meanwhile a normal client must be served. */
  private static long slowloris() throws Exception {
    List<Socket> slow = new ArrayList<>();
    long served = 0;
    try {
      for (int i = 0; i < 200; i++) {
        Socket socket = new Socket(cluster.gatewayHost(), cluster.gatewayPort());
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }
      for (int tick = 0; tick < 12; tick++) {
        for (Socket socket : slow) {
          socket.getOutputStream().write('X');
        }
        HttpResponse<Buffer> health = cluster.client().get(cluster.gatewayPort(), cluster.gatewayHost(), "/health")
          .timeout(2_000).send().await(5, TimeUnit.SECONDS);
        if (health.statusCode() == 200) {
          served++;
        }
        TimeUnit.MILLISECONDS.sleep(500);
      }
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
    return served == 12 ? served : 0;
  }

  /**
   * More API requests than the gateway takes in flight, each sending its headers and the first byte of its body and
   * then nothing: the status a normal request gets meanwhile (a body still arriving asks no service for anything),
   * and, counted in {@code answers}, what the slow ones are answered: bounded in number, then in time.
   */
  private static int slowBodies(Api.Account victim, Map<Integer, Integer> answers) throws Exception {
    Api.Account slow = api.newAccount();
    byte[] start = ("POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: " + slow.bearer()
      + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII);
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < SLOW_BODIES; i++) {
        Socket socket = new Socket(cluster.gatewayHost(), cluster.gatewayPort());
        socket.getOutputStream().write(start);
        sockets.add(socket);
      }
      TimeUnit.MILLISECONDS.sleep(500);
      int served = api.get("/api/v1/users/me", victim.bearer()).statusCode();
      for (Socket socket : sockets) {
        socket.setSoTimeout(15_000);
        String statusLine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        answers.merge(Integer.parseInt(statusLine.substring(9, 12)), 1, Integer::sum);
      }
      return served;
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  /** Raw SockJS WebSocket frames: broken JSON, huge frames, forged registers, sends and publishes. */
  private static int hostileFrames(Api.Account victim) throws Exception {
    WebSocketClient client = cluster.vertx().createWebSocketClient();
    AtomicInteger delivered = new AtomicInteger();
    int frames = 0;
    try {
      WebSocket legit = client.connect(new WebSocketConnectOptions().setHost(cluster.gatewayHost())
        .setPort(cluster.gatewayPort()).setURI("/eventbus/websocket")).await(10, TimeUnit.SECONDS);
      legit.textMessageHandler(text -> {
        if (text.contains("\"forged\"")) {
          delivered.incrementAndGet();
        }
      });
      legit.writeTextMessage(new JsonObject().put("type", "register").put("address", "orders.updates." + victim.id())
        .put("headers", new JsonObject().put("Authorization", victim.bearer())).encode()).await(5, TimeUnit.SECONDS);
      String[] hostile = {"{", "null", "[]", "{\"type\":\"send\",\"address\":\"order-service\",\"body\":{}}",
        "{\"type\":\"publish\",\"address\":\"orders.updates." + victim.id() + "\",\"body\":{\"orderId\":\"forged\"}}",
        "{\"type\":\"register\",\"address\":\"orders.updates." + victim.id() + "\"}",
        "{\"type\":\"register\",\"address\":\"" + "o".repeat(5_000) + "\"}",
        "{\"type\":\"register\",\"address\":\"__vertx.reply.1\",\"headers\":{\"Authorization\":\"" + victim.bearer() + "\"}}",
        "{\"type\":\"send\",\"address\":\"__vertx.reply.1\",\"replyAddress\":\"" + "r".repeat(100) + "\",\"body\":1}",
        "{\"type\":\"unregister\",\"address\":\"user-service\"}", "{\"type\":\"ping\"}", "x".repeat(20_000)};
      for (int round = 0; round < 40; round++) {
        WebSocket socket = client.connect(new WebSocketConnectOptions().setHost(cluster.gatewayHost())
          .setPort(cluster.gatewayPort()).setURI("/eventbus/websocket")).await(10, TimeUnit.SECONDS);
        for (String frame : hostile) {
          socket.writeTextMessage(frame);
          frames++;
        }
        socket.close();
      }
      TimeUnit.SECONDS.sleep(2);
      assertEquals(0, delivered.get(), "a forged publish reached a registered socket");
      legit.close();
    } finally {
      client.close();
    }
    return frames;
  }
}
