package souk.common.db;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnavailabilityTest {

  @Test
  void an_unreachable_or_restarting_database_is_transient() {
    assertTrue(Unavailability.isTransient(new ConnectException("Connection refused")));
    assertTrue(Unavailability.isTransient(new VertxException("wrapped", new ConnectException("refused"))));
    assertTrue(Unavailability.isTransient(ClosedConnectionException.INSTANCE));
    // found by the database-outage-under-load test: a connection the server reset while it went down was a 500
    assertTrue(Unavailability.isTransient(new java.net.SocketException("Connection reset")));
    // found when orders became single statements: a write to a connection the server had just closed was a 500
    assertTrue(Unavailability.isTransient(new IOException("Broken pipe")));
    assertTrue(Unavailability.isTransient(new PgException("terminating connection", "FATAL", "57P01", null)));
    assertTrue(Unavailability.isTransient(new PgException("no connection", "FATAL", "08006", null)));
  }

  @Test
  void bugs_and_data_errors_are_not() {
    assertFalse(Unavailability.isTransient(new IllegalStateException("bug")));
    assertFalse(Unavailability.isTransient(new PgException("duplicate key", "ERROR", "23505", null)));
    assertFalse(Unavailability.isTransient(new NullPointerException()));
  }
}
