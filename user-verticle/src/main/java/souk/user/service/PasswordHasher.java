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

  private final int cost;
  private final BCrypt.Hasher hasher;
  private final BCrypt.Verifyer verifyer;
  // compared against when the email is unknown, so that both failures take the same time; made on first use,
  // on a worker thread
  private volatile String decoy;

  public PasswordHasher(int cost) {
    if (cost < 4 || cost > 31) {
      throw new IllegalArgumentException("bcrypt cost must be 4..31, got " + cost);
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
