package souk.user.service;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.common.config.PgConfig;
import souk.common.db.Databases;
import souk.user.domain.User;
import souk.user.store.UserRepository;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

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

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    hashing = new HashingQueue(vertx, 2, 16, new SimpleMeterRegistry());
    // the lowest bcrypt cost keeps the tests fast; PasswordHasherTest covers the hashing itself
    // lookups go through the pipelined client, as on a running node
    UserRepository repository = new UserRepository(Databases.prepare(vertx, PG).await(), Databases.pipelined(vertx, PG));
    users = new UserService(repository, new PasswordHasher(4), hashing);
  }

  @AfterEach
  void stop() throws Exception {
    hashing.close().await(5, TimeUnit.SECONDS);
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
  void a_sign_in_whose_caller_stopped_waiting_is_not_hashed() throws Exception {
    String email = newEmail();
    signUp(email);
    ServiceException expired = assertThrows(ServiceException.class,
      () -> users.authenticate(credentials(email, PASSWORD), System.nanoTime() - 1).await());
    assertEquals(ErrorCode.TIMEOUT, expired.errorCode());
  }
}
