package souk.common.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.XmlConfigBuilder;
import souk.common.config.NodeConfig;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Builds the Hazelcast configuration of a node: {@code cluster.xml} (the packaged one, or the file named by
 * {@code SOUK_CLUSTER_CONFIG}), then the node's own cluster name, bind address, port and members on top, so that one jar joins a
 * cluster on one host, across hosts or in Kubernetes ({@link ClusterJoin}) without editing XML.
 */
public final class HazelcastConfigs {

  /**
   * Applied unless the file or a {@code -D} system property sets them:
   * <ul>
   *   <li>how soon the halves of a healed partition look for each other and merge, in seconds. Hazelcast's own
   *   defaults (300 s, then every 120 s) leave a healed network split for minutes;</li>
   *   <li>the number of data partitions. Souk keeps only event-bus subscriptions, node information and service
   *   records in the cluster, a few hundred small entries; Hazelcast's 271 partitions made every member that joins
   *   move and back up hundreds of empty partitions, a large part of a node's start-up. Every member of one cluster
   *   must use the same count.</li>
   * </ul>
   */
  static final Map<String, String> DEFAULTS = Map.of(
    "hazelcast.merge.first.run.delay.seconds", "5",
    "hazelcast.merge.next.run.delay.seconds", "5",
    "hazelcast.partition.count", "23");

  /** Hazelcast checks a configuration file against its XML schema unless this system property is {@code false}. */
  static final String SCHEMA_VALIDATION = "hazelcast.config.schema.validation.enabled";

  private HazelcastConfigs() {
  }

  public static Config load(NodeConfig node) {
    return load(node, ClusterJoin.TCP_IP);
  }

  /** As {@link #load(NodeConfig)}, joining the members {@code join} says how to find. */
  public static Config load(NodeConfig node, ClusterJoin join) {
    Config config = node.clusterConfig().isBlank() ? packaged() : fromFile(node.clusterConfig());
    config.setClusterName(node.clusterName());
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(node.clusterPort()).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).clear().addInterface(node.clusterHost());
    if (join.mode() == ClusterJoin.Mode.KUBERNETES) {
      network.getJoin().getTcpIpConfig().setEnabled(false);
      // DNS lookup mode: no Kubernetes API access needed, the headless service's records are the members
      network.getJoin().getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", join.serviceDns())
        .setProperty("service-port", String.valueOf(node.clusterPort()));
    } else {
      network.getJoin().getTcpIpConfig().setEnabled(true).setMembers(node.clusterMembers());
    }
    network.getJoin().getMulticastConfig().setEnabled(false);
    network.getJoin().getAutoDetectionConfig().setEnabled(false);
    // whatever file is used: bind the configured interface only, heal a partition in seconds, not minutes, and keep
    // few partitions
    config.setProperty("hazelcast.socket.bind.any", "false");
    for (Map.Entry<String, String> property : DEFAULTS.entrySet()) {
      if (config.getProperty(property.getKey()) == null) {  // null when neither sets it
        config.setProperty(property.getKey(), property.getValue());
      }
    }
    return config;
  }

  /**
   * The {@code cluster.xml} packaged in the jar, read without checking it against Hazelcast's XML schema: building
   * that schema cost a quarter of a second of CPU at every start, and the packaged file is checked once, by the
   * build ({@code HazelcastConfigsTest}). A file named by {@code SOUK_CLUSTER_CONFIG} is always checked.
   */
  static Config packaged() {
    String validation = System.getProperty(SCHEMA_VALIDATION);
    try (InputStream in = HazelcastConfigs.class.getClassLoader().getResourceAsStream("cluster.xml")) {
      if (in == null) {
        throw new IllegalStateException("cluster.xml is missing from the classpath");
      }
      if (validation == null) {
        System.setProperty(SCHEMA_VALIDATION, "false");
      }
      return new XmlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (validation == null) {
        System.clearProperty(SCHEMA_VALIDATION);
      }
    }
  }

  private static Config fromFile(String path) {
    try {
      return new FileSystemXmlConfig(path);
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("SOUK_CLUSTER_CONFIG names a file that does not exist: " + path);
    }
  }
}
