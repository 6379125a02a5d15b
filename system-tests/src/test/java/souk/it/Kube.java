package souk.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifests of deploy/kubernetes/, parsed, with a few ways to walk them. */
final class Kube {

  private static final String DIR = "deploy/kubernetes";
  private static final String SECRETS = "secrets.example.yaml";

  private final List<Node> objects;
  private final List<Node> secrets;

  private Kube(List<Node> objects, List<Node> secrets) {
    this.objects = objects;
    this.secrets = secrets;
  }

  static Kube load() {
    List<Node> objects = new ArrayList<>();
    for (String file : manifestFiles()) {
      OpsFiles.yamlDocuments(DIR + "/" + file).forEach(doc -> objects.add(new Node(doc, file)));
    }
    List<Node> secrets = OpsFiles.yamlDocuments(DIR + "/" + SECRETS).stream().map(doc -> new Node(doc, SECRETS))
      .toList();
    return new Kube(objects, secrets);
  }

  /** The manifests kubectl applies: every YAML file but the kustomization and the secrets' example. */
  private static Set<String> manifestFiles() {
    try (Stream<Path> files = Files.list(OpsFiles.ROOT.resolve(DIR))) {
      Set<String> names = new TreeSet<>();
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
        .filter(n -> !n.equals("kustomization.yaml") && !n.equals(SECRETS)).forEach(names::add);
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Set<String> files() {
    return manifestFiles();
  }

  @SuppressWarnings("unchecked")
  Set<String> kustomizationResources() {
    return new TreeSet<>((List<String>) OpsFiles.yaml(DIR + "/kustomization.yaml").get("resources"));
  }

  Node one(String kind, String name) {
    List<Node> found = objects.stream().filter(o -> kind.equals(o.string("kind")))
      .filter(o -> name.equals(o.string("metadata", "name"))).toList();
    assertEquals(1, found.size(), "one " + kind + " named " + name);
    return found.get(0);
  }

  /** Every secret the container's environment and the pod's volumes name exists, with the keys they read. */
  void assertSecretsExist(Node container, Node pod) {
    for (Node variable : container.list("env")) {
      if (variable.map().containsKey("valueFrom") && variable.map("valueFrom").containsKey("secretKeyRef")) {
        assertSecretKey(variable.string("valueFrom", "secretKeyRef", "name"),
          variable.string("valueFrom", "secretKeyRef", "key"));
      }
    }
    for (Node volume : pod.list("spec", "volumes")) {
      if (volume.map().containsKey("secret")) {
        secret(volume.string("secret", "secretName"));
      }
    }
  }

  private void assertSecretKey(String name, String key) {
    assertTrue(secret(name).map("stringData").containsKey(key), "secret " + name + " has the key " + key);
  }

  private Node secret(String name) {
    return secrets.stream().filter(s -> name.equals(s.string("metadata", "name"))).findFirst()
      .orElseThrow(() -> new AssertionError("secret " + name + " is not described in " + SECRETS));
  }

  /** A piece of a manifest: a map, walked by key. */
  record Node(Object value, String file) {

    Node at(String... path) {
      Object current = value;
      for (String key : path) {
        assertTrue(current instanceof Map, file + ": no map at " + key);
        current = ((Map<?, ?>) current).get(key);
        assertNotNull(current, file + ": missing " + String.join(".", path));
      }
      return new Node(current, file);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(String... path) {
      return (Map<String, Object>) at(path).value();
    }

    String string(String... path) {
      return String.valueOf(at(path).value());
    }

    List<Node> list(String... path) {
      return ((List<?>) at(path).value()).stream().map(v -> new Node(v, file)).toList();
    }
  }
}
