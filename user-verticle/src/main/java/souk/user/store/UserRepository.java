package souk.user.store;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;
import souk.user.domain.User;

import java.util.UUID;

/** Users in PostgreSQL, through parameterized statements only. */
public final class UserRepository {

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String COLUMNS = "id, name, email, created_at";

  private final Pool pool;
  private final SqlClient reads;
  private final ProfileCache cache;

  /**
   * @param reads a pipelined client for the lookups ({@link souk.common.db.Databases#pipelined})
   * @param cache the users this node has read
   */
  public UserRepository(Pool pool, SqlClient reads, ProfileCache cache) {
    this.pool = pool;
    this.reads = reads;
    this.cache = cache;
  }

  /** Inserts a user; fails with {@link ErrorCode#CONFLICT} when the email is taken, whatever its case. */
  public Future<User> insert(UUID id, String name, String email, String passwordHash) {
    return pool.preparedQuery("INSERT INTO users (id, name, email, password_hash) VALUES ($1, $2, $3, $4) RETURNING "
        + COLUMNS)
      .execute(Tuple.of(id, name, email, passwordHash))
      .map(rows -> toUser(rows.iterator().next()))
      .recover(e -> Future.failedFuture(e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
        ? new ServiceException(ErrorCode.CONFLICT, "A user with this email already exists")
        : e));
  }

  /** The user with {@code id}, from the node's cache when it is there; {@code null} when there is none. */
  public Future<User> find(UUID id) {
    User cached = cache.get(id);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long epoch = cache.epoch();
    return reads.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE id = $1").execute(Tuple.of(id))
      .map(rows -> {
        if (rows.size() == 0) {
          return null;
        }
        User user = toUser(rows.iterator().next());
        cache.put(user, epoch);
        return user;
      });
  }

  /**
   * Replaces the stored hash of {@code userId}'s password with one made at another cost, only if it is still
   * {@code oldHash} (a password changed meanwhile is left alone).
   */
  public Future<Boolean> rehash(UUID userId, String oldHash, String newHash) {
    return pool.preparedQuery("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
      .execute(Tuple.of(userId, oldHash, newHash)).map(rows -> rows.rowCount() == 1);
  }

  /** The user id and password hash for an email (any case), or {@code null}. */
  public Future<Credentials> credentials(String email) {
    return pool.preparedQuery("SELECT id, password_hash FROM users WHERE lower(email) = lower($1)")
      .execute(Tuple.of(email))
      .map(rows -> {
        if (rows.size() == 0) {
          return null;
        }
        Row row = rows.iterator().next();
        return new Credentials(row.getUUID("id"), row.getString("password_hash"));
      });
  }

  private static User toUser(Row row) {
    return new User(row.getUUID("id"), row.getString("name"), row.getString("email"),
      row.getOffsetDateTime("created_at"));
  }

  /** A stored password hash and whose it is. */
  public record Credentials(UUID userId, String passwordHash) {
  }
}
