package souk.common.outbox;

import io.vertx.core.Future;

/**
 * Delivers the rows of a service's {@code outbox} table: each pending row is sent with event-bus {@code request}
 * (action header, {@link Outbox#MESSAGE_ID} header, request id header, send timeout) and marked delivered once the
 * receiver acknowledges; a failed delivery is retried after a {@link Backoff}. Delivery is at least once: receivers
 * must be idempotent ({@link IdempotentConsumer}).
 *
 * <p>Several relays may run on one database (several nodes of a service): each poll locks the rows it delivers
 * ({@code FOR UPDATE SKIP LOCKED}) until their outcome is written, so no row is delivered by two relays at once.
 *
 * <p>The implementation on a PostgreSQL pool is {@code souk.common.outbox.impl.PgOutboxRelay}.
 */
public interface OutboxRelay {

  /** Starts polling. */
  OutboxRelay start();

  /** Polls at once instead of at the next interval, e.g. right after a message was committed. */
  void nudge();

  /** Stops polling; completes when the batch in flight, if any, has recorded its outcome. */
  Future<Void> stop();
}
