package souk.common.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Loads a node's configuration: the defaults files on the classpath, merged in order, then {@code SOUK_*} environment
 * variables on top. Only keys that have a default can be overridden, and a value is converted to the type of its
 * default, so {@code SOUK_HTTP_PORT=abc} stops the node at start with a message naming the variable.
 *
 * <p>A key maps to its variable by upper snake case: {@code httpPort} is {@code SOUK_HTTP_PORT}.
 */
public final class ConfigLoader {

  private static final String PREFIX = "SOUK_";

  private ConfigLoader() {
  }

  /** Merges the classpath resources in order (later wins), then applies the environment. */
  public static JsonObject load(Map<String, String> env, String... resources) {
    JsonObject merged = new JsonObject();
    for (String resource : resources) {
      merged.mergeIn(readResource(resource));
    }
    return applyEnvironment(merged, env);
  }

  static JsonObject applyEnvironment(JsonObject defaults, Map<String, String> env) {
    JsonObject result = defaults.copy();
    for (String key : defaults.fieldNames()) {
      String variable = variableName(key);
      String raw = env.get(variable);
      if (raw != null) {
        result.put(key, convert(variable, raw, defaults.getValue(key)));
      }
    }
    return result;
  }

  /** {@code pgPoolSize} → {@code SOUK_PG_POOL_SIZE}. */
  public static String variableName(String key) {
    StringBuilder name = new StringBuilder(PREFIX);
    for (char c : key.toCharArray()) {
      if (Character.isUpperCase(c)) {
        name.append('_');
      }
      name.append(Character.toUpperCase(c));
    }
    return name.toString();
  }

  /**
   * The integer setting {@code key}, checked to lie in {@code [min, max]}; outside, an error naming its variable, so
   * that a value that would turn a bound off, or stop a node uncleanly, stops it at start instead.
   */
  public static int intIn(JsonObject json, String key, int min, int max) {
    // read as a long: a value too large for an int would otherwise wrap around to one inside the range
    Long value = json.getLong(key);
    if (value == null || value < min || value > max) {
      throw new IllegalArgumentException(variableName(key) + " must be from " + min + " to " + max + ", got " + value);
    }
    return value.intValue();
  }

  /** Like {@link #intIn(JsonObject, String, int, int)}, for a setting that may be absent: then {@code absent}. */
  public static int intIn(JsonObject json, String key, int min, int max, int absent) {
    return json.containsKey(key) ? intIn(json, key, min, max) : absent;
  }

  /** A count, size or duration: at least 1, since 0 or less would turn its bound off. */
  public static int positive(JsonObject json, String key) {
    return intIn(json, key, 1, Integer.MAX_VALUE);
  }

  private static Object convert(String variable, String raw, Object defaultValue) {
    String value = raw.trim();
    if (defaultValue instanceof Integer || defaultValue instanceof Long) {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(variable + " must be an integer, got '" + raw + "'");
      }
    }
    if (defaultValue instanceof Boolean) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> throw new IllegalArgumentException(variable + " must be true or false, got '" + raw + "'");
      };
    }
    // secrets and strings keep their bytes exactly, surrounding spaces included
    return raw;
  }

  private static JsonObject readResource(String resource) {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("configuration resource not found: " + resource);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
