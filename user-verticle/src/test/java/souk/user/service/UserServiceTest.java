package souk.user.service;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.common.config.PgConfig;
import souk.common.db.Databases;
import souk.user.domain.User;
import souk.user.store.ProfileCache;
import souk.user.store.ProfileInvalidation;
import souk.user.store.UserRepository;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Sign-up, look-up and credential checks against the real PostgreSQL (a database of its own), without a cluster.
 * Every test signs up users of its own, so that none depends on another.
 */
@ExtendWith(VertxExtension.class)
class UserServiceTest {

  private static final PgConfig PG = PgConfig.of("souk_test_user_service", System.getenv());
  private static final String PASSWORD = "correct horse";

  private HashingQueue hashing;
  private UserService users;
  private UserRepository repository;
  private ProfileCache cache;
  private ProfileInvalidation invalidation;
  private Pool pool;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    hashing = new HashingQueue(vertx, 2, 16, new SimpleMeterRegistry());
    pool = Databases.prepare(vertx, PG).await();
    // the lowest bcrypt cost keeps the tests fast; PasswordHasherTest covers the hashing itself
    // lookups go through the pipelined client and the cache, as on a running node
    cache = new ProfileCache(100, TimeUnit.MINUTES.toNanos(5), System::nanoTime, new SimpleMeterRegistry());
    invalidation = ProfileInvalidation.start(vertx, PG, cache);
    repository = new UserRepository(pool, Databases.pipelined(vertx, PG), cache);
    users = new UserService(repository, new PasswordHasher(4), hashing);
    await("the user cache listens for changed users", cache::isListening);
  }

  @AfterEach
  void stop() throws Exception {
    invalidation.close().await(5, TimeUnit.SECONDS);
    hashing.close().await(5, TimeUnit.SECONDS);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - until > 0) {
        throw new AssertionError("not within 10 s: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private boolean gone(User user) {
    try {
      users.get(user.id().toString(), user.id()).await();
      return false;
    } catch (ServiceException e) {
      assertEquals(ErrorCode.NOT_FOUND, e.errorCode());
      return true;
    }
  }

  @Test
  void a_user_read_once_and_then_deleted_outside_souk_is_not_served_from_the_cache() throws Exception {
    User user = signUp(newEmail());
    assertEquals(user, users.get(user.id().toString(), user.id()).await());
    assertEquals(1, cache.size(), "the read kept the user");
    pool.preparedQuery("DELETE FROM users WHERE id = $1").execute(Tuple.of(user.id())).await();
    await("the database's notification drops the user", () -> gone(user));
  }

  @Test
  void after_the_listening_connection_is_cut_the_cache_is_off_until_it_listens_again() throws Exception {
    User user = signUp(newEmail());
    users.get(user.id().toString(), user.id()).await();
    assertEquals(1, cache.size());
    pool.preparedQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
      + "AND application_name = $1").execute(Tuple.of(ProfileInvalidation.APPLICATION_NAME)).await();
    await("the cut connection turns the cache off", () -> !cache.isListening());
    assertEquals(0, cache.size(), "what was kept may have missed a change: it is dropped");
    await("the subscriber reconnects and listens again", cache::isListening);
    users.get(user.id().toString(), user.id()).await();
    assertEquals(1, cache.size(), "kept again once listening");
    pool.preparedQuery("UPDATE users SET name = 'Renamed' WHERE id = $1").execute(Tuple.of(user.id())).await();
    await("a change made after the reconnection drops the kept user",
      () -> "Renamed".equals(users.get(user.id().toString(), user.id()).await().name()));
  }

  @Test
  void a_cache_that_could_not_listen_at_first_keeps_trying_and_listens_once_the_database_answers(Vertx vertx)
    throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    // nothing listens on that port yet: the first attempts fail
    PgConfig away = onPort(port);
    ProfileCache late = smallCache();
    ListAppender<ILoggingEvent> logged = capture();
    ProfileInvalidation lateInvalidation = ProfileInvalidation.start(vertx, away, late);
    NetServer relay = vertx.createNetServer();
    NetClient toDatabase = vertx.createNetClient();
    try {
      // three attempts, a second apart, all refused
      TimeUnit.MILLISECONDS.sleep(2_500);
      assertFalse(late.isListening(), "nothing answered, so nothing listens");
      assertEquals(1, logged(logged, Level.WARN, "user cache off"), "one WARN for a run of refused attempts");
      // the database comes within reach on that port: a relay to the real one
      relay.connectHandler(new Relay(toDatabase)).listen(port, "127.0.0.1").await();
      await("the invalidation listens once the database answers", late::isListening);
      assertEquals(1, logged(logged, Level.INFO, "user cache on again"), "the way back is said once");
      User user = signUp(newEmail());
      late.put(user, late.epoch());
      assertEquals(user, late.get(user.id()));
      pool.preparedQuery("UPDATE users SET name = 'Renamed' WHERE id = $1").execute(Tuple.of(user.id())).await();
      // still listening: a cache turned off would also answer null
      await("the change, notified through the late connection, drops the kept user",
        () -> late.isListening() && late.get(user.id()) == null);
    } finally {
      release(logged);
      lateInvalidation.close().await(5, TimeUnit.SECONDS);
      relay.close().await(5, TimeUnit.SECONDS);
      toDatabase.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void a_listening_connection_that_stops_answering_turns_the_cache_off_and_is_replaced(Vertx vertx) throws Exception {
    NetServer relayServer = vertx.createNetServer();
    NetClient toDatabase = vertx.createNetClient();
    Relay relay = new Relay(toDatabase);
    int port = relayServer.connectHandler(relay).listen(0, "127.0.0.1").await().actualPort();
    PgConfig viaRelay = onPort(port);
    ProfileCache kept = smallCache();
    ListAppender<ILoggingEvent> logged = capture();
    ProfileInvalidation relayed = ProfileInvalidation.start(vertx, viaRelay, kept);
    try {
      await("the invalidation listens through the relay", kept::isListening);
      User user = signUp(newEmail());
      kept.put(user, kept.epoch());
      // the database host drops off the network: nothing comes back, and nothing is closed
      relay.freeze();
      await("the unanswered probe turns the cache off", () -> !kept.isListening());
      assertEquals(0, kept.size(), "what was kept may miss a change from now on: it is dropped");
      await("a new connection listens again", kept::isListening);
      kept.put(user, kept.epoch());
      pool.preparedQuery("UPDATE users SET name = 'Renamed' WHERE id = $1").execute(Tuple.of(user.id())).await();
      await("a change notified through the new connection drops the kept user",
        () -> kept.isListening() && kept.get(user.id()) == null);
      assertEquals(1, logged(logged, Level.WARN, "user cache off"), "one WARN for the connection that went silent");
      assertEquals(1, logged(logged, Level.INFO, "user cache on again"), "and one when it listens again");
    } finally {
      release(logged);
      relayed.close().await(5, TimeUnit.SECONDS);
      relayServer.close().await(5, TimeUnit.SECONDS);
      toDatabase.close().await(5, TimeUnit.SECONDS);
    }
  }

  /**
   * A TCP relay to the test database. {@link #freeze()} makes the connections open so far drop everything in both
   * directions without closing, as when a host vanishes from the network; later connections relay normally.
   */
  private static final class Relay implements Handler<NetSocket> {
    private final NetClient toDatabase;
    private final List<AtomicBoolean> open = new CopyOnWriteArrayList<>();

    Relay(NetClient toDatabase) {
      this.toDatabase = toDatabase;
    }

    @Override
    public void handle(NetSocket client) {
      client.pause();
      toDatabase.connect(PG.port(), PG.host()).onComplete(connected -> {
        if (connected.failed()) {
          client.close();
          return;
        }
        NetSocket database = connected.result();
        AtomicBoolean frozen = new AtomicBoolean();
        open.add(frozen);
        client.handler(bytes -> {
          if (!frozen.get()) {
            database.write(bytes);
          }
        });
        database.handler(bytes -> {
          if (!frozen.get()) {
            client.write(bytes);
          }
        });
        client.closeHandler(v -> database.close());
        database.closeHandler(v -> client.close());
        client.resume();
      });
    }

    void freeze() {
      open.forEach(frozen -> frozen.set(true));
    }
  }

  private static ProfileCache smallCache() {
    return new ProfileCache(10, TimeUnit.MINUTES.toNanos(5), System::nanoTime, new SimpleMeterRegistry());
  }

  /** Captures what {@link ProfileInvalidation} logs, until {@link #release}. */
  private static ListAppender<ILoggingEvent> capture() {
    return capture(ProfileInvalidation.class);
  }

  private static ListAppender<ILoggingEvent> capture(Class<?> source) {
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    ((Logger) LoggerFactory.getLogger(source)).addAppender(logged);
    return logged;
  }

  private static void release(ListAppender<ILoggingEvent> logged) {
    release(ProfileInvalidation.class, logged);
  }

  private static void release(Class<?> source, ListAppender<ILoggingEvent> logged) {
    ((Logger) LoggerFactory.getLogger(source)).detachAppender(logged);
  }

  /** The test database, reached on another local port. */
  private static PgConfig onPort(int port) {
    return new PgConfig("127.0.0.1", port, PG.user(), PG.password(), PG.database(), PG.poolSize(),
      PG.waitQueueSize(), PG.connectTimeoutMs(), PG.idleTimeoutSeconds(), PG.acquireTimeoutMs(),
      PG.idleInTransactionSeconds());
  }

  private static long logged(ListAppender<ILoggingEvent> appender, Level level, String start) {
    // the appender adds under its own lock
    synchronized (appender) {
      return appender.list.stream()
        .filter(e -> e.getLevel() == level && e.getFormattedMessage().startsWith(start)).count();
    }
  }

  private static long farDeadline() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
  }

  private static String newEmail() {
    return "u-" + UUID.randomUUID() + "@example.com";
  }

  private User signUp(String email) throws Exception {
    return users.register(new JsonObject().put("name", "Ada").put("email", email).put("password", PASSWORD),
      farDeadline()).await();
  }

  private static JsonObject credentials(String email, String password) {
    return new JsonObject().put("email", email).put("password", password);
  }

  @Test
  void a_user_signed_up_reads_themselves_back_without_their_password() throws Exception {
    String email = newEmail();
    User created = signUp(email);
    User read = users.get(created.id().toString(), created.id()).await();
    assertEquals(created, read);
    assertEquals(email, read.email());
    assertFalse(read.toJson().encode().contains(PASSWORD));
  }

  @Test
  void an_email_taken_in_any_case_is_409() throws Exception {
    String email = newEmail();
    signUp(email);
    ServiceException taken = assertThrows(ServiceException.class, () -> signUp(email.toUpperCase()));
    assertEquals(ErrorCode.CONFLICT, taken.errorCode());
  }

  @Test
  void an_invalid_sign_up_is_400_before_any_hashing() {
    ServiceException invalid = assertThrows(ServiceException.class,
      () -> users.register(new JsonObject().put("name", "Ada"), farDeadline()).await());
    assertEquals(ErrorCode.VALIDATION, invalid.errorCode());
    assertEquals(2, invalid.errors().size(), "email and password");
  }

  @Test
  void another_users_record_is_403_and_a_user_that_is_gone_is_404() throws Exception {
    User ada = signUp(newEmail());
    UUID stranger = UUID.randomUUID();
    assertEquals(ErrorCode.FORBIDDEN, assertThrows(ServiceException.class,
      () -> users.get(ada.id().toString(), stranger).await()).errorCode());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(ServiceException.class,
      () -> users.get(stranger.toString(), stranger).await()).errorCode());
  }

  @Test
  void the_right_password_in_any_email_case_names_the_user() throws Exception {
    String email = newEmail();
    User ada = signUp(email);
    assertEquals(ada.id(), users.authenticate(credentials(email.toUpperCase(), PASSWORD), farDeadline()).await());
  }

  @Test
  void a_wrong_password_and_an_unknown_email_are_the_same_401() throws Exception {
    String email = newEmail();
    signUp(email);
    ServiceException wrong = assertThrows(ServiceException.class,
      () -> users.authenticate(credentials(email, "not the password"), farDeadline()).await());
    ServiceException unknown = assertThrows(ServiceException.class,
      () -> users.authenticate(credentials(newEmail(), PASSWORD), farDeadline()).await());
    assertEquals(ErrorCode.UNAUTHORIZED, wrong.errorCode());
    assertEquals(wrong.errorCode(), unknown.errorCode());
    assertEquals(wrong.detail(), unknown.detail());
  }

  @Test
  void after_the_cost_changed_a_password_is_hashed_again_at_its_next_sign_in() throws Exception {
    String email = newEmail();
    User ada = signUp(email);
    assertEquals("$2b$04$", storedHash(email).substring(0, 7));
    // the node restarted with SOUK_BCRYPT_COST=5
    UserService raised = new UserService(repository, new PasswordHasher(5), hashing);
    assertEquals(ada.id(), raised.authenticate(credentials(email, PASSWORD), farDeadline()).await());
    await("the hash upgraded to the new cost", () -> storedHash(email).startsWith("$2b$05$"));
    assertEquals(ada.id(), raised.authenticate(credentials(email, PASSWORD), farDeadline()).await(),
      "the upgraded hash still holds the same password");
    assertThrows(ServiceException.class,
      () -> raised.authenticate(credentials(email, "not the password"), farDeadline()).await());
  }

  @Test
  void a_hash_upgrade_the_database_refuses_leaves_the_old_hash_and_the_next_sign_in_tries_again() throws Exception {
    String email = newEmail();
    User ada = signUp(email);
    // the database refuses this user's password change, as it would a statement it cannot run
    pool.query("CREATE OR REPLACE FUNCTION souk_test_refuse() RETURNS trigger AS $$ BEGIN "
      + "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql").execute().await();
    String trigger = "souk_test_refuse_" + ada.id().toString().replace("-", "");
    pool.query("CREATE TRIGGER " + trigger + " BEFORE UPDATE OF password_hash ON users FOR EACH ROW WHEN (NEW.id = '"
      + ada.id() + "') EXECUTE FUNCTION souk_test_refuse()").execute().await();
    UserService raised = new UserService(repository, new PasswordHasher(5), hashing);
    ListAppender<ILoggingEvent> logged = capture(UserService.class);
    try {
      assertEquals(ada.id(), raised.authenticate(credentials(email, PASSWORD), farDeadline()).await(),
        "the sign-in does not wait for the upgrade, nor fail with it");
      await("the refused upgrade logged", () -> logged(logged, Level.INFO, "password hash not upgraded") == 1);
      assertEquals("$2b$04$", storedHash(email).substring(0, 7), "the old hash kept");
    } finally {
      release(UserService.class, logged);
      pool.query("DROP TRIGGER IF EXISTS " + trigger + " ON users").execute().await();
    }
    assertEquals(ada.id(), raised.authenticate(credentials(email, PASSWORD), farDeadline()).await());
    await("the next sign-in upgraded the hash", () -> storedHash(email).startsWith("$2b$05$"));
  }

  private String storedHash(String email) {
    return repository.credentials(email).await().passwordHash();
  }

  @Test
  void a_sign_in_whose_caller_stopped_waiting_is_not_hashed() throws Exception {
    String email = newEmail();
    signUp(email);
    ServiceException expired = assertThrows(ServiceException.class,
      () -> users.authenticate(credentials(email, PASSWORD), System.nanoTime() - 1).await());
    assertEquals(ErrorCode.TIMEOUT, expired.errorCode());
  }
}
