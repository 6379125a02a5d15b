package souk.common.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import souk.common.config.NodeConfig;
import souk.common.log.AccessLogMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSecurityTest {

  private static NodeConfig node(String host, NodeConfig.ClusterTls tls, boolean insecure) {
    return new NodeConfig("user-service", "souk", host, 5701, List.of(host), "", 0, 5, AccessLogMode.ERRORS, tls,
      insecure, 0, 0);
  }

  @Test
  void loopback_is_recognised_by_address_and_by_name() {
    assertTrue(ClusterSecurity.isLoopback("127.0.0.1"));
    assertTrue(ClusterSecurity.isLoopback("127.0.0.2"));
    assertTrue(ClusterSecurity.isLoopback("::1"));
    assertTrue(ClusterSecurity.isLoopback("localhost"));
    assertFalse(ClusterSecurity.isLoopback("10.0.0.5"));
    assertFalse(ClusterSecurity.isLoopback("0.0.0.0"));
  }

  @Test
  void a_reachable_address_without_cluster_tls_stops_the_node_unless_declared_insecure() {
    IllegalStateException refused = assertThrows(IllegalStateException.class,
      () -> ClusterSecurity.check(node("10.0.0.5", NodeConfig.ClusterTls.NONE, false)));
    assertTrue(refused.getMessage().contains("SOUK_CLUSTER_TLS_CERT"), refused.getMessage());
    assertDoesNotThrow(() -> ClusterSecurity.check(node("10.0.0.5", NodeConfig.ClusterTls.NONE, true)));
    assertDoesNotThrow(() -> ClusterSecurity.check(node("127.0.0.1", NodeConfig.ClusterTls.NONE, false)));
  }

  @Test
  void cluster_tls_needs_all_three_files_and_each_must_be_readable(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("node.pem"), "x");
    Path key = Files.writeString(dir.resolve("node-key.pem"), "x");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    assertThrows(IllegalArgumentException.class, () -> ClusterSecurity.check(node("10.0.0.5",
      new NodeConfig.ClusterTls(cert.toString(), key.toString(), ""), false)));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ClusterSecurity.check(
      node("10.0.0.5", new NodeConfig.ClusterTls(cert.toString(), key.toString(), dir + "/nope.pem"), false)));
    assertTrue(missing.getMessage().contains("SOUK_CLUSTER_TLS_CA") && missing.getMessage().contains("nope.pem"));
    assertDoesNotThrow(() -> ClusterSecurity.check(node("10.0.0.5",
      new NodeConfig.ClusterTls(cert.toString(), key.toString(), ca.toString()), false)));
    assertTrue(ClusterSecurity.eventBus(node("10.0.0.5",
      new NodeConfig.ClusterTls(cert.toString(), key.toString(), ca.toString()), false)).isSsl());
    assertFalse(ClusterSecurity.eventBus(node("127.0.0.1", NodeConfig.ClusterTls.NONE, false)).isSsl());
  }
}
