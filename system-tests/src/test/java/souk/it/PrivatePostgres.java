package souk.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server of the machine's own installation, on its own port and data directory, that a test
 * may stop and start at will without disturbing the shared server. PostgreSQL refuses to run as root, so it runs as
 * the {@code postgres} system user.
 */
final class PrivatePostgres implements BeforeAllCallback, AfterAllCallback {

  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private final int port = SoukCluster.freePort();
  private final String listenAddress;
  private final String clientNetwork;
  private Path dir;

  /** A server on loopback. */
  PrivatePostgres() {
    this("127.0.0.1", null);
  }

  /** A server on {@code listenAddress} that also trusts clients from {@code clientNetwork} (CIDR). */
  PrivatePostgres(String listenAddress, String clientNetwork) {
    this.listenAddress = listenAddress;
    this.clientNetwork = clientNetwork;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    NodeTools.requireThat(Files.isExecutable(BIN.resolve("initdb")),
      "the PostgreSQL 15 server binaries are not installed (apt-get install postgresql-15); they are needed here");
    NodeTools.requireThat("root".equals(System.getProperty("user.name")),
      "this test runs a private PostgreSQL as the postgres user: run the system tests as root");
    dir = Files.createTempDirectory("souk-pg-");
    run("chown", "postgres:postgres", dir.toString());
    asPostgres(BIN.resolve("initdb").toString(), "-D", dir.toString(), "--auth=trust", "-U", "postgres", "-E", "UTF8");
    if (clientNetwork != null) {
      Files.writeString(dir.resolve("pg_hba.conf"), "host all all " + clientNetwork + " trust\n",
        StandardOpenOption.APPEND);
    }
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (dir != null) {
      close();
    }
  }

  int port() {
    return port;
  }

  void start() throws Exception {
    asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.toString(), "-l", dir.resolve("server.log").toString(),
      "-o", "-p " + port + " -c listen_addresses=" + listenAddress + " -k " + dir, "-w", "start");
  }

  /** Stops at once, as a crash would: connections are cut, nothing is flushed politely. */
  void crash() throws Exception {
    asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.toString(), "-m", "immediate", "-w", "stop");
  }

  private void close() throws Exception {
    try {
      asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.toString(), "-m", "immediate", "-w", "stop");
    } catch (IllegalStateException alreadyStopped) {
      // nothing to stop
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  private static void asPostgres(String... command) throws Exception {
    List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(List.of(command));
    run(full.toArray(String[]::new));
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("timed out: " + String.join(" ", command));
    }
    String output = new String(process.getInputStream().readAllBytes());
    if (process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }
}
