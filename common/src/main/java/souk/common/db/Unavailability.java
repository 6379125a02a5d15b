package souk.common.db;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a failure of something the service depends on (its database unreachable, restarting or out of
 * connections) from a bug. The first is a 503 the client may retry; the second a 500.
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
      if (t instanceof PgException pg && isConnectionState(pg.getSqlState())) {
        return true;
      }
      // the pool refuses at once when its bounded wait queue is full
      if (t.getClass().getSimpleName().equals("ConnectionPoolTooBusyException")) {
        return true;
      }
    }
    return false;
  }

  // SQLSTATE class 08: connection exception; 57P01..57P03: the server is shutting down or starting
  private static boolean isConnectionState(String state) {
    return state != null && (state.startsWith("08") || state.startsWith("57P0"));
  }
}
