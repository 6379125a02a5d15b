package souk.common.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import net.logstash.logback.argument.StructuredArgument;

/**
 * {@code %kvs} in a text pattern: the {@code kv(...)} arguments of a log call as {@code key=value} after the message,
 * so the readable console keeps the request id and the other fields the JSON lines carry; and the trace id, when the
 * node traces.
 */
public final class StructuredArgs extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    Object[] arguments = event.getArgumentArray();
    String traceId = event.getMDCPropertyMap().get("traceId");
    if ((arguments == null || arguments.length == 0) && traceId == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    for (Object argument : arguments == null ? new Object[0] : arguments) {
      if (argument instanceof StructuredArgument) {
        text.append(' ').append(argument);
      }
    }
    if (traceId != null) {
      text.append(" traceId=").append(traceId);
    }
    return text.toString();
  }
}
