package souk.it;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node packages the system tests use (the official event-bus bridge client, axe-core), installed once per build
 * into {@code system-tests/target/node} from the committed {@code package-lock.json}. Where Node or npm is missing
 * the tests that need them are skipped with a message saying how to install them, except under {@code CI=true},
 * where a missing tool fails the build.
 */
final class NodeTools {

  private static final Path ROOT = Path.of(System.getProperty("souk.root", "..")).toAbsolutePath().normalize();
  private static final Path SOURCE = ROOT.resolve("system-tests/src/test/node");
  private static final Path HOME = ROOT.resolve("system-tests/target/node");

  private NodeTools() {
  }

  /** The directory holding {@code node_modules} and the probe scripts, installed if need be. */
  static synchronized Path home() throws Exception {
    require("node", "apt-get install -y nodejs npm");
    require("npm", "apt-get install -y npm");
    Files.createDirectories(HOME);
    for (String file : List.of("package.json", "package-lock.json", "bridge-probe.js")) {
      Files.copy(SOURCE.resolve(file), HOME.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(HOME.resolve("node_modules/@vertx/eventbus-bridge-client.js"))
      || !Files.isDirectory(HOME.resolve("node_modules/axe-core"))) {
      Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(HOME.toFile())
        .redirectErrorStream(true).redirectOutput(HOME.resolve("npm-ci.log").toFile()).start();
      if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
        npm.destroyForcibly();
        throw new AssertionError("npm ci failed in " + HOME + ": " + Files.readString(HOME.resolve("npm-ci.log")));
      }
    }
    return HOME;
  }

  /** Skips the test (or, under CI, fails it) when {@code tool} is not on the path. */
  static void require(String tool, String install) {
    requireThat(onPath(tool), tool + " is not installed; install it (" + install + ") to run this test");
  }

  /**
   * Skips the test with {@code message} when {@code met} is false; under CI ({@code CI=true}) fails it instead, so a
   * scenario that needs root or a tool cannot pass there by not running.
   */
  static void requireThat(boolean met, String message) {
    if (met) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
  }

  static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
