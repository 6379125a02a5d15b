package souk.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import souk.common.config.ConfigLoader;
import souk.common.config.NodeConfig;
import souk.common.node.ClusterJoin;
import souk.common.node.HazelcastConfigs;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static souk.it.OpsFiles.KINDS;
import static souk.it.OpsFiles.ROOT;

/**
 * What can be checked of the Dockerfile, compose.yaml, the Kubernetes manifests and the Prometheus configuration
 * without a Docker engine or a cluster: that they name images, jars, variables, ports and paths the build and the
 * nodes really have. Runs after the jars are packaged.
 */
class DeploymentFilesIT {

  private static final Pattern SOUK_VARIABLE = Pattern.compile("\\bSOUK_[A-Z0-9_]+\\b");
  private static final Set<String> NODE_VARIABLES = OpsFiles.nodeVariables();

  /** One stage of the Dockerfile: its base image, environment, copied files, user and health check. */
  record Stage(String from, Map<String, String> env, List<String> copied, String user, String healthcheck) {
  }

  @Test
  void every_node_kind_has_an_image_of_its_jar_run_unprivileged_with_a_health_check() throws Exception {
    Map<String, Stage> stages = dockerStages();
    Stage base = stages.get("base");
    assertTrue(base.from().matches("eclipse-temurin:17-jre(-[a-z]+)?"), "a maintained JRE 17 base: " + base.from());
    assertTrue(base.user().matches("[1-9][0-9]*:[1-9][0-9]*"), "a numeric non-root user: " + base.user());
    assertTrue(base.healthcheck().contains("/opt/souk/probe.sh") && base.healthcheck().contains("/health"));
    assertTrue(base.copied().contains("ops/docker/probe.sh"));
    assertTrue(Files.isExecutable(ROOT.resolve("ops/docker/probe.sh")));
    String dockerignore = OpsFiles.read(".dockerignore");
    for (String kind : KINDS) {
      Stage stage = stages.get(kind);
      assertNotNull(stage, "a Dockerfile target for " + kind);
      assertEquals("base", stage.from());
      String jar = kind + "-verticle/target/" + kind + "-verticle.jar";
      assertEquals(List.of(jar), stage.copied(), kind + " image holds its fat jar");
      assertTrue(Files.isRegularFile(ROOT.resolve(jar)), jar + " is what the build makes");
      assertTrue(dockerignore.contains("!" + jar), ".dockerignore lets " + jar + " into the build context");
      assertEquals(kind, stage.env().get("NODE_KIND"), "the probe script knows which port to ask");
      String port = kind.equals("gateway") ? stage.env().get("SOUK_HTTP_PORT") : stage.env().get("SOUK_MANAGEMENT_PORT");
      assertEquals(String.valueOf(OpsFiles.probePort(kind)), port, kind + " probes the port the node serves");
      assertKnownVariables("Dockerfile " + kind, stage.env().keySet());
    }
    assertTrue(dockerignore.contains("!ops/docker/probe.sh"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void compose_runs_postgres_and_the_four_nodes_on_a_private_network_with_cluster_tls() {
    Map<String, Object> compose = OpsFiles.yaml("compose.yaml");
    Map<String, Object> services = (Map<String, Object>) compose.get("services");
    Map<String, Object> networks = (Map<String, Object>) compose.get("networks");
    Map<String, Object> secrets = (Map<String, Object>) compose.get("secrets");
    assertEquals(true, ((Map<String, Object>) networks.get("souk")).get("internal"), "the nodes' network is private");
    assertTrue(services.containsKey("postgres"));
    Set<String> dockerTargets = dockerStages().keySet();
    List<String> addresses = new ArrayList<>();
    for (String kind : KINDS) {
      Map<String, Object> service = (Map<String, Object>) services.get(kind);
      assertNotNull(service, "compose service " + kind);
      Map<String, Object> build = (Map<String, Object>) service.get("build");
      assertTrue(dockerTargets.contains((String) build.get("target")), kind + " builds a Dockerfile target");
      Map<String, Object> env = (Map<String, Object>) service.get("environment");
      assertKnownVariables("compose " + kind, env.keySet());
      String address = (String) ((Map<String, Object>) ((Map<String, Object>) service.get("networks")).get("souk"))
        .get("ipv4_address");
      assertEquals(address, env.get("SOUK_CLUSTER_HOST"), kind + " binds the address it has on the network");
      addresses.add(address);
      if (!kind.equals("gateway")) {
        assertEquals(String.valueOf(OpsFiles.probePort(kind)), env.get("SOUK_MANAGEMENT_PORT"));
      }
      List<String> own = (List<String>) service.get("secrets");
      for (String variable : List.of("SOUK_CLUSTER_TLS_CA", "SOUK_CLUSTER_TLS_CERT", "SOUK_CLUSTER_TLS_KEY")) {
        String path = String.valueOf(env.get(variable));
        assertTrue(path.startsWith("/run/secrets/"), variable + " of " + kind + " is a mounted secret: " + path);
        String secret = path.substring("/run/secrets/".length());
        assertTrue(own.contains(secret) && secrets.containsKey(secret), kind + " mounts the secret " + secret);
      }
    }
    List<String> members = NodeConfig.splitList((String) ((Map<String, Object>) ((Map<String, Object>)
      services.get("gateway")).get("environment")).get("SOUK_CLUSTER_MEMBERS"));
    assertEquals(addresses, members, "every node is a member to join");
    List<Object> ports = (List<Object>) ((Map<String, Object>) services.get("gateway")).get("ports");
    assertEquals(List.of(OpsFiles.probePort("gateway") + ":" + OpsFiles.probePort("gateway")), ports);
    for (Object secret : secrets.values()) {
      String file = (String) ((Map<String, Object>) secret).get("file");
      assertTrue(file.matches("\\./var/certs/(ca|(gateway|user|order|payment)(-key)?)\\.pem"),
        "a file scripts/dev-certs.sh makes: " + file);
    }
  }

  @Test
  void kubernetes_manifests_match_the_images_variables_ports_and_probes_of_the_nodes() throws Exception {
    Kube kube = Kube.load();
    Set<String> dockerTargets = dockerStages().keySet();
    Map<String, Object> config = kube.one("ConfigMap", "souk-config").map("data");
    assertKnownVariables("souk-config", config.keySet());
    for (String kind : KINDS) {
      Kube.Node deployment = kube.one("Deployment", "souk-" + kind);
      Kube.Node pod = deployment.at("spec", "template");
      Map<String, Object> podLabels = pod.map("metadata", "labels");
      Kube.Node container = pod.list("spec", "containers").get(0);
      String image = container.string("image");
      assertTrue(image.startsWith("souk/" + kind + ":") && dockerTargets.contains(kind), "image of " + kind);
      Map<String, String> env = new HashMap<>();
      config.forEach((k, v) -> env.put(k, String.valueOf(v)));
      for (Kube.Node variable : container.list("env")) {
        env.put(variable.string("name"), variable.map().containsKey("value") ? variable.string("value") : "from-ref");
      }
      assertKnownVariables("Deployment souk-" + kind, env.keySet());
      int port = OpsFiles.probePort(kind);
      Map<String, Integer> ports = new HashMap<>();
      container.list("ports").forEach(p -> ports.put(p.string("name"), (Integer) p.map().get("containerPort")));
      if (!kind.equals("gateway")) {
        assertEquals(String.valueOf(ports.get("management")), env.get("SOUK_MANAGEMENT_PORT"));
      }
      assertEquals(String.valueOf(port), pod.string("metadata", "annotations", "prometheus.io/port"));
      assertProbe(container.at("livenessProbe"), "/health", ports, port);
      assertProbe(container.at("readinessProbe"), "/ready", ports, port);
      assertProbe(container.at("startupProbe"), "/health", ports, port);
      assertEquals(Integer.valueOf(5701), ports.get("hazelcast"));
      assertNotNull(container.map("resources", "requests").get("cpu"));
      assertNotNull(container.map("resources", "requests").get("memory"));
      assertEquals(true, pod.map("spec", "securityContext").get("runAsNonRoot"));
      assertEquals("status.podIP", container.list("env").stream().filter(v -> v.string("name").equals("SOUK_CLUSTER_HOST"))
        .findFirst().orElseThrow().string("valueFrom", "fieldRef", "fieldPath"), "Hazelcast binds the pod's address");
      Kube.Node budget = kube.one("PodDisruptionBudget", "souk-" + kind);
      assertSelects(budget.map("spec", "selector", "matchLabels"), podLabels, "PodDisruptionBudget souk-" + kind);
      kube.assertSecretsExist(container, pod);
      assertClusterTlsMounted(container, env);
      // the node accepts these settings as they are: converted like its own environment, then joined by DNS lookup
      JsonObject loaded = ConfigLoader.load(env, "souk-defaults.json");
      ClusterJoin join = ClusterJoin.from(loaded);
      assertEquals(ClusterJoin.Mode.KUBERNETES, join.mode());
      var hazelcast = HazelcastConfigs.load(NodeConfig.from("check", loaded.put("clusterHost", "10.0.0.1")), join)
        .getNetworkConfig().getJoin();
      assertTrue(hazelcast.getKubernetesConfig().isEnabled() && !hazelcast.getTcpIpConfig().isEnabled());
    }
    Kube.Node headless = kube.one("Service", "souk-cluster");
    assertEquals("None", headless.string("spec", "clusterIP"));
    assertEquals(true, headless.map("spec").get("publishNotReadyAddresses"), "starting pods find each other");
    assertEquals(config.get("SOUK_CLUSTER_PORT"), String.valueOf(headless.list("spec", "ports").get(0).map().get("port")));
    String namespace = kube.one("Namespace", "souk").string("metadata", "name");
    assertEquals("souk-cluster." + namespace + ".svc.cluster.local", config.get("SOUK_CLUSTER_SERVICE_DNS"));
    for (String kind : KINDS) {
      assertSelects(headless.map("spec", "selector"), kube.one("Deployment", "souk-" + kind)
        .map("spec", "template", "metadata", "labels"), "the headless service");
    }
    Kube.Node gateway = kube.one("Service", "souk-gateway");
    assertSelects(gateway.map("spec", "selector"), kube.one("Deployment", "souk-gateway")
      .map("spec", "template", "metadata", "labels"), "Service souk-gateway");
    assertEquals("http", gateway.list("spec", "ports").get(0).string("targetPort"));
    assertEquals(kube.files(), kube.kustomizationResources(), "kustomization.yaml lists every manifest");
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheus_scrapes_each_node_kind_on_the_port_it_serves_metrics_on() {
    Map<String, Object> prometheus = OpsFiles.yaml("ops/prometheus/prometheus.yml");
    for (Object rules : (List<Object>) prometheus.get("rule_files")) {
      assertTrue(Files.isRegularFile(ROOT.resolve("ops/prometheus").resolve((String) rules)), "rule file " + rules);
    }
    Map<String, String> targets = new LinkedHashMap<>();
    for (Object job : (List<Object>) prometheus.get("scrape_configs")) {
      Map<String, Object> j = (Map<String, Object>) job;
      assertEquals("/metrics", j.get("metrics_path"));
      Map<String, Object> statics = (Map<String, Object>) ((List<Object>) j.get("static_configs")).get(0);
      targets.put((String) j.get("job_name"), (String) ((List<Object>) statics.get("targets")).get(0));
    }
    Map<String, Object> compose = (Map<String, Object>) OpsFiles.yaml("compose.yaml").get("services");
    for (String kind : KINDS) {
      assertEquals(kind + ":" + OpsFiles.probePort(kind), targets.get("souk-" + kind), "scrape target of " + kind);
      assertTrue(compose.containsKey(kind), "a compose service named " + kind);
    }
    assertFalse(OpsFiles.alertExpressions().isEmpty());
    OpsFiles.yaml("ops/prometheus/prometheus-kubernetes.yml");
  }

  @Test
  void the_readme_documents_every_variable_the_nodes_read_and_lists_ops_and_deploy() {
    String readme = OpsFiles.read("README.md");
    Set<String> missing = new TreeSet<>();
    for (String variable : NODE_VARIABLES) {
      if (!readme.contains(variable)) {
        missing.add(variable);
      }
    }
    assertEquals(Set.of(), missing, "variables missing from README.md's configuration table");
    assertTrue(readme.contains("| `ops/` |") && readme.contains("| `deploy/` |"), "the module map lists ops/ and deploy/");
  }

  private static void assertKnownVariables(String where, Set<String> names) {
    Set<String> unknown = new TreeSet<>();
    for (String name : names) {
      if (SOUK_VARIABLE.matcher(name).matches() && !NODE_VARIABLES.contains(name)) {
        unknown.add(name);
      }
    }
    assertEquals(Set.of(), unknown, where + " sets variables no node reads");
  }

  private static void assertProbe(Kube.Node probe, String path, Map<String, Integer> ports, int port) {
    assertEquals(path, probe.string("httpGet", "path"));
    assertEquals(Integer.valueOf(port), ports.get(probe.string("httpGet", "port")), path + " on the node's port");
  }

  private static void assertSelects(Map<String, Object> selector, Map<String, Object> labels, String what) {
    assertFalse(selector.isEmpty(), what + " selects something");
    selector.forEach((k, v) -> assertEquals(v, labels.get(k), what + " selects the pods by " + k));
  }

  private static void assertClusterTlsMounted(Kube.Node container, Map<String, String> env) {
    String dir = container.list("volumeMounts").stream().filter(m -> m.string("name").equals("cluster-tls"))
      .findFirst().orElseThrow().string("mountPath");
    assertEquals(dir + "/ca.crt", env.get("SOUK_CLUSTER_TLS_CA"));
    assertEquals(dir + "/tls.crt", env.get("SOUK_CLUSTER_TLS_CERT"));
    assertEquals(dir + "/tls.key", env.get("SOUK_CLUSTER_TLS_KEY"));
  }

  private static Map<String, Stage> dockerStages() {
    Map<String, Stage> stages = new LinkedHashMap<>();
    String name = null;
    String from = null;
    Map<String, String> env = null;
    List<String> copied = null;
    String[] user = {null};
    String[] healthcheck = {null};
    for (String line : OpsFiles.read("Dockerfile").replace("\\\n", " ").split("\n")) {
      String[] words = line.trim().split("\\s+");
      switch (words[0]) {
        case "FROM" -> {
          if (name != null) {
            stages.put(name, new Stage(from, env, copied, user[0], healthcheck[0]));
          }
          from = words[1];
          name = words.length > 3 ? words[3] : words[1];
          env = new LinkedHashMap<>();
          copied = new ArrayList<>();
          Stage parent = stages.get(from);
          user[0] = parent == null ? null : parent.user();
          healthcheck[0] = parent == null ? null : parent.healthcheck();
        }
        case "ENV" -> {
          Matcher pair = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\\S+)").matcher(line);
          while (pair.find()) {
            env.put(pair.group(1), pair.group(2));
          }
        }
        case "COPY" -> copied.addAll(List.of(words).subList(1, words.length - 1).stream()
          .filter(w -> !w.startsWith("--")).toList());
        case "USER" -> user[0] = words[1];
        case "HEALTHCHECK" -> healthcheck[0] = line;
        default -> {
        }
      }
    }
    stages.put(name, new Stage(from, env, copied, user[0], healthcheck[0]));
    return stages;
  }
}
