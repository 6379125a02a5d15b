package souk.user.service;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PasswordHasherTest {

  // the lowest cost keeps the test fast; production uses PasswordHasher.DEFAULT_COST
  private final PasswordHasher hasher = new PasswordHasher(4);

  @Test
  void the_right_password_matches_and_a_wrong_one_does_not() {
    String hash = hasher.hash("correct horse");
    assertTrue(hasher.matches("correct horse", hash));
    assertFalse(hasher.matches("correct horsf", hash));
  }

  @Test
  void each_hash_is_salted() {
    assertNotEquals(hasher.hash("same password"), hasher.hash("same password"));
  }

  @Test
  void passwords_longer_than_72_bytes_are_not_cut() {
    String base = "p".repeat(80);
    String hash = hasher.hash(base + "A");
    assertTrue(hasher.matches(base + "A", hash));
    assertFalse(hasher.matches(base + "B", hash), "bytes past 72 still count");
  }

  @Test
  void an_unusable_cost_is_refused() {
    assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(3));
    assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(PasswordHasher.MAX_COST + 1),
      "a cost whose hashes outlast every caller");
  }

  @Test
  void a_hash_made_at_another_cost_is_outdated() {
    PasswordHasher four = new PasswordHasher(4);
    PasswordHasher five = new PasswordHasher(5);
    String hash = four.hash("a password");
    assertFalse(four.outdated(hash));
    assertTrue(five.outdated(hash));
    assertTrue(five.matches("a password", hash), "an older hash still verifies");
  }
}
