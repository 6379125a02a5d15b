package souk.gateway.routing;

import souk.common.api.RouteSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The API routes the gateway knows, from the services' discovery records, and which services have a live node.
 * Immutable: the directory swaps in a new table when records change.
 */
public final class RouteTable {

  /** A declared route and the service that serves it. */
  public record Entry(String service, RouteSpec spec, PathTemplate template) {
  }

  /** The outcome of matching a request. */
  public sealed interface Match permits Found, WrongMethod, NotFound {
  }

  /** The route serving this request, with its path parameters. */
  public record Found(Entry entry, Map<String, String> params) implements Match {
  }

  /** The path is known but not with this method; {@code allowed} lists the methods it takes. */
  public record WrongMethod(Set<String> allowed) implements Match {
  }

  public record NotFound() implements Match {
  }

  private static final NotFound NOT_FOUND = new NotFound();

  public static final RouteTable EMPTY = new RouteTable(List.of(), Map.of());

  private final List<Entry> entries;
  private final Map<String, List<String>> liveNodes;

  private RouteTable(List<Entry> entries, Map<String, List<String>> liveNodes) {
    this.entries = entries;
    this.liveNodes = liveNodes;
  }

  /**
   * @param routesByService the routes each service declared (remembered after its last node left)
   * @param liveNodes       per service, the own addresses of its live nodes
   */
  public static RouteTable of(Map<String, List<RouteSpec>> routesByService, Map<String, List<String>> liveNodes) {
    List<Entry> entries = new ArrayList<>();
    routesByService.forEach((service, specs) ->
      specs.forEach(spec -> entries.add(new Entry(service, spec, new PathTemplate(spec.path())))));
    entries.sort(Comparator.comparingInt((Entry e) -> e.template().literals()).reversed()
      .thenComparing(e -> e.template().template()));
    return new RouteTable(List.copyOf(entries), Map.copyOf(liveNodes));
  }

  public boolean isLive(String service) {
    return !nodes(service).isEmpty();
  }

  /** The own addresses of the live nodes of {@code service}, in a stable order. */
  public List<String> nodes(String service) {
    return liveNodes.getOrDefault(service, List.of());
  }

  public Match match(String method, String path) {
    String[] parts = PathTemplate.split(path);
    Set<String> allowed = null;
    for (Entry entry : entries) {
      Map<String, String> params = entry.template().match(parts);
      if (params == null) {
        continue;
      }
      if (entry.spec().method().equals(method)) {
        return new Found(entry, params);
      }
      if (allowed == null) {
        allowed = new TreeSet<>();
      }
      allowed.add(entry.spec().method());
    }
    return allowed == null ? NOT_FOUND : new WrongMethod(allowed);
  }
}
