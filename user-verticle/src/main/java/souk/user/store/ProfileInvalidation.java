package souk.user.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.db.Databases;
import souk.common.config.PgConfig;

import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Listens on PostgreSQL's {@code souk_users_changed} channel, which a trigger on {@code users} notifies with the id
 * of a row updated or deleted ({@code *} for a truncation), and drops that user from the {@link ProfileCache}. The
 * cache is used only while the channel is listening: a lost connection turns it off and empties it, and it comes back
 * empty once the subscriber has reconnected and listens again.
 */
public final class ProfileInvalidation {

  /** The channel the {@code users} trigger notifies (V2__users_changed.sql). */
  static final String CHANNEL = "souk_users_changed";
  private static final Logger LOG = LoggerFactory.getLogger(ProfileInvalidation.class);
  private static final long RECONNECT_MS = 1_000;

  private final PgSubscriber subscriber;
  private final ProfileCache cache;

  private ProfileInvalidation(PgSubscriber subscriber, ProfileCache cache) {
    this.subscriber = subscriber;
    this.cache = cache;
  }

  /** Starts listening; the cache stays off, and reads go to the database, until the channel listens. */
  public static ProfileInvalidation start(Vertx vertx, PgConfig config, ProfileCache cache) {
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx, Databases.connectOptions(config, config.database()));
    ProfileInvalidation invalidation = new ProfileInvalidation(subscriber, cache);
    // asked when the connection is lost, before each new attempt: notifications may be missed from now on
    subscriber.reconnectPolicy(attempt -> {
      if (attempt == 0) {
        LOG.warn("user cache off: the connection that listens for changed users was lost; reads go to the database "
          + "until it is back");
      }
      invalidation.stopped("the connection was lost");
      return RECONNECT_MS;
    });
    subscriber.channel(CHANNEL)
      .subscribeHandler(v -> cache.listening(true))
      .endHandler(v -> invalidation.stopped("the channel ended"))
      .handler(invalidation::changed);
    subscriber.closeHandler(v -> invalidation.stopped("the connection closed"));
    invalidation.connect(vertx);
    return invalidation;
  }

  private void connect(Vertx vertx) {
    subscriber.connect().onFailure(failure -> {
      LOG.warn("user cache off: cannot listen for changed users; reads go to the database, retrying",
        kv("cause", String.valueOf(failure.getMessage())));
      vertx.setTimer(RECONNECT_MS, t -> {
        if (!subscriber.closed()) {
          connect(vertx);
        }
      });
    });
  }

  private void changed(String payload) {
    try {
      cache.evict(UUID.fromString(payload));
    } catch (IllegalArgumentException everyRow) {
      cache.clear();
    }
  }

  private void stopped(String why) {
    cache.listening(false);
    LOG.debug("user cache off until the channel listens again", kv("why", why));
  }

  public Future<Void> close() {
    cache.listening(false);
    return subscriber.close();
  }
}
