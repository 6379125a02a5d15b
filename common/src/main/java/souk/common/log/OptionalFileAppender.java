package souk.common.log;

import ch.qos.logback.core.FileAppender;

/**
 * A file appender that is off when no file is named ({@code SOUK_LOG_FILE} unset): nodes started by hand log to
 * stdout only, and {@code ./run.sh} names a file per node.
 */
public final class OptionalFileAppender<E> extends FileAppender<E> {

  private boolean off;

  @Override
  public void start() {
    String file = getFile();
    off = file == null || file.isBlank();
    if (off) {
      started = true;
      return;
    }
    super.start();
  }

  @Override
  protected void append(E event) {
    if (!off) {
      super.append(event);
    }
  }
}
