package souk.it;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for cluster TLS, made by the project's own {@code scripts/dev-certs.sh} into a directory of the test's:
 * a CA, and a certificate per node kind signed by it.
 */
final class DevCerts {

  private final Path dir;

  private DevCerts(Path dir) {
    this.dir = dir;
  }

  static DevCerts create(Path root, String name) {
    Path dir = root.resolve("system-tests/target/it-certs").resolve(name);
    try {
      Process script = new ProcessBuilder(root.resolve("scripts/dev-certs.sh").toString(), dir.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!script.waitFor(60, TimeUnit.SECONDS) || script.exitValue() != 0) {
        throw new IllegalStateException("scripts/dev-certs.sh failed");
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot make certificates in " + dir, e);
    }
    return new DevCerts(dir);
  }

  Path ca() {
    return dir.resolve("ca.pem");
  }

  Path cert(String kind) {
    return dir.resolve(kind + ".pem");
  }

  Path key(String kind) {
    return dir.resolve(kind + "-key.pem");
  }

  /** The environment of a node with cluster TLS, using the certificate made for {@code kind}. */
  Map<String, String> env(String kind) {
    return Map.of("SOUK_CLUSTER_TLS_CA", ca().toString(), "SOUK_CLUSTER_TLS_CERT", cert(kind).toString(),
      "SOUK_CLUSTER_TLS_KEY", key(kind).toString());
  }
}
