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
    assertTrue(Unavailability.isTransient(new VertxException("Connection is not active now, current status: CLOSED")));
    for (String state : new String[] {"40001", "40P01", "53100", "53200", "53300", "55P03", "57014", "25P03", "57P05"}) {
      assertTrue(Unavailability.isTransient(new PgException("may pass", "ERROR", state, null)), state);
    }
  }

  @Test
  void bugs_and_data_errors_are_not() {
    assertFalse(Unavailability.isTransient(new IllegalStateException("bug")));
    assertFalse(Unavailability.isTransient(new PgException("duplicate key", "ERROR", "23505", null)));
    assertFalse(Unavailability.isTransient(new PgException("bad value", "ERROR", "22P02", null)));
    assertFalse(Unavailability.isTransient(new PgException("syntax", "ERROR", "42601", null)));
    assertFalse(Unavailability.isTransient(new PgException("lock other than 55P03", "ERROR", "55006", null)));
    assertFalse(Unavailability.isTransient(new NullPointerException()));
  }
}
