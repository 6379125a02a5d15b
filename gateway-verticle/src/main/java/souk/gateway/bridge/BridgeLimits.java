package souk.gateway.bridge;

/**
 * Bounds of the browser bridge.
 *
 * @param socketsPerUser         open sockets one user may have on one gateway ({@code SOUK_BRIDGE_MAX_SOCKETS_PER_USER}, default 8)
 * @param registrationsPerSocket registrations one socket may hold ({@code SOUK_BRIDGE_MAX_REGISTRATIONS}, default 4)
 * @param maxFrameBytes          largest frame a browser may send ({@code SOUK_BRIDGE_MAX_FRAME_BYTES}, default 8192)
 * @param idleSeconds            a socket that registers nothing, or stops pinging, this long is closed
 *                               ({@code SOUK_BRIDGE_IDLE_SECONDS}, default 30)
 * @param anonymousPerAddress    sockets not yet registered that one client address may hold open on one gateway
 *                               ({@code SOUK_BRIDGE_MAX_ANONYMOUS_PER_ADDRESS}, default 32)
 * @param anonymous              sockets not yet registered one gateway holds open at most, all addresses together
 *                               ({@code SOUK_BRIDGE_MAX_ANONYMOUS}, default 10000)
 */
public record BridgeLimits(int socketsPerUser, int registrationsPerSocket, int maxFrameBytes, int idleSeconds,
                           int anonymousPerAddress, int anonymous) {

  public long idleMs() {
    return idleSeconds * 1_000L;
  }
}
