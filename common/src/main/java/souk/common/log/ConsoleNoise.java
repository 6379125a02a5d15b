package souk.common.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps the readable console for people: Souk's own lines at the configured level, other libraries' lines (Hazelcast's
 * member lists, Netty, Flyway) only from WARN up. The JSON outputs keep everything.
 */
public final class ConsoleNoise extends Filter<ILoggingEvent> {

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return event.getLoggerName().startsWith("souk.") || event.getLevel().isGreaterOrEqual(Level.WARN)
      ? FilterReply.NEUTRAL
      : FilterReply.DENY;
  }
}
