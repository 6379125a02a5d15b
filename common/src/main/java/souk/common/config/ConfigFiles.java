package souk.common.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files named by settings (certificates, keys): checked at start, so a wrong path stops the node naming it. */
public final class ConfigFiles {

  private ConfigFiles() {
  }

  /** Fails with a message naming {@code variable} and {@code path} unless the file can be read. */
  public static void requireReadable(String variable, String path) {
    if (path == null || path.isBlank() || !Files.isReadable(Path.of(path))) {
      throw new IllegalArgumentException(variable + " names a file that cannot be read: " + path);
    }
  }
}
