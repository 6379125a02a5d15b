package souk.gateway.limit;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrustedProxiesTest {

  @Test
  void with_no_trusted_proxy_forwarded_for_is_never_read() {
    TrustedProxies none = TrustedProxies.of(List.of());
    assertEquals("203.0.113.7", none.client("203.0.113.7", "198.51.100.1"));
  }

  @Test
  void an_untrusted_peer_cannot_choose_its_identity() {
    TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8"));
    assertEquals("203.0.113.7", proxies.client("203.0.113.7", "198.51.100.1"));
  }

  @Test
  void behind_trusted_proxies_the_client_is_the_right_most_untrusted_hop() {
    TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "192.168.1.1"));
    // the client wrote a fake first entry; the proxies appended the address they saw
    assertEquals("198.51.100.9", proxies.client("10.1.2.3", "1.2.3.4, 198.51.100.9, 192.168.1.1"));
    assertEquals("10.1.2.3", proxies.client("10.1.2.3", null));
  }

  @Test
  void a_malformed_hop_ends_the_walk_at_the_last_good_address() {
    TrustedProxies proxies = TrustedProxies.of(List.of("127.0.0.1"));
    assertEquals("127.0.0.1", proxies.client("127.0.0.1", "evil.example.com"));
    assertEquals("198.51.100.9", proxies.client("127.0.0.1", "junk, 198.51.100.9"));
  }

  @Test
  void ipv6_blocks_match_by_prefix() {
    TrustedProxies proxies = TrustedProxies.of(List.of("2001:db8::/32"));
    assertEquals("2001:db9::1", proxies.client("2001:db8:1::5", "2001:db9::1"));
    assertEquals("2001:db9::2", proxies.client("2001:db9::2", "2001:db9::1"));
  }

  @Test
  void host_names_and_bad_prefixes_stop_the_node_at_start() {
    assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(List.of("proxy.internal")));
    assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(List.of("10.0.0.0/33")));
    assertThrows(IllegalArgumentException.class, () -> TrustedProxies.of(List.of("10.0.0.0/x")));
  }
}
