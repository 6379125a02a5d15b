package souk.common.db;

import io.vertx.pgclient.PgException;
import souk.common.bus.DependencyFailures;
import souk.common.bus.ErrorCode;
import souk.common.bus.ServiceException;

/**
 * The failures of a PostgreSQL-backed service that are not bugs: the database unreachable, restarting or out of
 * connections is a 503 the client may retry ({@link Unavailability}); a value that validation let through and
 * PostgreSQL refused (SQLSTATE class 22, data exception) is the client's 400.
 */
public final class PgFailures implements DependencyFailures {

  public static final PgFailures INSTANCE = new PgFailures();

  private PgFailures() {
  }

  @Override
  public ServiceException classify(Throwable cause) {
    if (Unavailability.isTransient(cause)) {
      return new ServiceException(ErrorCode.UNAVAILABLE, "The service cannot reach what it depends on; retry later");
    }
    if (cause instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().startsWith("22")) {
      return new ServiceException(ErrorCode.VALIDATION, "The request holds a value that cannot be stored");
    }
    return null;
  }
}
