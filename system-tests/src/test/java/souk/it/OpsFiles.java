package souk.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import souk.common.config.ConfigLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository's deployment and monitoring files (Dockerfile, compose.yaml, deploy/kubernetes/, ops/) as data, and
 * what the nodes actually read and serve, for the tests that hold the one to the other.
 */
final class OpsFiles {

  static final List<String> KINDS = List.of("gateway", "user", "order", "payment");
  static final Path ROOT = Path.of(System.getProperty("souk.root", "..")).toAbsolutePath().normalize();
  private static final Pattern METRIC = Pattern.compile("\\b(?:souk|vertx|jvm|process|system)_[a-z0-9_]+\\b");
  private static final Pattern LOGBACK_VARIABLE = Pattern.compile("\\$\\{(SOUK_[A-Z0-9_]+)");

  private OpsFiles() {
  }

  static String read(String path) {
    try {
      return Files.readString(ROOT.resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every document of a YAML file, as maps and lists. */
  static List<Object> yamlDocuments(String path) {
    List<Object> documents = new ArrayList<>();
    new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(read(path)).forEach(documents::add);
    return documents;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(String path) {
    return (Map<String, Object>) yamlDocuments(path).get(0);
  }

  /** A node kind's configuration defaults: {@code souk-defaults.json} with the module's own file merged over it. */
  static JsonObject defaults(String kind) {
    return new JsonObject(read("common/src/main/resources/souk-defaults.json"))
      .mergeIn(new JsonObject(read(kind + "-verticle/src/main/resources/" + kind + "-node.json")));
  }

  /**
   * Every {@code SOUK_*} variable a node reads: one per configuration key of any kind ({@link ConfigLoader}), and
   * those logback.xml reads.
   */
  static Set<String> nodeVariables() {
    Set<String> names = new TreeSet<>();
    for (String kind : KINDS) {
      defaults(kind).fieldNames().forEach(key -> names.add(ConfigLoader.variableName(key)));
    }
    Matcher logback = LOGBACK_VARIABLE.matcher(read("common/src/main/resources/logback.xml"));
    while (logback.find()) {
      names.add(logback.group(1));
    }
    return names;
  }

  /** The port a node of {@code kind} serves /health, /ready and /metrics on by default. */
  static int probePort(String kind) {
    return kind.equals("gateway") ? defaults(kind).getInteger("httpPort") : defaults(kind).getInteger("managementPort");
  }

  /** The metric names a PromQL expression uses (Souk's, Vert.x's, the JVM's and the process's). */
  static Set<String> metricNames(String expression) {
    Set<String> names = new TreeSet<>();
    Matcher metric = METRIC.matcher(expression);
    while (metric.find()) {
      names.add(metric.group());
    }
    return names;
  }

  /** Every PromQL expression of the Grafana dashboard: its panels' targets and its template queries. */
  static List<String> dashboardExpressions() {
    JsonObject dashboard = new JsonObject(read("ops/grafana/souk.json"));
    List<String> expressions = new ArrayList<>();
    for (Object panel : dashboard.getJsonArray("panels")) {
      for (Object target : ((JsonObject) panel).getJsonArray("targets", new JsonArray())) {
        expressions.add(((JsonObject) target).getString("expr"));
      }
    }
    for (Object variable : dashboard.getJsonObject("templating").getJsonArray("list")) {
      Object query = ((JsonObject) variable).getValue("query");
      if (query instanceof JsonObject q) {
        expressions.add(q.getString("query"));
      }
    }
    return expressions;
  }

  /** Every alert rule's expression in ops/prometheus/souk-alerts.yml, by alert name. */
  @SuppressWarnings("unchecked")
  static Map<String, String> alertExpressions() {
    Map<String, String> rules = new java.util.LinkedHashMap<>();
    for (Object group : (List<Object>) yaml("ops/prometheus/souk-alerts.yml").get("groups")) {
      for (Object rule : (List<Object>) ((Map<String, Object>) group).get("rules")) {
        Map<String, Object> r = (Map<String, Object>) rule;
        rules.put((String) r.get("alert"), (String) r.get("expr"));
      }
    }
    return rules;
  }
}
