package souk.common.db;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a failure of something the service depends on (its database unreachable, restarting, out of connections or
 * resources, or rolling back a transaction that deadlocked) from a bug. The first is a 503 the client may retry; the second a 500.
 */
public final class Unavailability {

  private Unavailability() {
  }

  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // a refused, reset or broken connection to the database: SocketException and ConnectException, and the plain
      // IOException ("Broken pipe") of a write to a connection the server has closed
      if (t instanceof IOException
        || t instanceof ClosedConnectionException || t instanceof TimeoutException) {
        return true;
      }
      if (t instanceof PgException pg && isTransientState(pg.getSqlState())) {
        return true;
      }
      // a statement sent on a connection the client has just seen close (the server ended it, the network cut it)
      if (t instanceof VertxException && t.getMessage() != null
        && t.getMessage().startsWith("Connection is not active now")) {
        return true;
      }
      // the pool refuses at once when its bounded wait queue is full
      if (t.getClass().getSimpleName().equals("ConnectionPoolTooBusyException")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A lost connection ({@link #isConnectionLost}); class 40 (a deadlock or serialization failure: the transaction was
   * rolled back and may simply run again); class 53 (out of disk, memory or connections); 55P03 (a lock not available
   * in time) and 57014 (a statement cancelled, e.g. by {@code statement_timeout}). None of them says anything about
   * the request; all of them may pass.
   */
  private static boolean isTransientState(String state) {
    return isConnectionLost(state) || state != null && (state.startsWith("40") || state.startsWith("53")
      || state.equals("55P03") || state.equals("57014"));
  }

  /**
   * Whether the database ended the session or lost the connection rather than refusing a statement: SQLSTATE class
   * 08, 57P01..57P05 (shut down, crashed, starting, the database dropped, the session idle too long) and 25P03 (idle
   * too long inside a transaction). What was sent last may or may not have been done.
   */
  static boolean isConnectionLost(String state) {
    return state != null && (state.startsWith("08") || state.startsWith("57P0") || state.equals("25P03"));
  }
}
