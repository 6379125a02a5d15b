package souk.common.node;

import io.netty.util.NetUtil;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import souk.common.config.ConfigFiles;
import souk.common.config.NodeConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * How a node protects the clustered event bus. Hazelcast's open-source edition authenticates no member, so Souk
 * secures what matters on the bus itself: with {@code SOUK_CLUSTER_TLS_CERT}, {@code SOUK_CLUSTER_TLS_KEY} and
 * {@code SOUK_CLUSTER_TLS_CA} (PEM) every event-bus connection is mutual TLS, and a process without a certificate
 * signed by that CA can neither deliver a message to a Souk node nor receive one from it. A node bound to an address
 * other than loopback refuses to start without it, unless {@code SOUK_CLUSTER_INSECURE=true}.
 */
public final class ClusterSecurity {

  private ClusterSecurity() {
  }

  /** Stops the node at start, with what to do, when its cluster settings are not safe or not usable. */
  public static void check(NodeConfig config) {
    NodeConfig.ClusterTls tls = config.clusterTls();
    if (tls.partial()) {
      throw new IllegalArgumentException("cluster TLS needs all three of SOUK_CLUSTER_TLS_CERT, SOUK_CLUSTER_TLS_KEY "
        + "and SOUK_CLUSTER_TLS_CA (scripts/dev-certs.sh makes a development set)");
    }
    if (tls.enabled()) {
      ConfigFiles.requireReadable("SOUK_CLUSTER_TLS_CERT", tls.cert());
      ConfigFiles.requireReadable("SOUK_CLUSTER_TLS_KEY", tls.key());
      ConfigFiles.requireReadable("SOUK_CLUSTER_TLS_CA", tls.ca());
    } else if (!isLoopback(config.clusterHost()) && !config.clusterInsecure()) {
      throw new IllegalStateException("SOUK_CLUSTER_HOST is " + config.clusterHost() + ", which other hosts can "
        + "reach, and the event bus is not protected: set SOUK_CLUSTER_TLS_CERT, SOUK_CLUSTER_TLS_KEY and "
        + "SOUK_CLUSTER_TLS_CA (scripts/dev-certs.sh makes a development set), or SOUK_CLUSTER_INSECURE=true on an "
        + "isolated test network only");
    }
  }

  /**
   * Whether this node's event bus is reachable from other hosts and unprotected: allowed only with
   * {@code SOUK_CLUSTER_INSECURE=true} ({@link #check(NodeConfig)}), and then said loudly.
   */
  public static boolean exposed(NodeConfig config) {
    return !config.clusterTls().enabled() && !isLoopback(config.clusterHost());
  }

  /** The event bus of this node: bound to the cluster host, and mutual TLS when configured. */
  public static EventBusOptions eventBus(NodeConfig config) {
    EventBusOptions options = new EventBusOptions().setHost(config.clusterHost()).setPort(0);
    return config.clusterTls().enabled() ? withTls(options, config.clusterTls()) : options;
  }

  /** {@code options} with mutual TLS: this certificate and key, and only peers signed by this CA. */
  public static EventBusOptions withTls(EventBusOptions options, NodeConfig.ClusterTls tls) {
    return options.setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.cert()).setKeyPath(tls.key()))
      .setTrustOptions(new PemTrustOptions().addCertPath(tls.ca()))
      .setClientAuth(ClientAuth.REQUIRED);
  }

  /** Whether {@code host} names this machine's loopback only (an address no other host can reach). */
  public static boolean isLoopback(String host) {
    try {
      if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
        return InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(host)).isLoopbackAddress();
      }
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
