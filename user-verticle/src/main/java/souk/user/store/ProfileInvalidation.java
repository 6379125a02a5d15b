package souk.user.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.db.Databases;
import souk.common.config.PgConfig;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Listens on PostgreSQL's {@code souk_users_changed} channel, which a trigger on {@code users} notifies with the id
 * of a row updated or deleted ({@code *} for a truncation), and drops that user from the {@link ProfileCache}. The
 * cache is used only while the channel is listening: a lost connection turns it off and empties it, and it comes back
 * empty once the subscriber has reconnected and listens again. A connection can also die without closing (a database
 * host gone from the network sends nothing back), so the listening connection is asked {@code SELECT 1} every
 * {@value #PROBE_MS} ms: one not answered within {@value #PROBE_TIMEOUT_MS} ms turns the cache off and is closed,
 * and the subscriber reconnects as after any lost connection.
 */
public final class ProfileInvalidation {

  /** The channel the {@code users} trigger notifies (V2__users_changed.sql). */
  static final String CHANNEL = "souk_users_changed";
  /** The listening connection's name in {@code pg_stat_activity}. */
  public static final String APPLICATION_NAME = "souk-user-invalidation";
  private static final Logger LOG = LoggerFactory.getLogger(ProfileInvalidation.class);
  private static final long RECONNECT_MS = 1_000;
  static final long PROBE_MS = 3_000;
  static final long PROBE_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final PgConnectOptions connectOptions;
  private final ProfileCache cache;
  private volatile PgSubscriber subscriber;
  private volatile boolean closing;
  /** A WARN said the cache is off; the next subscription says it is back. */
  private volatile boolean warned;
  /** The reason the last WARN about a failed connection gave. */
  private String lastCause;
  private volatile long probes = -1;

  private ProfileInvalidation(Vertx vertx, PgConnectOptions connectOptions, ProfileCache cache) {
    this.vertx = vertx;
    this.connectOptions = connectOptions;
    this.cache = cache;
  }

  /** Starts listening; the cache stays off, and reads go to the database, until the channel listens. */
  public static ProfileInvalidation start(Vertx vertx, PgConfig config, ProfileCache cache) {
    ProfileInvalidation invalidation = new ProfileInvalidation(vertx,
      Databases.connectOptions(config, config.database()).addProperty("application_name", APPLICATION_NAME), cache);
    invalidation.connect(0);
    return invalidation;
  }

  // a subscriber whose first connection failed does not try again: each start attempt gets a new one; the first
  // failure of a run is logged, the others (one a second while the database is away) only when their reason changes
  private void connect(int failed) {
    PgSubscriber next = PgSubscriber.subscriber(vertx, connectOptions);
    // asked when the connection is lost, before each new attempt: notifications may be missed from now on
    next.reconnectPolicy(attempt -> {
      // a connection closed for not answering has been warned about already
      if (attempt == 0 && !warned) {
        warned = true;
        LOG.warn("user cache off: the connection that listens for changed users was lost; reads go to the database "
          + "until it is back");
      }
      stopped("the connection was lost");
      return RECONNECT_MS;
    });
    next.channel(CHANNEL)
      .subscribeHandler(v -> listening())
      .endHandler(v -> stopped("the channel ended"))
      .handler(this::changed);
    next.closeHandler(v -> stopped("the connection closed"));
    subscriber = next;
    next.connect().onFailure(failure -> {
      String cause = String.valueOf(failure.getMessage());
      // said once per run of failures, and again only when the reason changes (refused, then a wrong password, say)
      if (failed == 0 || !cause.equals(lastCause)) {
        warned = true;
        lastCause = cause;
        LOG.warn("user cache off: cannot listen for changed users; reads go to the database, retrying every second",
          kv("cause", cause));
      } else {
        LOG.debug("still cannot listen for changed users", kv("attempt", failed + 1));
      }
      next.close();
      vertx.setTimer(RECONNECT_MS, t -> {
        if (!closing) {
          connect(failed + 1);
        }
      });
    });
  }

  private void listening() {
    if (closing) {
      return;
    }
    if (probes < 0) {
      probes = vertx.setPeriodic(PROBE_MS, id -> {
        if (closing) {
          // close() ran while this timer was being set, and may have missed it
          vertx.cancelTimer(id);
        } else {
          probe();
        }
      });
    }
    cache.listening(true);
    if (warned) {
      warned = false;
      LOG.info("user cache on again: listening for changed users");
    }
  }

  private void probe() {
    PgConnection connection = subscriber.actualConnection();
    if (closing || connection == null || !cache.isListening()) {
      return;
    }
    AtomicBoolean answered = new AtomicBoolean();
    long deadline = vertx.setTimer(PROBE_TIMEOUT_MS, id -> {
      if (!answered.get() && !closing) {
        warned = true;
        LOG.warn("user cache off: the connection that listens for changed users stopped answering; reads go to the "
          + "database while it reconnects", kv("timeoutMs", PROBE_TIMEOUT_MS));
        stopped("the connection did not answer");
        connection.close();
      }
    });
    connection.query("SELECT 1").execute().onComplete(done -> {
      answered.set(true);
      vertx.cancelTimer(deadline);
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
    closing = true;
    vertx.cancelTimer(probes);
    cache.listening(false);
    return subscriber.close();
  }
}
