package souk.gateway.limit;

import io.netty.util.NetUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * Who the client is, by network address: the direct peer, unless the peer is a trusted proxy, in which case the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy. Entries are addresses or CIDR blocks
 * ({@code 10.0.0.0/8}, {@code ::1}); none trusted (the default) means {@code X-Forwarded-For} is never read, so a
 * client cannot buy itself a fresh identity by writing one.
 */
public final class TrustedProxies {

  private record Block(byte[] network, int prefixBits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefixBits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> blocks;

  private TrustedProxies(List<Block> blocks) {
    this.blocks = blocks;
  }

  /** Parses {@code SOUK_TRUSTED_PROXIES} entries; a host name or a malformed entry stops the node at start. */
  public static TrustedProxies of(List<String> entries) {
    List<Block> blocks = new ArrayList<>();
    for (String entry : entries) {
      String[] parts = entry.split("/", 2);
      byte[] network = NetUtil.createByteArrayFromIpAddressString(parts[0]);
      if (network == null) {
        throw new IllegalArgumentException("SOUK_TRUSTED_PROXIES: not an IP address or CIDR block: " + entry);
      }
      int bits = network.length * 8;
      if (parts.length == 2) {
        try {
          bits = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > network.length * 8) {
          throw new IllegalArgumentException("SOUK_TRUSTED_PROXIES: bad prefix length in " + entry);
        }
      }
      blocks.add(new Block(network, bits));
    }
    return new TrustedProxies(List.copyOf(blocks));
  }

  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  /**
   * The client's address for a request from {@code peer} carrying {@code forwardedFor} (may be {@code null}).
   * A malformed entry ends the walk: the last address known good is the answer.
   */
  public String client(String peer, String forwardedFor) {
    if (blocks.isEmpty() || forwardedFor == null || !isTrusted(peer)) {
      return peer;
    }
    String client = peer;
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      byte[] address = NetUtil.createByteArrayFromIpAddressString(hop);
      if (address == null) {
        return client;
      }
      client = hop;
      if (!contains(address)) {
        return client;
      }
    }
    return client;
  }

  /** Whether {@code address} (a peer's) is one of the trusted proxies. */
  public boolean isTrusted(String address) {
    byte[] bytes = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address);
    return bytes != null && contains(bytes);
  }

  private boolean contains(byte[] address) {
    for (Block block : blocks) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
