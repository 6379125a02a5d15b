package souk.common.node;

import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * How a node finds the other members of its cluster.
 *
 * @param mode       {@code tcp-ip} (the default): the members listed in {@code SOUK_CLUSTER_MEMBERS}; {@code kubernetes}:
 *                   the addresses a DNS lookup of {@code serviceDns} answers, Hazelcast's Kubernetes discovery in DNS
 *                   lookup mode ({@code SOUK_CLUSTER_JOIN})
 * @param serviceDns the headless Kubernetes service whose A records are the cluster's pods, e.g.
 *                   {@code souk-cluster.souk.svc.cluster.local}; needed in {@code kubernetes} mode only
 *                   ({@code SOUK_CLUSTER_SERVICE_DNS})
 */
public record ClusterJoin(Mode mode, String serviceDns) {

  public static final ClusterJoin TCP_IP = new ClusterJoin(Mode.TCP_IP, "");

  /** Ways of joining. */
  public enum Mode { TCP_IP, KUBERNETES }

  public ClusterJoin {
    if (mode == Mode.KUBERNETES && serviceDns.isBlank()) {
      throw new IllegalArgumentException("SOUK_CLUSTER_JOIN=kubernetes needs SOUK_CLUSTER_SERVICE_DNS, the headless "
        + "service of the cluster's pods (e.g. souk-cluster.souk.svc.cluster.local)");
    }
  }

  /** From the node's configuration ({@code clusterJoin}, {@code clusterServiceDns}); a bad mode stops the node. */
  public static ClusterJoin from(JsonObject config) {
    String mode = config.getString("clusterJoin", "tcp-ip").trim().toLowerCase(Locale.ROOT);
    String dns = config.getString("clusterServiceDns", "").trim();
    return switch (mode) {
      case "tcp-ip" -> TCP_IP;
      case "kubernetes" -> new ClusterJoin(Mode.KUBERNETES, dns);
      default -> throw new IllegalArgumentException("SOUK_CLUSTER_JOIN must be tcp-ip or kubernetes, got '" + mode + "'");
    };
  }
}
