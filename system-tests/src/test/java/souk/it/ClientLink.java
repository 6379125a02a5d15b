package souk.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second network between this machine and one of {@link NetworkHosts}' hosts, for that host's clients only: a
 * point-to-point link of its own that {@link NetworkHosts#cut(int)} leaves up. A gateway listening on {@link #ip()}
 * keeps hearing its clients while its host is cut off from the rest of the cluster and from PostgreSQL, as the shop
 * floor of a site keeps its local server when the site loses its uplink. Removed after the tests.
 */
final class ClientLink implements BeforeAllCallback, AfterAllCallback {

  private final NetworkHosts network;
  private final int host;

  ClientLink(NetworkHosts network, int host) {
    this.network = network;
    this.host = host;
  }

  /** The host's address on this link. */
  String ip() {
    return "10.78." + subnet() + ".2";
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    // the host's namespace is the last word of the prefix that runs a process there ("ip netns exec <namespace>")
    List<String> prefix = network.host(host).prefix();
    String namespace = prefix.get(prefix.size() - 1);
    run("ip", "link", "add", ourSide(), "type", "veth", "peer", "name", "cl0", "netns", namespace);
    run("ip", "addr", "add", "10.78." + subnet() + ".1/30", "dev", ourSide());
    run("ip", "link", "set", ourSide(), "up");
    run("ip", "netns", "exec", namespace, "ip", "addr", "add", ip() + "/30", "dev", "cl0");
    run("ip", "netns", "exec", namespace, "ip", "link", "set", "cl0", "up");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      run("ip", "link", "del", ourSide());
    } catch (Exception neverMade) {
      // the hosts were skipped, or the link is gone with its namespace
    }
  }

  // the third number of the hosts' network, so that two runs at once never share a link
  private String subnet() {
    return network.bridgeIp().split("\\.")[2];
  }

  private String ourSide() {
    return "soukcl" + subnet();
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + ": "
        + new String(process.getInputStream().readAllBytes()));
    }
  }
}
