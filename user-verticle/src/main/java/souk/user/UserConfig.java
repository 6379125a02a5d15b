package souk.user;

import io.vertx.core.json.JsonObject;
import souk.common.config.PgConfig;

/**
 * User node settings, from {@code user-node.json} and {@code SOUK_*} variables.
 *
 * @param pg                  the {@code souk_user} database
 * @param bcryptCost          password hashing cost, log2 of the rounds ({@code SOUK_BCRYPT_COST}, default 10)
 * @param passwordHashThreads threads that hash passwords ({@code SOUK_PASSWORD_HASH_THREADS}, default 2)
 * @param passwordHashQueue   most hashes queued or running at once; more are refused with 503
 *                            ({@code SOUK_PASSWORD_HASH_QUEUE}, default 16)
 */
public record UserConfig(PgConfig pg, int bcryptCost, int passwordHashThreads, int passwordHashQueue) {

  public static UserConfig from(JsonObject json) {
    return new UserConfig(PgConfig.from(json), json.getInteger("bcryptCost"), json.getInteger("passwordHashThreads"),
      json.getInteger("passwordHashQueue"));
  }
}
