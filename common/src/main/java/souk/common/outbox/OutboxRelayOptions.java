package souk.common.outbox;

import souk.common.config.SagaConfig;

/**
 * How an {@link OutboxRelay} polls and delivers.
 *
 * @param pollIntervalMs  pause between polls when nothing was due, milliseconds ({@link #DEFAULT_POLL_INTERVAL_MS})
 * @param batchSize       rows claimed per poll ({@link #DEFAULT_BATCH_SIZE})
 * @param sendTimeoutMs   event-bus send timeout of one delivery, milliseconds ({@link #DEFAULT_SEND_TIMEOUT_MS})
 * @param backoff         delay before retrying a failed delivery ({@link #DEFAULT_BACKOFF})
 * @param maxRejections   refusals by the receiver after which a message is parked as a dead letter
 *                        ({@link #DEFAULT_MAX_REJECTIONS}); a receiver that is down, busy or slow refuses nothing
 */
public record OutboxRelayOptions(long pollIntervalMs, int batchSize, long sendTimeoutMs, Backoff backoff,
                                 int maxRejections) {

  /** Milliseconds between idle polls. */
  public static final long DEFAULT_POLL_INTERVAL_MS = 250;
  /** Rows per poll: bounds the memory and the time a poll holds its row locks. */
  public static final int DEFAULT_BATCH_SIZE = 50;
  /** Milliseconds a receiver has to acknowledge one message. */
  public static final long DEFAULT_SEND_TIMEOUT_MS = 5_000;
  /** 200 ms after the first failure, doubling, at most 10 s. */
  public static final Backoff DEFAULT_BACKOFF = new Backoff(200, 10_000);
  /** With the default backoff, a message refused every time is parked about half a minute after it was written. */
  public static final int DEFAULT_MAX_REJECTIONS = 8;

  public OutboxRelayOptions {
    if (pollIntervalMs < 1 || batchSize < 1 || sendTimeoutMs < 1 || backoff == null || maxRejections < 1) {
      throw new IllegalArgumentException("outbox relay options must be positive");
    }
  }

  /** The defaults, with the poll interval and the dead-letter threshold a node is configured with. */
  public static OutboxRelayOptions of(SagaConfig config) {
    return defaults().withPollIntervalMs(config.outboxPollIntervalMs()).withMaxRejections(config.outboxMaxRejections());
  }

  public static OutboxRelayOptions defaults() {
    return new OutboxRelayOptions(DEFAULT_POLL_INTERVAL_MS, DEFAULT_BATCH_SIZE, DEFAULT_SEND_TIMEOUT_MS, DEFAULT_BACKOFF,
      DEFAULT_MAX_REJECTIONS);
  }

  public OutboxRelayOptions withPollIntervalMs(long value) {
    return new OutboxRelayOptions(value, batchSize, sendTimeoutMs, backoff, maxRejections);
  }

  public OutboxRelayOptions withBatchSize(int value) {
    return new OutboxRelayOptions(pollIntervalMs, value, sendTimeoutMs, backoff, maxRejections);
  }

  public OutboxRelayOptions withSendTimeoutMs(long value) {
    return new OutboxRelayOptions(pollIntervalMs, batchSize, value, backoff, maxRejections);
  }

  public OutboxRelayOptions withBackoff(Backoff value) {
    return new OutboxRelayOptions(pollIntervalMs, batchSize, sendTimeoutMs, value, maxRejections);
  }

  public OutboxRelayOptions withMaxRejections(int value) {
    return new OutboxRelayOptions(pollIntervalMs, batchSize, sendTimeoutMs, backoff, value);
  }
}
