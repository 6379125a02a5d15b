package souk.gateway.routing;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A path template such as {@code /api/v1/users/:id}: literal segments match themselves, {@code :name} segments match
 * any one non-empty segment and become parameters.
 */
public final class PathTemplate {

  private final String template;
  private final List<String> segments;

  public PathTemplate(String template) {
    if (template == null || !template.startsWith("/")) {
      throw new IllegalArgumentException("a path template starts with /: " + template);
    }
    this.template = template;
    this.segments = Arrays.asList(split(template));
  }

  public String template() {
    return template;
  }

  /** Literal segments count: {@code /users/me} is more specific than {@code /users/:id} and is tried first. */
  public int literals() {
    return (int) segments.stream().filter(s -> !s.startsWith(":")).count();
  }

  /** The parameters if {@code path} matches, else {@code null}. */
  public Map<String, String> match(String path) {
    return match(split(path));
  }

  /**
   * The parameters if the path split by {@link #split(String)} matches, else {@code null}: a table of templates
   * splits a request's path once, not once per template.
   */
  Map<String, String> match(String[] parts) {
    if (parts.length != segments.size()) {
      return null;
    }
    // literals first: most templates are ruled out without allocating anything
    for (int i = 0; i < parts.length; i++) {
      String segment = segments.get(i);
      if (segment.startsWith(":") ? parts[i].isEmpty() : !segment.equals(parts[i])) {
        return null;
      }
    }
    Map<String, String> params = new HashMap<>(4);
    for (int i = 0; i < parts.length; i++) {
      String segment = segments.get(i);
      if (segment.startsWith(":")) {
        params.put(segment.substring(1), parts[i]);
      }
    }
    return params;
  }

  static String[] split(String path) {
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return trimmed.substring(1).split("/", -1);
  }

  @Override
  public String toString() {
    return template;
  }
}
