package souk.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

/** One Souk node running as its own JVM, started from its fat jar, its output kept in a log file. */
public final class NodeProcess {

  private final String name;
  private final Path log;
  private final Process process;
  private static final Pattern SERVING = Pattern.compile("\"message\":\"serving\".*\"managementPort\":(\\d+)");

  private volatile int managementPort;
  private volatile boolean stopped;

  private NodeProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  static NodeProcess start(String name, List<String> prefix, Path jar, Map<String, String> env, Path logDir)
    throws IOException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(javaBinary(), "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
      .redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().putAll(env);
    return new NodeProcess(name, log, builder.start());
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  /** The port of a service node's management server, as the node reported it once serving (waits up to 60 s). */
  public int managementPort() throws Exception {
    if (managementPort == 0) {
      managementPort = Eventually.await(name + " reporting its management port", Duration.ofSeconds(60),
        Duration.ofMillis(100), () -> {
          Matcher serving = SERVING.matcher(log());
          return serving.find() ? Integer.parseInt(serving.group(1)) : 0;
        }, port -> port > 0);
    }
    return managementPort;
  }

  /** This JVM's used heap after a full collection, in KB (jcmd, from the JDK running the tests). */
  public long heapAfterGcKb() throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    jcmd(jcmd, String.valueOf(pid()), "GC.run");
    String info = jcmd(jcmd, String.valueOf(pid()), "GC.heap_info");
    // each generation's line (Serial: "def new generation", "tenured generation"; G1: "garbage-first heap")
    Matcher used = Pattern.compile("(generation|heap)\\s+total \\d+K, used (\\d+)K").matcher(info);
    long total = 0;
    while (used.find()) {
      total += Long.parseLong(used.group(2));
    }
    if (total == 0) {
      throw new AssertionError("no heap figures from jcmd: " + info);
    }
    return total;
  }

  private static String jcmd(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    process.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  /** Whether the test stopped or killed this node (as opposed to the node dying by itself). */
  public boolean stoppedOnPurpose() {
    return stopped;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The node's log lines at ERROR level or with a stack trace that are Souk's, not its cluster transports': Hazelcast's
   * own WARN lines (a member that joined is sent a partition migration before its start-up completed, and Hazelcast
   * retries it), Hazelcast refusing an operation from a member it does not count as its own yet while two sides merge
   * (CallerNotMemberException), and Vert.x reporting an event-bus connection the peer reset ("Connection reset").
   */
  public List<String> troubles() {
    return log().lines()
      .filter(line -> line.contains("\"level\":\"ERROR\"") || line.contains("\"stack_trace\""))
      .filter(line -> !(line.contains("\"level\":\"WARN\"") && line.contains("\"logger_name\":\"com.hazelcast.")))
      .filter(line -> !(line.contains("CallerNotMemberException")
        && line.contains("\"logger_name\":\"com.hazelcast.spi.impl.operationservice.impl.operations.")))
      .filter(line -> !(line.contains("\"message\":\"Connection reset\"")
        && line.contains("\"logger_name\":\"io.vertx.core.net.impl.ConnectionBase\"")))
      .toList();
  }

  /** Waits for a node that is expected to exit by itself (a refused start); its exit code, or -1 if it did not. */
  public int awaitExit(long seconds) throws InterruptedException {
    stopped = true;
    return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
  public void kill() throws InterruptedException {
    stopped = true;
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL if it has not stopped in time; returns the exit code. */
  public int stop() throws InterruptedException {
    stopped = true;
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    return process.isAlive() ? -1 : process.exitValue();
  }
}
