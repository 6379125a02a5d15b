package souk.gateway.limit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Makes the gateways' rate limits hold for the cluster as a whole: every {@code periodMs} each gateway publishes what
 * it admitted per identity since its last message, and charges what the others admitted to its own buckets. No
 * request waits for this; the price is that the cluster may admit up to one extra period's worth (and, at the very
 * start of a burst, one burst per gateway) before the charges arrive and are paid back.
 */
public final class UsageSync {

  /** Where gateways publish their usage. Only gateways listen. */
  public static final String ADDRESS = "souk.gateway.rate-usage";
  /** Most identities one message reports per limiter: an identity flood cannot make the messages unbounded. */
  static final int MAX_ENTRIES = 10_000;

  private final Vertx vertx;
  private final String nodeId;
  private final List<RateLimiter> limiters;
  private final long periodMs;
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;

  public UsageSync(Vertx vertx, String nodeId, List<RateLimiter> limiters, long periodMs) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.limiters = List.copyOf(limiters);
    this.periodMs = periodMs;
  }

  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(ADDRESS, message -> charge(message.body()));
    timer = vertx.setPeriodic(periodMs, id -> publish());
    return consumer.completion();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(timer);
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  void publish() {
    JsonObject usage = new JsonObject();
    for (RateLimiter limiter : limiters) {
      Map<String, Integer> drained = limiter.drainUsage();
      if (!drained.isEmpty()) {
        JsonObject counts = new JsonObject();
        for (Map.Entry<String, Integer> entry : drained.entrySet()) {
          if (counts.size() == MAX_ENTRIES) {
            break;
          }
          counts.put(entry.getKey(), entry.getValue());
        }
        usage.put(limiter.name(), counts);
      }
    }
    if (!usage.isEmpty()) {
      vertx.eventBus().publish(ADDRESS, new JsonObject().put("node", nodeId).put("usage", usage));
    }
  }

  void charge(JsonObject message) {
    if (message == null || nodeId.equals(message.getString("node")) || !(message.getValue("usage") instanceof JsonObject usage)) {
      return;
    }
    for (RateLimiter limiter : limiters) {
      if (usage.getValue(limiter.name()) instanceof JsonObject counts) {
        counts.forEach(entry -> {
          if (entry.getValue() instanceof Number count && count.intValue() > 0) {
            limiter.charge(entry.getKey(), count.intValue());
          }
        });
      }
    }
  }
}
