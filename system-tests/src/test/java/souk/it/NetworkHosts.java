package souk.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts of their own on this machine: network namespaces, each with one address on a private /24 behind a bridge
 * that this host reaches as {@link #bridgeIp()}. A host can be cut off the network and put back. Everything is
 * removed after the tests.
 */
final class NetworkHosts implements BeforeAllCallback, AfterAllCallback {

  private final int subnet = 100 + ThreadLocalRandom.current().nextInt(150);
  private final String bridge = "soukbr" + subnet;
  private final int count;

  NetworkHosts(int count) {
    this.count = count;
  }

  String bridgeIp() {
    return "10.77." + subnet + ".1";
  }

  String network() {
    return "10.77." + subnet + ".0/24";
  }

  SoukCluster.Host host(int i) {
    return new SoukCluster.Host("10.77." + subnet + "." + (i + 2), List.of("ip", "netns", "exec", namespace(i)));
  }

  List<SoukCluster.Host> hosts() {
    List<SoukCluster.Host> hosts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      hosts.add(host(i));
    }
    return hosts;
  }

  /** Unplugs host {@code i}: its nodes stop hearing, and being heard by, everyone else. */
  void cut(int i) throws Exception {
    ip("link", "set", hostSide(i), "down");
  }

  void restore(int i) throws Exception {
    ip("link", "set", hostSide(i), "up");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    NodeTools.requireThat(Files.isExecutable(Path.of("/usr/sbin/ip")),
      "iproute2 is not installed; install it (apt-get install iproute2) to run this test");
    NodeTools.requireThat("root".equals(System.getProperty("user.name")),
      "network namespaces need root: run the system tests as root to run this test");
    ip("link", "add", bridge, "type", "bridge");
    ip("addr", "add", bridgeIp() + "/24", "dev", bridge);
    ip("link", "set", bridge, "up");
    for (int i = 0; i < count; i++) {
      String ns = namespace(i);
      ip("netns", "add", ns);
      ip("link", "add", hostSide(i), "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip("link", "set", hostSide(i), "master", bridge);
      ip("link", "set", hostSide(i), "up");
      ip("netns", "exec", ns, "ip", "addr", "add", host(i).ip() + "/24", "dev", "eth0");
      ip("netns", "exec", ns, "ip", "link", "set", "eth0", "up");
      ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    for (int i = 0; i < count; i++) {
      // deleting one end removes the pair at once; the namespace alone may linger while sockets drain
      quietly("link", "del", hostSide(i));
      quietly("netns", "del", namespace(i));
    }
    quietly("link", "del", bridge);
  }

  private String namespace(int i) {
    return "souk" + subnet + "h" + i;
  }

  private String hostSide(int i) {
    return "souk" + subnet + "v" + i;
  }

  private static void ip(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      String output = new String(process.getInputStream().readAllBytes());
      throw new IllegalStateException(String.join(" ", command) + ": " + output);
    }
  }

  private static void quietly(String... args) {
    try {
      ip(args);
    } catch (Exception e) {
      // already gone
    }
  }
}
