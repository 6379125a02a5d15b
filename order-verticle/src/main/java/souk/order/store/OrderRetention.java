package souk.order.store;

import souk.common.db.Retention;

import java.util.List;
import java.util.stream.Stream;

/** What the order service deletes when it is no longer needed: the saga tables, and expired idempotency keys. */
public final class OrderRetention {

  public static final List<Retention.Purge> PURGES = Stream.concat(Retention.SAGA.stream(),
    Stream.of(new Retention.Purge("idempotency_key", "expires_at < now()"))).toList();

  private OrderRetention() {
  }
}
