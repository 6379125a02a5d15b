package souk.common.config;

import io.vertx.core.json.JsonObject;

/**
 * How a saga participant (the order and the payment service) delivers its outbox and cleans up after it.
 *
 * @param outboxPollIntervalMs pause between polls of the outbox when nothing was due, milliseconds
 *                             ({@code SOUK_OUTBOX_POLL_INTERVAL_MS}, default 250)
 * @param outboxMaxRejections  refusals by its receiver after which a message is parked as a dead letter
 *                             ({@code SOUK_OUTBOX_MAX_REJECTIONS}, default 8)
 * @param retentionEveryMs     time between two clean-ups of delivered and processed messages, milliseconds
 *                             ({@code SOUK_RETENTION_EVERY_MS}, default 3600000: an hour)
 */
public record SagaConfig(long outboxPollIntervalMs, int outboxMaxRejections, long retentionEveryMs) {

  public SagaConfig {
    if (outboxPollIntervalMs < 1 || outboxMaxRejections < 1 || retentionEveryMs < 1) {
      throw new IllegalArgumentException("SOUK_OUTBOX_POLL_INTERVAL_MS, SOUK_OUTBOX_MAX_REJECTIONS and "
        + "SOUK_RETENTION_EVERY_MS must be at least 1");
    }
  }

  public static SagaConfig from(JsonObject json) {
    return new SagaConfig(json.getLong("outboxPollIntervalMs"),
      ConfigLoader.positive(json, "outboxMaxRejections"), json.getLong("retentionEveryMs"));
  }
}
