package souk.user.service;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.user.domain.NewUser;
import souk.user.domain.User;
import souk.user.store.UserRepository;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Sign-up, look-up and credential checks. Hashing runs on the {@link HashingQueue}, never on the event loop; each
 * call carries the deadline of its caller, after which the hash is not started.
 */
public final class UserService {

  private static final Logger LOG = LoggerFactory.getLogger(UserService.class);

  private final UserRepository users;
  private final PasswordHasher hasher;
  private final HashingQueue hashing;
  /** Users whose hash is being upgraded now. */
  private final Set<UUID> upgrading = ConcurrentHashMap.newKeySet();

  public UserService(UserRepository users, PasswordHasher hasher, HashingQueue hashing) {
    this.users = users;
    this.hasher = hasher;
    this.hashing = hashing;
    hashing.submit(hasher::prepare, background());
  }

  /** Creates a user from a sign-up body; 400 on invalid fields, 409 when the email is taken. */
  public Future<User> register(Object body, long deadlineNanos) {
    NewUser user = NewUser.parse(body);
    return hashing.submit(() -> hasher.hash(user.password()), deadlineNanos)
      .compose(hash -> users.insert(UUID.randomUUID(), user.name(), user.email(), hash));
  }

  /** The user with {@code id}, asked for by {@code callerId}: 403 for anyone else, 404 when gone. */
  public Future<User> get(String id, UUID callerId) {
    if (callerId == null || !callerId.toString().equals(id)) {
      return Future.failedFuture(new ServiceException(ErrorCode.FORBIDDEN, "You may only read your own user"));
    }
    return users.find(callerId).compose(user -> user == null
      ? Future.failedFuture(new ServiceException(ErrorCode.NOT_FOUND, "No such user"))
      : Future.succeededFuture(user));
  }

  /**
   * The id of the user these credentials belong to. An unknown email and a wrong password fail alike, and take
   * about as long, so that the answer does not tell which emails exist.
   */
  public Future<UUID> authenticate(Object body, long deadlineNanos) {
    JsonObject json = body instanceof JsonObject object ? object : new JsonObject();
    Object email = json.getValue("email");
    Object password = json.getValue("password");
    // no stored email holds a NUL (sign-up refuses it), and PostgreSQL refuses it in a parameter; lengths count
    // code points, as sign-up does, so a password of emoji that sign-up took also signs in
    if (!(email instanceof String e) || !(password instanceof String p) || e.indexOf('\0') >= 0
      || e.codePointCount(0, e.length()) > NewUser.EMAIL_MAX || p.codePointCount(0, p.length()) > NewUser.PASSWORD_MAX) {
      return Future.failedFuture(invalidCredentials());
    }
    return users.credentials(e).compose(found -> hashing.submit(
        () -> found == null ? hasher.matchesNothing(p) : hasher.matches(p, found.passwordHash()), deadlineNanos)
      .compose(ok -> {
        if (!ok) {
          return Future.failedFuture(invalidCredentials());
        }
        if (hasher.outdated(found.passwordHash())) {
          upgrade(found, p);
        }
        return Future.succeededFuture(found.userId());
      }));
  }

  /**
   * After {@code SOUK_BCRYPT_COST} changed, a password checked at its old cost answers faster (or slower) than an
   * unknown email does: at its next successful sign-in it is hashed again at the current cost, in the background.
   */
  private void upgrade(UserRepository.Credentials found, String password) {
    // sign-ins and sign-ups come first: an upgrade waits for a quiet moment, and one at a time per user
    if (!hashing.hasRoomToSpare() || !upgrading.add(found.userId())) {
      return;
    }
    hashing.submit(() -> hasher.hash(password), background())
      .compose(hash -> users.rehash(found.userId(), found.passwordHash(), hash))
      .onComplete(done -> upgrading.remove(found.userId()))
      .onFailure(e -> LOG.info("password hash not upgraded to the current cost; the next sign-in tries again",
        kv("userId", found.userId()), kv("error", String.valueOf(e.getMessage()))));
  }

  // work no caller waits for still gets a deadline: a queue that cannot reach it in a few seconds has better to do
  private static long background() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
  }

  private static ServiceException invalidCredentials() {
    return new ServiceException(ErrorCode.UNAUTHORIZED, "Invalid email or password");
  }
}
