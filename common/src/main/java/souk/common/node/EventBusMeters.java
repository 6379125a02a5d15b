package souk.common.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * The event-bus meters of vertx-micrometer-metrics (same names, the {@code side} label, no address label: decisions
 * 24), each resolved once when the node starts. Vert.x's own implementation asked the registry for two to three
 * meters on every message, building a tag list each time. Addresses Vert.x uses internally ({@code __vertx.*}) are
 * not counted, as in Vert.x.
 */
final class EventBusMeters implements EventBusMetrics<Object> {

  private static final String PREFIX = "vertx.eventbus.";
  private static final Object HANDLER = new Object();

  private final LongAdder handlers = new LongAdder();
  private final Side local;
  private final Side remote;
  private final DistributionSummary bytesWritten;
  private final DistributionSummary bytesRead;
  private final Counter replyFailures;

  EventBusMeters(MeterRegistry registry) {
    Gauge.builder(PREFIX + "handlers", handlers, LongAdder::doubleValue)
      .description("Number of event bus handlers in use").strongReference(true).register(registry);
    local = new Side(registry, "local");
    remote = new Side(registry, "remote");
    bytesWritten = DistributionSummary.builder(PREFIX + "bytes.written")
      .description("Number of bytes sent while sending messages to event bus cluster peers").register(registry);
    bytesRead = DistributionSummary.builder(PREFIX + "bytes.read")
      .description("Number of bytes received while reading messages from event bus cluster peers").register(registry);
    replyFailures = Counter.builder(PREFIX + "reply.failures").description("Number of message reply failures")
      .register(registry);
  }

  private static boolean counted(String address) {
    return !address.startsWith("__vertx.");
  }

  private Side side(boolean isLocal) {
    return isLocal ? local : remote;
  }

  @Override
  public Object handlerRegistered(String address) {
    if (!counted(address)) {
      return null;
    }
    handlers.increment();
    return HANDLER;
  }

  @Override
  public void handlerUnregistered(Object handler) {
    if (handler != null) {
      handlers.decrement();
    }
  }

  @Override
  public void messageDelivered(Object handler, boolean isLocal) {
    if (handler != null) {
      Side side = side(isLocal);
      side.pending.decrement();
      side.processed.increment();
    }
  }

  @Override
  public void discardMessage(Object handler, boolean isLocal, Message<?> msg) {
    if (handler != null) {
      Side side = side(isLocal);
      side.pending.decrement();
      side.discarded.increment();
    }
  }

  @Override
  public void messageSent(String address, boolean publish, boolean isLocal, boolean isRemote) {
    if (counted(address)) {
      Side side = side(isLocal);
      (publish ? side.published : side.sent).increment();
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean isLocal, int handlerCount) {
    if (counted(address)) {
      Side side = side(isLocal);
      side.received.increment();
      if (handlerCount > 0) {
        side.pending.add(handlerCount);
        side.delivered.increment();
      }
    }
  }

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    if (counted(address)) {
      bytesWritten.record(numberOfBytes);
    }
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    if (counted(address)) {
      bytesRead.record(numberOfBytes);
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    if (counted(address)) {
      replyFailures.increment();
    }
  }

  /** The meters of one side: messages between the node's own verticles ({@code local}) or with other nodes. */
  private static final class Side {
    private final LongAdder pending = new LongAdder();
    private final Counter processed;
    private final Counter discarded;
    private final Counter published;
    private final Counter sent;
    private final Counter received;
    private final Counter delivered;

    private Side(MeterRegistry registry, String side) {
      Gauge.builder(PREFIX + "pending", pending, LongAdder::doubleValue)
        .description("Number of messages not processed yet").tag("side", side).strongReference(true)
        .register(registry);
      processed = counter(registry, "processed", "Number of processed messages", side);
      discarded = counter(registry, "discarded", "Number of discarded messages", side);
      published = counter(registry, "published", "Number of messages published (publish / subscribe)", side);
      sent = counter(registry, "sent", "Number of messages sent (point-to-point)", side);
      received = counter(registry, "received", "Number of messages received", side);
      delivered = counter(registry, "delivered", "Number of messages delivered to handlers", side);
    }

    private static Counter counter(MeterRegistry registry, String name, String description, String side) {
      return Counter.builder(PREFIX + name).description(description).tag("side", side).register(registry);
    }
  }
}
