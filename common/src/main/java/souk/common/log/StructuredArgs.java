package souk.common.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import net.logstash.logback.argument.StructuredArgument;

/**
 * {@code %kvs} in a text pattern: the {@code kv(...)} arguments of a log call as {@code key=value} after the message,
 * so the readable console keeps the request id and the other fields the JSON lines carry.
 */
public final class StructuredArgs extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    Object[] arguments = event.getArgumentArray();
    if (arguments == null || arguments.length == 0) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    for (Object argument : arguments) {
      if (argument instanceof StructuredArgument) {
        text.append(' ').append(argument);
      }
    }
    return text.toString();
  }
}
