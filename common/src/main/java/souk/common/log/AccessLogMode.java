package souk.common.log;

import java.util.Locale;

/**
 * Which requests get a log line of their own ({@code SOUK_ACCESS_LOG}): the gateway's one line per HTTP request and a
 * service's one line per handled action. Lines about failures (warnings, errors) are written whatever the mode.
 */
public enum AccessLogMode {
  /** A line per request: for debugging; it costs throughput. */
  ALL,
  /** A line per request that failed on the server's side (5xx); the default. */
  ERRORS,
  /** No per-request lines. */
  OFF;

  /** Whether a request whose outcome was a server-side failure ({@code failed}) or not gets a line. */
  public boolean logs(boolean failed) {
    return this == ALL || (this == ERRORS && failed);
  }

  public static AccessLogMode parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SOUK_ACCESS_LOG must be all, errors or off, got '" + value + "'");
    }
  }
}
