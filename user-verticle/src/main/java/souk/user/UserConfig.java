package souk.user;

import io.vertx.core.json.JsonObject;
import souk.common.config.ConfigLoader;
import souk.common.config.PgConfig;
import souk.user.service.PasswordHasher;

import static souk.common.config.ConfigLoader.positive;

/**
 * User node settings, from {@code user-node.json} and {@code SOUK_*} variables.
 *
 * @param pg                  the {@code souk_user} database
 * @param bcryptCost          password hashing cost, log2 of the rounds ({@code SOUK_BCRYPT_COST}, default 10)
 * @param passwordHashThreads threads that hash passwords ({@code SOUK_PASSWORD_HASH_THREADS}, default 2)
 * @param passwordHashQueue   most hashes queued or running at once; more are refused with 503
 *                            ({@code SOUK_PASSWORD_HASH_QUEUE}, default 16)
 * @param userCacheSize       most users a node keeps after reading them; 0 turns the cache off
 *                            ({@code SOUK_USER_CACHE_SIZE}, default 10000)
 * @param userCacheTtlSeconds how long a kept user is used before it is read again ({@code SOUK_USER_CACHE_TTL_SECONDS},
 *                            default 300)
 */
public record UserConfig(PgConfig pg, int bcryptCost, int passwordHashThreads, int passwordHashQueue,
                         int userCacheSize, int userCacheTtlSeconds) {

  public static UserConfig from(JsonObject json) {
    return new UserConfig(PgConfig.from(json), ConfigLoader.intIn(json, "bcryptCost", 4, PasswordHasher.MAX_COST),
      positive(json, "passwordHashThreads"), positive(json, "passwordHashQueue"),
      ConfigLoader.intIn(json, "userCacheSize", 0, Integer.MAX_VALUE), positive(json, "userCacheTtlSeconds"));
  }
}
