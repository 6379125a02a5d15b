package souk.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import souk.common.bus.ErrorCode;
import souk.common.bus.Headers;
import souk.common.bus.ServiceException;
import souk.common.config.PgConfig;
import souk.common.db.Databases;
import souk.common.db.Retention;
import souk.common.outbox.Backoff;
import souk.common.outbox.DeadLetters;
import souk.common.outbox.IdempotentConsumer;
import souk.common.outbox.Outbox;
import souk.common.outbox.OutboxBacklog;
import souk.common.outbox.OutboxMessage;
import souk.common.outbox.OutboxRelay;
import souk.common.outbox.OutboxRelayOptions;
import souk.common.outbox.impl.PgOutboxRelay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox relay and the idempotent consumer against a real PostgreSQL, inside this JVM: a throw-away database
 * per test, a local event bus as the receiving side.
 */
class OutboxRelayIT {

  private static final OutboxRelayOptions FAST = OutboxRelayOptions.defaults().withPollIntervalMs(50)
    .withBatchSize(20).withSendTimeoutMs(2_000).withBackoff(new Backoff(50, 200));

  private final String address = "outbox-it." + UUID.randomUUID();
  private final String database = "souk_outbox_it_" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
  private final List<OutboxRelay> relays = new ArrayList<>();
  private final List<Pool> pools = new ArrayList<>();
  private Vertx vertx;
  private PgConfig pg;

  @BeforeEach
  void createDatabase() throws Exception {
    vertx = Vertx.vertx();
    PgConnectOptions server = TestPostgres.options(database);
    pg = new PgConfig(server.getHost(), server.getPort(), server.getUser(), server.getPassword(), database, 4, 100,
      5_000, 60, 5_000, 30);
    pools.add(Databases.prepare(vertx, pg).await(60, TimeUnit.SECONDS));
  }

  @AfterEach
  void dropDatabase() throws Exception {
    for (OutboxRelay relay : relays) {
      relay.stop().await(10, TimeUnit.SECONDS);
    }
    for (Pool pool : pools) {
      pool.close().await(10, TimeUnit.SECONDS);
    }
    PgConnection conn = PgConnection.connect(vertx, new PgConnectOptions().setHost(pg.host()).setPort(pg.port())
      .setUser(pg.user()).setPassword(pg.password()).setDatabase("postgres")).await(10, TimeUnit.SECONDS);
    try {
      conn.query("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)").execute().await(30, TimeUnit.SECONDS);
    } finally {
      conn.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void rows_written_while_the_relay_is_stopped_are_delivered_after_it_restarts() throws Exception {
    Map<String, JsonObject> received = new ConcurrentHashMap<>();
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      received.put(m.headers().get(Outbox.MESSAGE_ID), m.body().put("requestId", m.headers().get(Headers.REQUEST_ID)));
      m.reply(new JsonObject());
    }).completion().await(5, TimeUnit.SECONDS);
    OutboxRelay first = relay(pool());
    first.stop().await(10, TimeUnit.SECONDS);

    List<OutboxMessage> written = write(5);
    assertEquals(5, pending(), "nothing delivers while the relay is stopped");

    relay(newPool());
    awaitTrue("all rows delivered", () -> pendingQuietly() == 0);
    assertEquals(5, received.size());
    for (OutboxMessage message : written) {
      JsonObject body = received.get(message.id().toString());
      assertEquals(message.payload().getInteger("n"), body.getInteger("n"));
      assertEquals("req-" + message.payload().getInteger("n"), body.getString("requestId"));
    }
  }

  @Test
  void several_relays_never_deliver_one_row_twice() throws Exception {
    Set<String> inFlight = ConcurrentHashMap.newKeySet();
    Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      String id = m.headers().get(Outbox.MESSAGE_ID);
      deliveries.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      if (!inFlight.add(id)) {
        overlaps.incrementAndGet();
      }
      // answering a little later widens the window in which a second relay could pick the same row
      vertx.setTimer(5, t -> {
        inFlight.remove(id);
        m.reply(new JsonObject());
      });
    }).completion().await(5, TimeUnit.SECONDS);
    write(200);

    for (int i = 0; i < 4; i++) {
      relay(newPool());
    }
    awaitTrue("all rows delivered", () -> pendingQuietly() == 0);

    assertEquals(0, overlaps.get(), "a row was being delivered by two relays at once");
    assertEquals(200, deliveries.size());
    assertTrue(deliveries.values().stream().allMatch(n -> n.get() == 1), "every row delivered exactly once");
  }

  @Test
  void in_one_batch_the_acknowledged_rows_are_marked_delivered_and_the_refused_one_is_retried() throws Exception {
    // the receiver refuses message 3 the first time only; the relay is started after all ten rows exist, so its first
    // claim takes them in one batch
    AtomicInteger refusals = new AtomicInteger();
    Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      deliveries.computeIfAbsent(m.headers().get(Outbox.MESSAGE_ID), k -> new AtomicInteger()).incrementAndGet();
      if (m.body().getInteger("n") == 3 && refusals.getAndIncrement() == 0) {
        m.fail(ErrorCode.UNAVAILABLE.code(), "not yet");
      } else {
        m.reply(new JsonObject());
      }
    }).completion().await(5, TimeUnit.SECONDS);
    List<OutboxMessage> written = write(10);
    relay(pool());

    awaitTrue("all rows delivered", () -> pendingQuietly() == 0);
    assertEquals(10, deliveries.size());
    for (OutboxMessage message : written) {
      int n = message.payload().getInteger("n");
      var row = pool().preparedQuery("SELECT attempts, last_error, delivered_at FROM outbox WHERE id = $1")
        .execute(Tuple.of(message.id())).await(5, TimeUnit.SECONDS).iterator().next();
      assertEquals(n == 3 ? 2 : 1, row.getInteger("attempts"), "attempts of message " + n);
      assertEquals(n == 3 ? 2 : 1, deliveries.get(message.id().toString()).get(), "deliveries of message " + n);
      assertEquals(null, row.getString("last_error"));
    }
  }

  @Test
  void marking_rows_delivered_reads_them_by_key_after_the_outbox_has_grown() throws Exception {
    // a statement prepared while the outbox was nearly empty may keep a generic plan that reads the whole table; the
    // outbox only grows, and without autovacuum nothing plans it again: every batch would then read every row ever
    // written
    vertx.eventBus().<JsonObject>consumer(address, m -> m.reply(new JsonObject())).completion()
      .await(5, TimeUnit.SECONDS);
    OneConnection relayed = relayOnOneConnection();
    int grown = 20_000;
    pool().query("INSERT INTO outbox (id, address, action, payload, delivered_at) SELECT gen_random_uuid(), 'old', "
      + "'old', '{}', now() FROM generate_series(1, " + grown + ")").execute().await(30, TimeUnit.SECONDS);
    for (int i = 0; i < 5; i++) {
      awaitDelivered(write(FAST.batchSize()));
    }

    close(relayed);
    long read = count("SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = 'outbox'");
    assertTrue(read < grown, "the outbox was read whole after it had grown (" + read + " rows read by scans)");
  }

  @Test
  void a_claim_reads_one_batch_of_a_backlog_not_all_of_it() throws Exception {
    // a claim that sorted the due rows to take the first batch read every one of them at every poll: a receiver
    // slower than its senders (the payment node under load) made each poll slower, and the backlog fed itself
    AtomicInteger received = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      received.incrementAndGet();
      m.reply(new JsonObject());
    }).completion().await(5, TimeUnit.SECONDS);
    OneConnection relayed = relayOnOneConnection();
    int before = received.get();
    int backlog = 10_000;
    pool().query("INSERT INTO outbox (id, address, action, payload) SELECT gen_random_uuid(), '" + address
      + "', 'backlog', '{}' FROM generate_series(1, " + backlog + ")").execute().await(30, TimeUnit.SECONDS);
    // counted as they arrive: a query that counted the pending rows would read the backlog itself
    awaitTrue("the backlog delivered", () -> received.get() >= before + backlog);

    close(relayed);
    long read = count("SELECT idx_tup_fetch + seq_tup_read FROM pg_stat_user_tables WHERE relname = 'outbox'");
    // a claim of one batch reads about one batch; the rows marked delivered are read once more, by key
    assertTrue(read < 4L * backlog, "the relay read " + read + " outbox rows (claims, and marks by key) to deliver a "
      + "backlog of " + backlog + " in batches of " + FAST.batchSize());
  }

  /** A relay with a pool of its own connection, and that connection's backend. */
  private record OneConnection(OutboxRelay relay, Pool pool, int backend) {
  }

  /**
   * A relay on one connection, so that its statements are planned on the connection that runs them later, which has
   * delivered ten batches from a small outbox already (on a small table, a scan or a sort is the cheaper plan). Where
   * autovacuum runs, its ANALYZE would plan the statements again and hide what is tested: it is off for the outbox.
   */
  private OneConnection relayOnOneConnection() throws Exception {
    pool().query("ALTER TABLE outbox SET (autovacuum_enabled = off)").execute().await(5, TimeUnit.SECONDS);
    Pool relayPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
      .connectingTo(Databases.connectOptions(pg, database)).using(vertx).build();
    pools.add(relayPool);
    int backend = relayPool.query("SELECT pg_backend_pid()").execute().await(5, TimeUnit.SECONDS).iterator()
      .next().getInteger(0);
    OutboxRelay relay = relay(relayPool);
    for (int i = 0; i < 10; i++) {
      awaitDelivered(write(FAST.batchSize()));
    }
    return new OneConnection(relay, relayPool, backend);
  }

  /**
   * Stops the relay and closes its connection: a backend's table statistics are flushed as it exits, before it leaves
   * {@code pg_stat_activity}.
   */
  private void close(OneConnection relayed) throws Exception {
    relayed.relay().stop().await(10, TimeUnit.SECONDS);
    relayed.pool().close().await(10, TimeUnit.SECONDS);
    awaitTrue("the relay's connection closed", () -> countQuietly(
      "SELECT count(*) FROM pg_stat_activity WHERE pid = " + relayed.backend()) == 0);
  }

  @Test
  void a_batch_whose_failure_cannot_be_recorded_ends_only_after_its_slowest_delivery() throws Exception {
    // message 0 is refused at once and its failure cannot be written; message 1 is answered after 300 ms. The batch's
    // transaction fails either way; the next poll must not take message 1 again while it is still being delivered
    pool().query("""
      CREATE FUNCTION refuse_failure_record() RETURNS trigger AS $$ BEGIN
        IF NEW.payload->>'n' = '0' AND NEW.last_error IS NOT NULL THEN RAISE EXCEPTION 'cannot record'; END IF;
        RETURN NEW; END $$ LANGUAGE plpgsql""").execute()
      .compose(v -> pool().query("CREATE TRIGGER refuse_failure_record BEFORE UPDATE ON outbox FOR EACH ROW "
        + "EXECUTE FUNCTION refuse_failure_record()").execute())
      .await(5, TimeUnit.SECONDS);
    AtomicInteger slowDeliveries = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicBoolean slowInFlight = new AtomicBoolean();
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      if (m.body().getInteger("n") == 0) {
        m.fail(ErrorCode.UNAVAILABLE.code(), "not now");
        return;
      }
      slowDeliveries.incrementAndGet();
      if (!slowInFlight.compareAndSet(false, true)) {
        overlaps.incrementAndGet();
      }
      vertx.setTimer(300, t -> {
        slowInFlight.set(false);
        m.reply(new JsonObject());
      });
    }).completion().await(5, TimeUnit.SECONDS);
    write(2);
    relay(pool());

    awaitTrue("message 1 delivered three times", () -> slowDeliveries.get() >= 3);
    assertEquals(0, overlaps.get(), "message 1 was taken again while its delivery was still in flight");
  }

  @Test
  void a_failed_delivery_is_retried_with_backoff_until_acknowledged() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      if (calls.incrementAndGet() <= 2) {
        m.fail(ErrorCode.UNAVAILABLE.code(), "not yet");
      } else {
        m.reply(new JsonObject());
      }
    }).completion().await(5, TimeUnit.SECONDS);
    write(1);
    relay(pool());

    awaitTrue("row delivered", () -> pendingQuietly() == 0);
    var row = pool().query("SELECT attempts, last_error FROM outbox").execute().await(5, TimeUnit.SECONDS)
      .iterator().next();
    assertEquals(3, row.getInteger("attempts"));
    assertEquals(null, row.getString("last_error"));
    assertEquals(3, calls.get());
  }

  @Test
  void a_message_its_receiver_always_refuses_is_parked_listed_and_replayable() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean broken = new AtomicBoolean(true);
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      calls.incrementAndGet();
      if (broken.get()) {
        m.fail(ErrorCode.VALIDATION.code(), "orderId is missing");
      } else {
        m.reply(new JsonObject());
      }
    }).completion().await(5, TimeUnit.SECONDS);
    OutboxMessage poison = write(1).get(0);
    relay(pool(), FAST.withMaxRejections(3));

    awaitTrue("message parked", () -> countQuietly("SELECT count(*) FROM outbox_dead_letter") == 1);
    assertEquals(0, count("SELECT count(*) FROM outbox"), "a parked message leaves the outbox");
    TimeUnit.MILLISECONDS.sleep(1_000);
    assertEquals(3, calls.get(), "a parked message is not sent again");
    var parked = pool().query("SELECT id, attempts, last_error FROM outbox_dead_letter").execute()
      .await(5, TimeUnit.SECONDS).iterator().next();
    assertEquals(poison.id(), parked.getUUID("id"));
    assertEquals(3, parked.getInteger("attempts"));
    assertTrue(parked.getString("last_error").contains("orderId is missing"), parked.getString("last_error"));

    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    DeadLetters deadLetters = new DeadLetters(vertx, pool(), metrics);
    assertEquals(1, deadLetters.refresh().await(5, TimeUnit.SECONDS));
    assertEquals(1.0, metrics.get("souk_outbox_dead_letters").gauge().value());

    // the receiver is fixed; the operator replays the message, which is then delivered once
    broken.set(false);
    assertTrue(deadLetters.replay(poison.id()).await(5, TimeUnit.SECONDS));
    awaitTrue("replayed message delivered", () -> pendingQuietly() == 0
      && countQuietly("SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL") == 1);
    assertEquals(4, calls.get());
    assertEquals(0.0, metrics.get("souk_outbox_dead_letters").gauge().value());
    assertEquals(false, deadLetters.replay(poison.id()).await(5, TimeUnit.SECONDS), "nothing left to replay");
  }

  @Test
  void the_backlog_gauges_count_the_undelivered_messages_and_the_age_of_the_oldest() throws Exception {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    OutboxBacklog backlog = new OutboxBacklog(vertx, pool(), metrics);
    backlog.refresh().await(5, TimeUnit.SECONDS);
    assertEquals(0.0, metrics.get("souk_outbox_pending").gauge().value(), "an empty outbox");
    assertEquals(0.0, metrics.get("souk_outbox_oldest_pending_seconds").gauge().value());

    write(3);
    pool().query("UPDATE outbox SET created_at = now() - interval '90 seconds'").execute().await(5, TimeUnit.SECONDS);
    backlog.refresh().await(5, TimeUnit.SECONDS);
    assertEquals(3.0, metrics.get("souk_outbox_pending").gauge().value());
    double oldest = metrics.get("souk_outbox_oldest_pending_seconds").gauge().value();
    assertTrue(oldest >= 90 && oldest < 600, "oldest waited " + oldest + " s");

    vertx.eventBus().<JsonObject>consumer(address, m -> m.reply(new JsonObject())).completion()
      .await(5, TimeUnit.SECONDS);
    relay(pool());
    awaitTrue("all rows delivered", () -> pendingQuietly() == 0);
    backlog.refresh().await(5, TimeUnit.SECONDS);
    assertEquals(0.0, metrics.get("souk_outbox_pending").gauge().value(), "delivered rows are not backlog");
    assertEquals(0.0, metrics.get("souk_outbox_oldest_pending_seconds").gauge().value());
  }

  @Test
  void a_receiver_that_is_absent_or_unavailable_is_waited_for_however_long() throws Exception {
    write(1);
    relay(pool(), FAST.withMaxRejections(2));
    // nobody listens for a while: no handlers is not a refusal
    awaitTrue("several attempts without a receiver", () -> countQuietly("SELECT max(attempts) FROM outbox") >= 4);
    AtomicInteger calls = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(address, m -> {
      if (calls.incrementAndGet() <= 4) {
        m.fail(ErrorCode.UNAVAILABLE.code(), "database restarting");
      } else {
        m.reply(new JsonObject());
      }
    }).completion().await(5, TimeUnit.SECONDS);

    awaitTrue("row delivered", () -> pendingQuietly() == 0);
    assertEquals(5, calls.get());
    assertEquals(0, count("SELECT count(*) FROM outbox_dead_letter"), "an unavailable receiver refused nothing");
  }

  @Test
  void a_message_processed_twice_or_concurrently_has_one_effect() throws Exception {
    pool().query("CREATE TABLE effect (message_id uuid NOT NULL)").execute().await(5, TimeUnit.SECONDS);
    IdempotentConsumer consumer = new IdempotentConsumer(pool());
    UUID messageId = UUID.randomUUID();
    List<Future<String>> attempts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      attempts.add(consumer.process(messageId, tx -> tx.preparedQuery("INSERT INTO effect VALUES ($1)")
        .execute(Tuple.of(messageId)).map("applied"), () -> "duplicate"));
    }
    Future.all(attempts).await(20, TimeUnit.SECONDS);
    String again = consumer.process(messageId, tx -> Future.succeededFuture("applied"), () -> "duplicate")
      .await(5, TimeUnit.SECONDS);

    assertEquals(1, attempts.stream().filter(f -> f.result().equals("applied")).count());
    assertEquals("duplicate", again);
    assertEquals(1, count("SELECT count(*) FROM effect"));
  }

  // sent from the test thread, each delivery has a transaction of its own; sent on an event loop, those that arrive
  // together share one, but never two for the same row (the key): both cases must count to two
  @ParameterizedTest(name = "on an event loop: {0}")
  @ValueSource(booleans = {false, true})
  void messages_whose_effect_reads_a_locked_row_first_have_one_effect_each_however_often_they_arrive(
    boolean onEventLoop) throws Exception {
    pool().query("CREATE TABLE counter (id int PRIMARY KEY, value int NOT NULL)").execute()
      .compose(v -> pool().query("INSERT INTO counter VALUES (1, 0)").execute()).await(5, TimeUnit.SECONDS);
    IdempotentConsumer consumer = new IdempotentConsumer(pool());
    UUID counter = UUID.randomUUID();
    List<UUID> messageIds = List.of(UUID.randomUUID(), UUID.randomUUID());
    List<Future<String>> attempts = submit(onEventLoop, () -> {
      List<Future<String>> sent = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        for (UUID messageId : messageIds) {
          sent.add(consumer.process(messageId, counter,
            tx -> tx.query("SELECT value FROM counter WHERE id = 1 FOR UPDATE").execute()
              .map(rows -> rows.iterator().next().getInteger(0)),
            (tx, value) -> tx.preparedQuery("UPDATE counter SET value = $1 WHERE id = 1")
              .execute(Tuple.of(value + 1)).map("applied"),
            () -> "duplicate"));
        }
      }
      return sent;
    });
    Future.all(attempts).await(20, TimeUnit.SECONDS);

    assertEquals(2, attempts.stream().filter(f -> f.result().equals("applied")).count(),
      "each message had its effect once");
    assertEquals(2, count("SELECT value FROM counter"), "each effect built on the value the other left");
    assertEquals(2, count("SELECT count(*) FROM processed_message"));
  }

  @Test
  void messages_that_arrive_together_share_one_transaction_and_each_has_its_effect_once() throws Exception {
    IdempotentConsumer consumer = consumerOfEffects();
    List<UUID> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(UUID.randomUUID());
    }
    Map<UUID, UUID> messageOf = new ConcurrentHashMap<>();
    rows.forEach(row -> messageOf.put(row, UUID.randomUUID()));
    List<Future<String>> attempts = submit(true, () -> {
      List<Future<String>> sent = new ArrayList<>();
      // every message once, then the first two again in the same instant: a relay's batch and two redeliveries
      for (UUID row : rows) {
        sent.add(insertEffect(consumer, messageOf.get(row), row));
      }
      sent.add(insertEffect(consumer, messageOf.get(rows.get(0)), rows.get(0)));
      sent.add(insertEffect(consumer, messageOf.get(rows.get(1)), rows.get(1)));
      return sent;
    });
    Future.all(attempts).await(20, TimeUnit.SECONDS);

    assertEquals(10, attempts.stream().filter(f -> f.result().equals("applied")).count());
    assertEquals(10, count("SELECT count(DISTINCT message_id) FROM effect"), "each message had its effect once");
    assertEquals(10, count("SELECT count(*) FROM effect"));
    assertEquals(1, count("SELECT count(DISTINCT tx) FROM effect"), "the ten arrived together: one transaction");
  }

  @Test
  void a_message_that_fails_in_a_group_fails_alone_and_the_others_are_applied() throws Exception {
    IdempotentConsumer consumer = consumerOfEffects();
    UUID refused = UUID.randomUUID();
    // a failing statement aborts the transaction it runs in: the four others must not go down with it
    List<Future<String>> attempts = fourEffectsAnd(consumer, () -> consumer.process(refused, UUID.randomUUID(),
      tx -> Future.succeededFuture(), (tx, nothing) -> tx.query("SELECT 1 / 0").execute().map("applied"),
      () -> "duplicate"));
    Future.join(attempts).otherwiseEmpty().await(20, TimeUnit.SECONDS);

    assertEquals(4, attempts.stream().filter(f -> f.succeeded() && f.result().equals("applied")).count());
    assertTrue(attempts.get(4).failed(), "the failing message failed");
    assertEquals(4, count("SELECT count(*) FROM effect"));
    assertEquals(4, count("SELECT count(*) FROM processed_message"), "the failed message stays unprocessed");
    assertEquals(0, count("SELECT count(*) FROM processed_message WHERE message_id = '" + refused + "'"));
  }

  @Test
  void a_group_whose_connection_dies_is_run_again_message_by_message_and_each_is_applied_once() throws Exception {
    IdempotentConsumer consumer = consumerOfEffects();
    AtomicBoolean killed = new AtomicBoolean();
    UUID killer = UUID.randomUUID();
    // the first time, this message's effect ends the connection the group runs on (the database restarting, or a
    // network cut); run again on its own it is applied like the others
    List<Future<String>> attempts = fourEffectsAnd(consumer, () -> consumer.process(killer, UUID.randomUUID(),
      tx -> Future.succeededFuture(),
      (tx, nothing) -> (killed.compareAndSet(false, true)
        ? tx.query("SELECT pg_terminate_backend(pg_backend_pid())").execute().mapEmpty()
        : Future.succeededFuture())
        .compose(v -> tx.preparedQuery("INSERT INTO effect VALUES ($1, txid_current())").execute(Tuple.of(killer)))
        .map("applied"),
      () -> "duplicate"));
    Future.join(attempts).otherwiseEmpty().await(30, TimeUnit.SECONDS);

    assertTrue(killed.get(), "the group's connection was ended");
    assertEquals(5, attempts.stream().filter(f -> f.succeeded() && f.result().equals("applied")).count(),
      "every message applied once its group had failed");
    assertEquals(5, count("SELECT count(*) FROM effect"), "nothing of the failed group was kept, nothing lost");
    assertEquals(5, count("SELECT count(*) FROM processed_message"));
  }

  /** A consumer over this database, with the table {@link #insertEffect} writes to. */
  private IdempotentConsumer consumerOfEffects() throws Exception {
    pool().query("CREATE TABLE effect (message_id uuid NOT NULL, tx bigint NOT NULL)").execute()
      .await(5, TimeUnit.SECONDS);
    return new IdempotentConsumer(pool());
  }

  private static Future<String> insertEffect(IdempotentConsumer consumer, UUID messageId, UUID row) {
    return consumer.process(messageId, row, tx -> Future.succeededFuture(),
      (tx, nothing) -> tx.preparedQuery("INSERT INTO effect VALUES ($1, txid_current())").execute(Tuple.of(messageId))
        .map("applied"),
      () -> "duplicate");
  }

  /** Four messages that each insert an effect, then {@code fifth}'s, sent together from an event loop. */
  private List<Future<String>> fourEffectsAnd(IdempotentConsumer consumer, Supplier<Future<String>> fifth)
    throws Exception {
    return submit(true, () -> {
      List<Future<String>> sent = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        sent.add(insertEffect(consumer, UUID.randomUUID(), UUID.randomUUID()));
      }
      sent.add(fifth.get());
      return sent;
    });
  }

  /** What {@code sends} returns, sent from an event loop (as a service's consumers are) or from this thread. */
  private <T> List<Future<T>> submit(boolean onEventLoop, Supplier<List<Future<T>>> sends) throws Exception {
    if (!onEventLoop) {
      return sends.get();
    }
    Promise<List<Future<T>>> sent = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> sent.complete(sends.get()));
    return sent.future().await(5, TimeUnit.SECONDS);
  }

  @Test
  void a_failed_effect_leaves_the_message_unprocessed_so_a_redelivery_applies_it() throws Exception {
    IdempotentConsumer consumer = new IdempotentConsumer(pool());
    UUID messageId = UUID.randomUUID();
    Future<String> failed = consumer.process(messageId,
      tx -> Future.failedFuture(new ServiceException(ErrorCode.CONFLICT, "not now")), () -> "duplicate");
    failed.otherwise("failed").await(5, TimeUnit.SECONDS);
    assertTrue(failed.failed());

    String retried = consumer.process(messageId, tx -> Future.succeededFuture("applied"), () -> "duplicate")
      .await(5, TimeUnit.SECONDS);
    assertEquals("applied", retried);
  }

  @Test
  void retention_deletes_old_delivered_rows_and_old_message_ids_only() throws Exception {
    pool().query("""
      INSERT INTO outbox (id, address, action, payload, created_at, delivered_at)
      SELECT gen_random_uuid(), 'a', 'old-delivered', '{}', now() - interval '9 days', now() - interval '8 days'
      FROM generate_series(1, 2500)""").execute().await(20, TimeUnit.SECONDS);
    pool().query("""
      INSERT INTO outbox (id, address, action, payload, created_at, delivered_at) VALUES
        (gen_random_uuid(), 'a', 'recent-delivered', '{}', now() - interval '1 hour', now()),
        (gen_random_uuid(), 'a', 'old-undelivered', '{}', now() - interval '30 days', NULL)""")
      .execute().await(5, TimeUnit.SECONDS);
    pool().query("""
      INSERT INTO processed_message (message_id, processed_at) VALUES
        (gen_random_uuid(), now() - interval '8 days'), (gen_random_uuid(), now())""")
      .execute().await(5, TimeUnit.SECONDS);

    int deleted = new Retention(vertx, pool(), Retention.SAGA, Retention.DEFAULT_EVERY_MS).runOnce()
      .await(60, TimeUnit.SECONDS);

    assertEquals(2501, deleted);
    assertEquals(2, count("SELECT count(*) FROM outbox"));
    assertEquals(0, count("SELECT count(*) FROM outbox WHERE action = 'old-delivered'"));
    assertEquals(1, count("SELECT count(*) FROM outbox WHERE action = 'old-undelivered'"), "pending rows are kept");
    assertEquals(1, count("SELECT count(*) FROM processed_message"));
  }

  private List<OutboxMessage> write(int count) throws Exception {
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(OutboxMessage.of(address, "test", new JsonObject().put("n", i), "req-" + i));
    }
    pool().withTransaction(tx -> Future.all(messages.stream().map(m -> Outbox.add(tx, m)).toList()))
      .await(20, TimeUnit.SECONDS);
    return messages;
  }

  private OutboxRelay relay(Pool pool) {
    return relay(pool, FAST);
  }

  private OutboxRelay relay(Pool pool, OutboxRelayOptions options) {
    OutboxRelay relay = new PgOutboxRelay(vertx, pool, options).start();
    relays.add(relay);
    return relay;
  }

  private Pool pool() {
    return pools.get(0);
  }

  private Pool newPool() {
    Pool pool = Databases.pool(vertx, pg);
    pools.add(pool);
    return pool;
  }

  private long pending() throws Exception {
    return count("SELECT count(*) FROM outbox WHERE delivered_at IS NULL");
  }

  private long pendingQuietly() {
    try {
      return pending();
    } catch (Exception e) {
      return -1;
    }
  }

  private long countQuietly(String sql) {
    try {
      return count(sql);
    } catch (Exception e) {
      return -1;
    }
  }

  private void awaitDelivered(List<OutboxMessage> messages) throws Exception {
    for (OutboxMessage message : messages) {
      awaitTrue("message delivered", () -> deliveredQuietly(message.id()));
    }
  }

  /** Read by key (a query that counted the pending rows could itself read the whole table). */
  private boolean deliveredQuietly(UUID id) {
    try {
      return pool().preparedQuery("SELECT delivered_at IS NOT NULL FROM outbox WHERE id = $1").execute(Tuple.of(id))
        .await(5, TimeUnit.SECONDS).iterator().next().getBoolean(0);
    } catch (Exception e) {
      return false;
    }
  }

  private long count(String sql) throws Exception {
    return pool().query(sql).execute().await(5, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  static void awaitTrue(String what, BooleanSupplier condition) throws Exception {
    Eventually.await(what, Duration.ofSeconds(30), Duration.ofMillis(50), condition::getAsBoolean,
      Boolean.TRUE::equals);
  }
}
