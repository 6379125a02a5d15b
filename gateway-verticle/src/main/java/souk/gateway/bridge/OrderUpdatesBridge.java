package souk.gateway.bridge;

import io.netty.util.NetUtil;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.Addresses;
import souk.common.bus.Headers;
import souk.gateway.http.Bearer;
import souk.gateway.http.RequestIds;
import souk.gateway.limit.RateLimitHandler;
import souk.gateway.limit.TrustedProxies;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The browser bridge at {@code /eventbus}: SockJS, outbound only. A browser may register for
 * {@code orders.updates.<userId>} with {@code Authorization: Bearer <token>} in the register's headers, where the
 * token is valid and its subject is that {@code <userId>}; it then receives the updates the order service publishes
 * there, on whichever gateway it is connected to. Every send and publish from a browser is refused, and so is any
 * other address (the services', reply addresses, another user's).
 *
 * <p>Limits: registrations per socket, sockets per user on this gateway, sockets not registered yet per client address
 * and in all (more are closed at once), and a socket that registers nothing or stops pinging is closed (the frame
 * size is bounded by the HTTP server and {@link #frameLimit}). A refused frame is
 * answered with an error on its own socket only; the first refusal of a socket is logged with the request id that
 * opened it, later ones are counted and the count logged when the socket closes. A socket's events arrive on the event
 * loop that accepted its connection, and the gateway serves from every event loop: the maps of sockets and of
 * sockets per user are shared between loops, a socket's own state is not.
 */
public final class OrderUpdatesBridge implements Handler<BridgeEvent> {

  public static final String PATH = "/eventbus";
  /** Outbound addresses a browser may register for; the register's token must further name the same user. */
  static final Pattern ADDRESS = Pattern.compile(Pattern.quote(Addresses.ORDER_UPDATES_PREFIX) + "[0-9a-fA-F-]{36}");

  private static final Logger LOG = LoggerFactory.getLogger(OrderUpdatesBridge.class);
  private static final DeliveryOptions LOCAL_ONLY = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final Bearer bearer;
  private final BridgeLimits limits;
  private final Map<SockJSSocket, Socket> sockets = new ConcurrentHashMap<>();
  private final Map<String, Integer> socketsPerUser = new ConcurrentHashMap<>();
  private final TrustedProxies proxies;
  /** Sockets not registered yet, per client address (an entry only while it has some) and in all. */
  private final Map<String, Integer> anonymousPerAddress = new ConcurrentHashMap<>();
  private final AtomicInteger anonymous = new AtomicInteger();

  OrderUpdatesBridge(Vertx vertx, Bearer bearer, BridgeLimits limits, TrustedProxies proxies) {
    this.vertx = vertx;
    this.bearer = bearer;
    this.limits = limits;
    this.proxies = proxies;
  }

  /** The gateway's one bridge: it takes the order nodes' updates and keeps the bookkeeping of every front's sockets. */
  public static OrderUpdatesBridge create(Vertx vertx, Bearer bearer, BridgeLimits limits, TrustedProxies proxies) {
    OrderUpdatesBridge bridge = new OrderUpdatesBridge(vertx, bearer, limits, proxies);
    vertx.eventBus().<JsonObject>consumer(Addresses.ORDER_UPDATES, bridge::passOn);
    return bridge;
  }

  /**
   * Mounts the bridge, and the guard that bounds what a browser may post to it, on one front's {@code router}. Each
   * front gets a SockJS handler of its own: vertx-web's bridge keeps its sockets in maps for one event loop.
   */
  public void mount(Router router) {
    SockJSHandlerOptions sockJs = new SockJSHandlerOptions()
      .setSessionTimeout(limits.idleMs())
      .setHeartbeatInterval(Math.min(25_000, limits.idleMs() / 2))
      // transports that need the page to be framed or scripts to be evaluated stay off
      .addDisabledTransport(Transport.JSON_P.name())
      .addDisabledTransport(Transport.HTML_FILE.name());
    SockJSBridgeOptions options = new SockJSBridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(ADDRESS.pattern()))
      .setMaxHandlersPerSocket(limits.registrationsPerSocket())
      .setMaxAddressLength(Addresses.ORDER_UPDATES_PREFIX.length() + 36)
      .setPingTimeout(limits.idleMs());
    router.post(PATH + "/*").handler(ctx -> frameLimit(ctx, limits.maxFrameBytes()));
    router.route(PATH + "/*").subRouter(SockJSHandler.create(vertx, sockJs).bridge(options, this));
  }

  // the order nodes' one publish per update reaches every gateway; each hands it to the sockets it holds itself
  private void passOn(Message<JsonObject> update) {
    String user = update.headers().get(Headers.USER_ID);
    if (user != null && socketsPerUser.containsKey(user)) {
      vertx.eventBus().publish(Addresses.orderUpdates(user), update.body(), LOCAL_ONLY);
    }
  }

  /** A frame posted by a polling transport must say its size, and be no larger than a WebSocket frame may be. */
  static void frameLimit(RoutingContext ctx, int maxBytes) {
    String length = ctx.request().getHeader("Content-Length");
    long bytes;
    try {
      bytes = length == null ? -1 : Long.parseLong(length);
    } catch (NumberFormatException e) {
      bytes = -1;
    }
    if (bytes < 0) {
      ctx.fail(411);
    } else if (bytes > maxBytes) {
      ctx.fail(413);
    } else {
      ctx.next();
    }
  }

  @Override
  public void handle(BridgeEvent event) {
    switch (event.type()) {
      case SOCKET_CREATED -> opened(event);
      case REGISTER -> register(event);
      case RECEIVE -> receive(event);
      case SOCKET_CLOSED -> closed(event);
      case SOCKET_ERROR -> failed(event);
      // the client's pings, its unregisters, and the close of a socket that stopped pinging
      case SOCKET_PING, UNREGISTER, REGISTERED, SOCKET_IDLE -> event.complete(true);
      default -> refuse(event, "the bridge carries nothing from browsers into the cluster");
    }
  }

  private void opened(BridgeEvent event) {
    SockJSSocket sock = event.socket();
    RoutingContext ctx = sock.routingContext();
    String requestId = ctx == null || RequestIds.of(ctx) == null ? "unknown" : RequestIds.of(ctx);
    // a socket costs memory and a timer until it registers or times out: nobody may hold an unbounded number
    String client = ctx == null ? "unknown" : network(RateLimitHandler.clientAddress(ctx, proxies));
    if (!admittedAnonymous(client)) {
      event.complete(false);
      return;
    }
    Socket state = new Socket(requestId, client);
    // a socket that has not registered by then is closed
    state.unregisteredTimer = vertx.setTimer(limits.idleMs(), id -> {
      if (state.user == null) {
        sock.close();
      }
    });
    sockets.put(sock, state);
    event.complete(true);
  }

  private void register(BridgeEvent event) {
    SockJSSocket sock = event.socket();
    JsonObject raw = event.getRawMessage();
    String address = raw.getValue("address") instanceof String a ? a : "";
    if (!ADDRESS.matcher(address).matches()) {
      refuse(event, "only orders.updates.<your user id> can be registered");
      return;
    }
    String authorization = authorization(raw.getValue("headers"));
    if (authorization == null) {
      refuse(event, "a register needs Authorization: Bearer <token> in its headers");
      return;
    }
    bearer.check(authorization).onComplete(checked -> {
      Socket state = sockets.get(sock);
      if (state == null) {
        event.tryComplete(false);
      } else if (checked.failed()) {
        refuse(event, "the token is missing, invalid or expired");
      } else if (!Addresses.orderUpdates(checked.result()).equals(address)) {
        refuse(event, "the address belongs to another user");
      } else if (state.user != null && !state.user.equals(checked.result())) {
        refuse(event, "this socket already belongs to another user");
      } else if (state.user == null && !admitted(checked.result())) {
        refuse(event, "this user has too many open sockets on this gateway");
      } else {
        if (state.user == null) {
          state.user = checked.result();
          vertx.cancelTimer(state.unregisteredTimer);
          releaseAnonymous(state);
        }
        state.authorization = authorization;
        event.complete(true);
      }
    });
  }

  // counts one more socket for the user unless that makes too many; sockets of one user may register on two loops
  private boolean admitted(String user) {
    return countedBelow(socketsPerUser, user, limits.socketsPerUser());
  }

  /**
   * The unit a client is counted by: its IPv4 address, or the /64 network of its IPv6 address (one host is commonly
   * given a whole /64, and could otherwise take a fresh address per socket).
   */
  static String network(String address) {
    if (address.indexOf(':') < 0) {
      return address;
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      return address;
    }
    if (bytes.length == 4 || isIpv4Mapped(bytes)) {
      // ::ffff:203.0.113.7, as dual-stack proxies write an IPv4 client: counted as that IPv4 address
      return NetUtil.bytesToIpAddress(bytes, bytes.length - 4, 4);
    }
    StringBuilder prefix = new StringBuilder(24);
    for (int i = 0; i < 8; i += 2) {
      prefix.append(Integer.toHexString((bytes[i] & 0xff) << 8 | bytes[i + 1] & 0xff)).append(':');
    }
    return prefix.append(":/64").toString();
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    if (bytes.length != 16 || bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private boolean admittedAnonymous(String client) {
    if (anonymous.incrementAndGet() > limits.anonymous()) {
      anonymous.decrementAndGet();
      return false;
    }
    if (!countedBelow(anonymousPerAddress, client, limits.anonymousPerAddress())) {
      anonymous.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Adds one to {@code key}'s count unless it is at {@code max} already; atomic, as sockets live on several loops. */
  private static boolean countedBelow(Map<String, Integer> counts, String key, int max) {
    boolean[] counted = {false};
    counts.compute(key, (k, count) -> {
      int open = count == null ? 0 : count;
      if (open >= max) {
        return count;
      }
      counted[0] = true;
      return open + 1;
    });
    return counted[0];
  }

  // once per socket: when it registers, or closes without having registered
  private void releaseAnonymous(Socket state) {
    if (state.client != null) {
      anonymousPerAddress.computeIfPresent(state.client, (address, count) -> count > 1 ? count - 1 : null);
      anonymous.decrementAndGet();
      state.client = null;
    }
  }

  /** Sockets open and not registered yet, all addresses together. */
  int anonymousSockets() {
    return anonymous.get();
  }

  // an update goes out only while the token that registered for it is still valid
  private void receive(BridgeEvent event) {
    SockJSSocket sock = event.socket();
    Socket state = sockets.get(sock);
    if (state == null || state.authorization == null) {
      event.complete(false);
      return;
    }
    bearer.check(state.authorization).onComplete(checked -> {
      event.complete(checked.succeeded());
      if (checked.failed()) {
        LOG.info("bridge socket closed: its token expired", kv("requestId", state.requestId));
        sock.close();
      }
    });
  }

  private void closed(BridgeEvent event) {
    Socket state = sockets.remove(event.socket());
    if (state != null) {
      vertx.cancelTimer(state.unregisteredTimer);
      releaseAnonymous(state);
      if (state.user != null) {
        socketsPerUser.computeIfPresent(state.user, (user, count) -> count > 1 ? count - 1 : null);
      }
      if (state.refused > 1) {
        LOG.warn("bridge socket closed after refused frames", kv("requestId", state.requestId),
          kv("refused", state.refused));
      }
    }
    event.complete(true);
  }

  // a broken socket (an oversized frame, a dropped connection) is the client's; one line, no stack trace
  private void failed(BridgeEvent event) {
    Socket state = sockets.get(event.socket());
    JsonObject raw = event.getRawMessage();
    LOG.info("bridge socket failed", kv("requestId", state == null ? "unknown" : state.requestId),
      kv("error", raw == null ? null : raw.getString("message")));
    event.complete(true);
  }

  private void refuse(BridgeEvent event, String reason) {
    Socket state = sockets.get(event.socket());
    if (state != null && state.refused++ == 0) {
      JsonObject raw = event.getRawMessage();
      Object address = raw == null ? null : raw.getValue("address");
      LOG.warn("bridge frame refused", kv("requestId", state.requestId), kv("type", event.type()),
        kv("address", address instanceof String a ? abbreviated(a) : null), kv("reason", reason));
    }
    event.tryComplete(false);
  }

  private static String abbreviated(String address) {
    return address.length() <= 80 ? address : address.substring(0, 80) + "…";
  }

  /** The {@code Authorization} header of a frame, whatever its case; null when absent or not a string. */
  static String authorization(Object headers) {
    if (headers instanceof JsonObject json) {
      for (Map.Entry<String, Object> header : json) {
        if ("authorization".equalsIgnoreCase(header.getKey()) && header.getValue() instanceof String value) {
          return value;
        }
      }
    }
    return null;
  }

  /** What the bridge knows of one socket. */
  private static final class Socket {
    final String requestId;
    /** The client's address while the socket is counted as not registered; null once it is not. */
    String client;
    long unregisteredTimer;
    String user;
    String authorization;
    int refused;

    Socket(String requestId, String client) {
      this.requestId = requestId;
      this.client = client;
    }
  }
}
