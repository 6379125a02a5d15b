package souk.user.service;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;

import java.nio.charset.StandardCharsets;

/**
 * bcrypt with a per-password salt. Passwords longer than bcrypt's 72 bytes are first reduced with SHA-512 rather than
 * silently cut. Slow on purpose: call it off the event loop.
 */
public final class PasswordHasher {

  /** bcrypt cost (log2 of the rounds); 10 takes tens of milliseconds here. */
  public static final int DEFAULT_COST = 10;
  /**
   * The highest cost accepted: each step doubles the time, and 16 already takes seconds a hash, more than a caller
   * waits; a hash started runs to its end, holding a hashing thread.
   */
  public static final int MAX_COST = 16;

  private final int cost;
  private final BCrypt.Hasher hasher;
  private final BCrypt.Verifyer verifyer;
  // compared against when the email is unknown, so that both failures take the same time; made by prepare(), on a
  // hashing thread at start, or on first use
  private volatile String decoy;

  public PasswordHasher(int cost) {
    if (cost < 4 || cost > MAX_COST) {
      throw new IllegalArgumentException("SOUK_BCRYPT_COST must be from 4 to " + MAX_COST + ", got " + cost);
    }
    this.cost = cost;
    this.hasher = BCrypt.with(BCrypt.Version.VERSION_2B, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2B));
    this.verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2B, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2B));
  }

  public String hash(String password) {
    return hasher.hashToString(cost, password.toCharArray());
  }

  public boolean matches(String password, String hash) {
    return verifyer.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8)).verified;
  }

  /** Makes the decoy hash now, so that the first unknown email does not take a hash longer than the rest. */
  public Void prepare() {
    if (decoy == null) {
      decoy = hash("decoy password, never valid");
    }
    return null;
  }

  /**
   * Whether {@code hash} was made at another cost than this hasher's: a password checked against it takes another
   * time than an unknown email's check against the decoy, and should be hashed again.
   */
  public boolean outdated(String hash) {
    // $2b$10$...: the cost is the two digits after the second '$'
    return hash.length() < 7 || hash.charAt(3) != '$' || !hash.startsWith(String.format("%02d$", cost), 4);
  }

  /** Spends the time of a real check and answers {@code false}. */
  public boolean matchesNothing(String password) {
    String hash = decoy;
    if (hash == null) {
      hash = hash("decoy password, never valid");
      decoy = hash;
    }
    matches(password, hash);
    return false;
  }
}
