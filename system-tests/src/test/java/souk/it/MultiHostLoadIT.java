package souk.it;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Souk across three hosts under steady mixed load, and one host cut off the network while the load runs. Two nodes of
 * every service kind and a gateway on two hosts, cluster TLS on, PostgreSQL over the network:
 * <pre>
 *   host A: gateway, user, order          host B: order, payment          host C: gateway, user, payment
 * </pre>
 * Host C is cut off (from the other hosts and from PostgreSQL; its clients still reach its gateway over a link of
 * their own, {@link ClientLink}). Clients on both gateways read their profile, place orders (retried with their
 * Idempotency-Key after {@code Retry-After}, as a careful client does) and cancel some. Once each side has noticed the
 * cut, A and B serve everything and C's gateway refuses orders with 503; after the link returns the halves merge and
 * both gateways serve every service kind again, with one discovery record per live node. An SQL audit follows: no
 * acknowledged order lost, none charged twice, none left PENDING; and no node logged an error of Souk's. The figures
 * are printed.
 */
class MultiHostLoadIT {

  /** {@code scripts/reliability.sh}: longer load before, during and after the cut. */
  private static final boolean FULL = Boolean.getBoolean("souk.reliability.full");
  private static final int MAJORITY_CLIENTS = 4;
  private static final int CUT_SIDE_CLIENTS = 3;
  private static final Duration BEFORE = Duration.ofSeconds(FULL ? 20 : 8);
  /** Load once both sides have noticed the cut, before the link returns. */
  private static final Duration HELD = Duration.ofSeconds(FULL ? 45 : 10);
  private static final Duration AFTER = Duration.ofSeconds(FULL ? 30 : 10);
  /** Hazelcast drops a silent member after 6 s and the merge check runs every 5 s; generous for 8 JVMs on 2 cores. */
  private static final Duration DETECTION = Duration.ofSeconds(60);
  private static final Duration HEALED_WITHIN = Duration.ofSeconds(60);
  private static final Map<String, Integer> EVERY_NODE =
    Map.of("user-service", 2, "order-service", 2, "payment-service", 2);
  /** What A and B keep while C is cut off: C's user and payment nodes are gone. */
  private static final Map<String, Integer> MAJORITY_NODES =
    Map.of("user-service", 1, "order-service", 2, "payment-service", 1);

  @RegisterExtension
  @Order(1)
  static final NetworkHosts network = new NetworkHosts(3);

  @RegisterExtension
  @Order(2)
  static final ClientLink cutSideClients = new ClientLink(network, 2);

  @RegisterExtension
  @Order(3)
  static final PrivatePostgres postgres = new PrivatePostgres(network.bridgeIp(), network.network());

  // the first node of each kind; the second ones are started by the test, on their own hosts
  @RegisterExtension
  @Order(4)
  static final SoukCluster cluster = new SoukCluster()
    .across(network, postgres, kind -> switch (kind) {
      case SoukCluster.ORDER, SoukCluster.PAYMENT -> network.host(1);
      default -> network.host(0);
    });

  private static final ShopClient shop = new ShopClient(cluster);
  private static final Gateway MAJORITY = new Gateway("majority", network.host(0).ip());
  private static final Gateway CUT_SIDE = new Gateway("cut side", cutSideClients.ip());

  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;

  /** A gateway as its clients reach it. */
  private record Gateway(String name, String host) {
  }

  /**
   * One request of the load: sent and answered at (ms since the epoch), its status (0: no answer), and for a failure
   * the problem document answered (or what went wrong on the client's side), so that a failure says who refused.
   */
  private record Outcome(Gateway gateway, String what, long sent, long done, int status, boolean retryAfter,
                         String detail) {
    boolean failed() {
      return status == 0 || status >= 500;
    }
  }

  @Test
  void a_host_cut_off_under_load_acknowledges_nothing_it_cannot_finish_and_heals_without_stale_records()
    throws Exception {
    startSecondReplicas();
    Api.Account probe = shop.signUp();
    List<Runnable> clients = new ArrayList<>();
    for (int i = 0; i < MAJORITY_CLIENTS + CUT_SIDE_CLIENTS; i++) {
      Api.Account shopper = shop.signUp();
      Gateway gateway = i < MAJORITY_CLIENTS ? MAJORITY : CUT_SIDE;
      clients.add(() -> load(gateway, shopper));
    }
    long began = System.currentTimeMillis();
    long cut;
    long majorityServes;
    long cutSideRefuses;
    long healed;
    long whole;
    ExecutorService pool = Executors.newFixedThreadPool(clients.size());
    try {
      clients.forEach(pool::submit);
      TimeUnit.MILLISECONDS.sleep(BEFORE.toMillis());
      network.cut(2);
      cut = System.currentTimeMillis();
      majorityServes = awaitMajorityServingReads(probe);
      cutSideRefuses = awaitCutSideRefusingOrders(probe);
      TimeUnit.MILLISECONDS.sleep(HELD.toMillis());
      network.restore(2);
      healed = System.currentTimeMillis();
      // each poll asks both gateways for a user and an order first, so that a half-open breaker gets its probe
      // whatever the load's clients happen to be doing; an unknown order's 404 is a success for the breaker
      Eventually.until("both gateways serving the whole cluster after the link returned", DETECTION.multipliedBy(2),
        () -> probed(MAJORITY, probe) & probed(CUT_SIDE, probe)
          && serving(MAJORITY, 8, EVERY_NODE) && serving(CUT_SIDE, 8, EVERY_NODE));
      whole = System.currentTimeMillis();
      TimeUnit.MILLISECONDS.sleep(AFTER.toMillis());
    } finally {
      running = false;
      pool.shutdown();
    }
    // every client has stopped before its outcomes are counted
    assertTrue(pool.awaitTermination(90, TimeUnit.SECONDS), "the load clients stopped within 90 s");
    long loadMs = System.currentTimeMillis() - began;
    for (Gateway gateway : List.of(MAJORITY, CUT_SIDE)) {
      servesEveryKind(gateway, probe);
    }

    long stuck = shop.awaitSettled();
    Set<String> stored = new HashSet<>();
    shop.sql(SoukCluster.ORDER, "SELECT id::text FROM orders").forEach(row -> stored.add(row.getString(0)));
    Set<String> lost = new HashSet<>(acknowledged);
    lost.removeAll(stored);
    long chargedTwice = shop.count(SoukCluster.PAYMENT, "SELECT count(*) FROM (SELECT order_id FROM payment "
      + "GROUP BY order_id HAVING count(*) > 1 OR count(*) FILTER (WHERE status = 'SUCCEEDED') > 1) twice");

    Predicate<Outcome> before = o -> o.done() < cut;
    Predicate<Outcome> during = o -> !before.test(o) && o.sent() < healed;
    Predicate<Outcome> healing = o -> o.sent() >= healed && o.sent() < whole;
    Predicate<Outcome> after = o -> o.sent() >= whole;
    System.out.printf("[multi-host under load] 3 hosts, 2 gateways, %d clients, %.0f s, %d requests, %d orders "
        + "acknowledged; client errors during the cut: majority %s, cut side %s; while merging %s; outside %s; "
        + "lost %d, charged twice %d, stuck %d; reads served by the majority %.1f s after the cut, orders refused "
        + "by the cut side %.1f s after; fully serving %.1f s after the heal%n",
      clients.size(), loadMs / 1000.0, outcomes.size(), acknowledged.size(),
      errors(during.and(on(MAJORITY))), errors(during.and(on(CUT_SIDE))), errors(healing),
      errors(before.or(after)), lost.size(), chargedTwice, stuck, (majorityServes - cut) / 1000.0,
      (cutSideRefuses - cut) / 1000.0, (whole - healed) / 1000.0);

    assertTrue(acknowledged.size() > 20, "too little load to prove anything: " + acknowledged.size());
    assertEquals(Set.of(), lost, "acknowledged orders lost");
    assertEquals(0, chargedTwice, "orders charged twice");
    assertEquals(0, stuck, "orders never settled");
    assertEquals(List.of(), matching(before.or(after).and(Outcome::failed)),
      "client errors outside the cut (began " + began + ", cut " + cut + ", healed " + healed + ", whole " + whole
        + ")");
    assertEquals(List.of(), matching(o -> o.status() == 500), "500s: a bug, whatever the network");

    Predicate<Outcome> majorityDetected = o -> o.gateway() == MAJORITY && o.sent() >= majorityServes
      && o.sent() < healed;
    assertEquals(List.of(), matching(majorityDetected.and(Outcome::failed)),
      "the majority side failed requests after it noticed the cut");
    assertTrue(matching(majorityDetected.and(o -> o.what().equals("read") && o.status() == 200)).size() > 0,
      "the majority side served reads during the cut");

    Predicate<Outcome> cutSideOrders = o -> o.gateway() == CUT_SIDE && o.what().equals("order") && o.sent() >= cut
      && o.done() < healed;
    assertEquals(List.of(), matching(cutSideOrders.and(o -> o.status() == 201)),
      "orders acknowledged by the cut side, which can finish none");
    List<Outcome> refused = matching(cutSideOrders.and(o -> o.sent() >= cutSideRefuses));
    assertTrue(!refused.isEmpty(), "the cut side's clients placed orders once it had noticed the cut");
    assertEquals(List.of(), refused.stream().filter(o -> o.status() != 503 || !o.retryAfter()).toList(),
      "the cut side answers orders with 503 and Retry-After once it has noticed the cut");

    assertTrue(whole - healed <= HEALED_WITHIN.toMillis(), "fully serving " + (whole - healed) + " ms after the heal");
    for (Gateway gateway : List.of(MAJORITY, CUT_SIDE)) {
      assertTrue(matching(after.and(on(gateway)).and(o -> o.what().equals("order") && o.status() == 201)).size() > 0,
        "orders acknowledged through the " + gateway.name() + " gateway after the merge");
    }
    // a partition is a failure Souk expects: nothing it does then is an error. What the cluster transports log while
    // the link returns and the two sides merge is theirs, not Souk's (see NodeProcess.troubles); what Souk did in that
    // window is checked above: nothing lost, charged twice or answered with a 500
    for (NodeProcess node : cluster.nodes()) {
      List<String> logged = node.troubles().stream().filter(line -> line.contains("\"level\":\"ERROR\"")).toList();
      assertEquals(List.of(), logged, node.name() + " logged an error");
    }
  }

  /** The second node of each kind (order on A, user and payment on C) and C's gateway, a couple of seconds apart. */
  private static void startSecondReplicas() throws Exception {
    cluster.start(SoukCluster.ORDER, network.host(0));
    for (String kind : List.of(SoukCluster.USER, SoukCluster.PAYMENT)) {
      TimeUnit.SECONDS.sleep(2);
      cluster.start(kind, network.host(2));
    }
    TimeUnit.SECONDS.sleep(2);
    cluster.start(SoukCluster.GATEWAY, network.host(2), Map.of("SOUK_HTTP_HOST", cutSideClients.ip()));
    Eventually.until("both gateways serving eight members", Duration.ofSeconds(180),
      () -> serving(MAJORITY, 8, EVERY_NODE) && serving(CUT_SIDE, 8, EVERY_NODE));
  }

  /**
   * Waits until A and B have dropped C's nodes (one record per node they still have) and the majority's gateway serves
   * reads five times in a row; returns when.
   */
  private long awaitMajorityServingReads(Api.Account probe) throws Exception {
    Eventually.until("the majority without the cut host's nodes", DETECTION,
      () -> serving(MAJORITY, 5, MAJORITY_NODES));
    int[] inARow = {0};
    Eventually.until("five reads in a row on the majority side", DETECTION, () -> {
      int status = send(MAJORITY, probe, HttpMethod.GET, "/api/v1/users/me", null, null).statusCode();
      inARow[0] = status == 200 ? inARow[0] + 1 : 0;
      return inARow[0] >= 5;
    });
    return System.currentTimeMillis();
  }

  /** Waits until the cut side's gateway sees no order node and answers an order with 503; returns when. */
  private long awaitCutSideRefusingOrders(Api.Account probe) throws Exception {
    Eventually.until("the cut side without an order node", DETECTION, () -> {
      JsonObject ready = send(CUT_SIDE, null, HttpMethod.GET, "/ready", null, null).bodyAsJsonObject();
      return "no live node".equals(data(ready, "order-service").getString("reason"));
    });
    HttpResponse<Buffer> refused = send(CUT_SIDE, probe, HttpMethod.POST, "/api/v1/orders",
      UUID.randomUUID().toString(), ShopClient.order("tok_visa", 300, 1));
    assertEquals(503, refused.statusCode(), refused.bodyAsString());
    return System.currentTimeMillis();
  }

  /** Whether {@code gateway} served the probe's profile; it also asks for an order that does not exist. */
  private static boolean probed(Gateway gateway, Api.Account probe) throws Exception {
    send(gateway, probe, HttpMethod.GET, "/api/v1/orders/" + UUID.randomUUID(), null, null);
    return send(gateway, probe, HttpMethod.GET, "/api/v1/users/me", null, null).statusCode() == 200;
  }

  /**
   * Whether {@code gateway}'s {@code /ready} is 200 with {@code members} in the cluster and, for every service, as
   * many nodes as {@code nodes} says, each with one record (none stale) and answering, and every breaker closed: a
   * half-open one lets its one probe through and still refuses the calls made beside it with 503.
   */
  private static boolean serving(Gateway gateway, int members, Map<String, Integer> nodes) throws Exception {
    HttpResponse<Buffer> response = send(gateway, null, HttpMethod.GET, "/ready", null, null);
    if (response.statusCode() != 200) {
      return false;
    }
    JsonObject ready = response.bodyAsJsonObject();
    if (data(ready, "cluster").getInteger("members", 0) != members) {
      return false;
    }
    for (Map.Entry<String, Integer> service : nodes.entrySet()) {
      JsonObject data = data(ready, service.getKey());
      int answered = data.getJsonArray("answered", new JsonArray()).size();
      if (answered != service.getValue() || data.getInteger("records", -1) != answered
        || !data.getJsonArray("silent", new JsonArray()).isEmpty() || !"closed".equals(data.getString("breaker"))) {
        return false;
      }
    }
    return true;
  }

  /** Through {@code gateway}: the user's profile, an order confirmed (its payment), a summary with no part missing. */
  private void servesEveryKind(Gateway gateway, Api.Account shopper) throws Exception {
    assertEquals(200, send(gateway, shopper, HttpMethod.GET, "/api/v1/users/me", null, null).statusCode());
    HttpResponse<Buffer> placed = send(gateway, shopper, HttpMethod.POST, "/api/v1/orders",
      UUID.randomUUID().toString(), ShopClient.order("tok_visa", 700, 1));
    assertEquals(201, placed.statusCode(), gateway.name() + ": " + placed.bodyAsString());
    String id = placed.bodyAsJsonObject().getString("id");
    acknowledged.add(id);
    Eventually.until("order " + id + " confirmed through the " + gateway.name() + " gateway", Duration.ofSeconds(90),
      () -> "CONFIRMED".equals(send(gateway, shopper, HttpMethod.GET, "/api/v1/orders/" + id, null, null)
        .bodyAsJsonObject().getString("status")));
    JsonObject summary = send(gateway, shopper, HttpMethod.GET, "/api/v1/users/" + shopper.id() + "/summary", null,
      null).bodyAsJsonObject();
    assertEquals(new JsonArray(), summary.getJsonArray("degraded"), gateway.name() + ": " + summary.encode());
  }

  /** One client of {@code gateway}: place an order (retrying with its key), read it, cancel some, read the profile. */
  private void load(Gateway gateway, Api.Account shopper) {
    for (int n = 1; running; n++) {
      try {
        String key = UUID.randomUUID().toString();
        JsonObject body = ShopClient.order(n % 5 == 0 ? "tok_chargeDeclined" : "tok_visa", 100 + n, 1);
        HttpResponse<Buffer> placed = call(gateway, "order", shopper, HttpMethod.POST, "/api/v1/orders", key, body);
        for (int retry = 0; retriable(placed) && retry < 200 && running; retry++) {
          TimeUnit.MILLISECONDS.sleep(pause(placed));
          placed = call(gateway, "order", shopper, HttpMethod.POST, "/api/v1/orders", key, body);
        }
        if (placed != null && placed.statusCode() == 201) {
          String id = placed.bodyAsJsonObject().getString("id");
          acknowledged.add(id);
          call(gateway, "get", shopper, HttpMethod.GET, "/api/v1/orders/" + id, null, null);
          if (n % 4 == 0) {
            call(gateway, "cancel", shopper, HttpMethod.POST, "/api/v1/orders/" + id + "/cancel", null, null);
          }
        }
        call(gateway, "read", shopper, HttpMethod.GET, "/api/v1/users/me", null, null);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // no answer, the first attempt still under way (409), shed (429) or unavailable: the same order again, same key
  private static boolean retriable(HttpResponse<Buffer> response) {
    return response == null || response.statusCode() == 409 || response.statusCode() == 429
      || response.statusCode() >= 500;
  }

  // Retry-After when the gateway says it, else half a second; never more than 5 s
  private static long pause(HttpResponse<Buffer> response) {
    String retryAfter = response == null ? null : response.getHeader("Retry-After");
    return retryAfter == null ? 500 : Math.min(5_000, Math.max(500, Long.parseLong(retryAfter) * 1000));
  }

  /** Sends through the load, recording the outcome; null when no answer came. */
  private HttpResponse<Buffer> call(Gateway gateway, String what, Api.Account shopper, HttpMethod method, String path,
                                    String key, JsonObject body) throws InterruptedException {
    long sent = System.currentTimeMillis();
    try {
      HttpResponse<Buffer> response = send(gateway, shopper, method, path, key, body);
      int status = response.statusCode();
      outcomes.add(new Outcome(gateway, what, sent, System.currentTimeMillis(), status,
        response.getHeader("Retry-After") != null, status >= 500 ? response.bodyAsString() : null));
      return response;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      outcomes.add(new Outcome(gateway, what, sent, System.currentTimeMillis(), 0, false, e.toString()));
      return null;
    }
  }

  private static HttpResponse<Buffer> send(Gateway gateway, Api.Account shopper, HttpMethod method, String path,
                                           String key, JsonObject body) throws Exception {
    HttpRequest<Buffer> request = cluster.client().request(method, cluster.gatewayPort(), gateway.host(), path)
      .timeout(20_000);
    if (shopper != null) {
      request.putHeader("Authorization", shopper.bearer());
    }
    if (key != null) {
      request.putHeader("Idempotency-Key", key);
    }
    return (body == null ? request.send() : request.sendJsonObject(body)).await(30, TimeUnit.SECONDS);
  }

  private static JsonObject data(JsonObject ready, String check) {
    for (Object c : ready.getJsonArray("checks", new JsonArray())) {
      if (check.equals(((JsonObject) c).getString("id"))) {
        return ((JsonObject) c).getJsonObject("data", new JsonObject());
      }
    }
    return new JsonObject();
  }

  private static Predicate<Outcome> on(Gateway gateway) {
    return o -> o.gateway() == gateway;
  }

  private List<Outcome> matching(Predicate<Outcome> predicate) {
    return outcomes.stream().filter(predicate).toList();
  }

  // "{503=12, 504=3}" of the failed outcomes matching, 0 standing for no answer
  private Map<Integer, Long> errors(Predicate<Outcome> predicate) {
    return outcomes.stream().filter(predicate.and(Outcome::failed))
      .collect(Collectors.groupingBy(Outcome::status, TreeMap::new, Collectors.counting()));
  }
}
