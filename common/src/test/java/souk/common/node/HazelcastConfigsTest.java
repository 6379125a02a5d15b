package souk.common.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.XmlConfigBuilder;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import souk.common.config.NodeConfig;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HazelcastConfigsTest {

  private static final NodeConfig NODE = NodeConfig.member("order-service", "souk", "10.1.2.3", 5701,
    List.of("10.1.2.4"));

  @Test
  void tcp_ip_join_lists_the_configured_members_by_default() {
    JoinConfig join = HazelcastConfigs.load(NODE, ClusterJoin.from(new JsonObject())).getNetworkConfig().getJoin();

    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.1.2.4"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getKubernetesConfig().isEnabled());
  }

  @Test
  void kubernetes_join_looks_the_headless_service_up_in_dns_instead_of_listing_members() {
    ClusterJoin kubernetes = ClusterJoin.from(new JsonObject().put("clusterJoin", "kubernetes")
      .put("clusterServiceDns", "souk-cluster.souk.svc.cluster.local"));
    Config config = HazelcastConfigs.load(NODE, kubernetes);
    JoinConfig join = config.getNetworkConfig().getJoin();

    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("souk-cluster.souk.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals("5701", join.getKubernetesConfig().getProperty("service-port"));
    assertEquals(List.of("10.1.2.3"), config.getNetworkConfig().getInterfaces().getInterfaces().stream().toList());
  }

  @Test
  void kubernetes_join_without_a_service_name_stops_the_node_naming_the_variable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> ClusterJoin.from(new JsonObject().put("clusterJoin", "kubernetes")));
    assertTrue(e.getMessage().contains("SOUK_CLUSTER_SERVICE_DNS"), e.getMessage());
  }

  @Test
  void an_unknown_join_mode_stops_the_node() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> ClusterJoin.from(new JsonObject().put("clusterJoin", "multicast")));
    assertTrue(e.getMessage().contains("SOUK_CLUSTER_JOIN"), e.getMessage());
  }

  @Test
  void the_packaged_cluster_xml_passes_hazelcasts_schema_check() throws Exception {
    // nodes read the packaged file without the check (it costs start-up time), so the build makes it here
    assertNull(System.getProperty(HazelcastConfigs.SCHEMA_VALIDATION));
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("cluster.xml")) {
      assertNotNull(in);
      assertEquals("souk", new XmlConfigBuilder(in).build().getClusterName());
    }
    InvalidConfigurationException invalid = assertThrows(InvalidConfigurationException.class,
      () -> new XmlConfigBuilder(new ByteArrayInputStream(
        "<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\"><no-such-element/></hazelcast>"
          .getBytes(StandardCharsets.UTF_8))).build());
    assertTrue(invalid.getMessage().contains("no-such-element"), invalid.getMessage());
  }

  @Test
  void the_packaged_file_is_read_without_the_schema_check_and_leaves_the_property_as_it_was() {
    Config config = HazelcastConfigs.packaged();

    assertFalse(config.getMetricsConfig().isEnabled(), "Hazelcast's own metrics are off: Souk exports its own");
    assertNull(System.getProperty(HazelcastConfigs.SCHEMA_VALIDATION));
  }

  @Test
  void few_partitions_and_a_quick_merge_unless_the_file_or_a_system_property_says_otherwise() {
    Config config = HazelcastConfigs.load(NODE, ClusterJoin.from(new JsonObject()));
    assertEquals("23", config.getProperty("hazelcast.partition.count"));
    assertEquals("5", config.getProperty("hazelcast.merge.first.run.delay.seconds"));

    System.setProperty("hazelcast.partition.count", "271");
    try {
      assertEquals("271", HazelcastConfigs.load(NODE, ClusterJoin.from(new JsonObject()))
        .getProperty("hazelcast.partition.count"));
    } finally {
      System.clearProperty("hazelcast.partition.count");
    }
  }

  @Test
  void the_kubernetes_discovery_ships_with_hazelcast() throws Exception {
    Class.forName("com.hazelcast.kubernetes.HazelcastKubernetesDiscoveryStrategyFactory");
  }
}
