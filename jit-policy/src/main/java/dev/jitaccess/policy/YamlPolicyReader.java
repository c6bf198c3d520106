package dev.jitaccess.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a YAML policy document into a {@link Policy}, reporting every problem with its position: the
 * top-level keys and named time windows here, each rule through {@link RuleReader}.
 */
final class YamlPolicyReader {
  private static final Set<String> TOP = Set.of("version", "name", "maxTtl", "timeWindows", "rules");

  private final YamlTree y;
  private final ValueReader v;

  private YamlPolicyReader(String source) {
    this.y = new YamlTree(source);
    this.v = new ValueReader(y);
  }

  static LoadResult load(Path file) {
    YamlPolicyReader r = new YamlPolicyReader(String.valueOf(file.getFileName()));
    String text = r.y.read(file);
    return text == null ? r.invalid() : r.read(text);
  }

  /** Reads a document already read from a file (at most {@link YamlTree#MAX_BYTES} + 1 bytes). */
  static LoadResult load(String source, byte[] bytes) {
    YamlPolicyReader r = new YamlPolicyReader(source);
    String text = r.y.decode(bytes);
    return text == null ? r.invalid() : r.read(text);
  }

  /** The result for a file that could not be read. */
  static LoadResult unreadable(String source, java.io.IOException e) {
    YamlPolicyReader r = new YamlPolicyReader(source);
    r.y.unreadable(e);
    return r.invalid();
  }

  static LoadResult parse(String source, String text) {
    return new YamlPolicyReader(source).read(text);
  }

  private LoadResult invalid() {
    List<Diagnostic> errors = new ArrayList<>(y.errors);
    errors.sort(java.util.Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column));
    return new LoadResult.Invalid(errors, y.warnings);
  }

  private LoadResult read(String text) {
    Node root = y.compose(text);
    if (root == null) {
      return invalid();
    }
    Map<String, YamlTree.Entry> top = y.mapping(root, "policy", TOP);
    if (top == null) {
      return invalid();
    }
    Policy.Builder pb = Policy.builder();
    YamlTree.Entry version = top.get("version");
    if (version == null) {
      y.error(root, "policy: missing key 'version', expected version: 1");
    } else {
      Integer n = y.integer(version.value(), "version", 1, 2);
      if (n != null) {
        v.version = n;
      }
    }
    if (top.containsKey("name")) {
      String n = y.string(top.get("name").value(), "name");
      if (n != null) {
        v.apply(top.get("name").value(), "policy", () -> pb.name(n));
      }
    }
    Duration ceiling = null;
    if (!top.containsKey("maxTtl")) {
      y.error(root, "policy: missing key 'maxTtl', expected the TTL ceiling such as maxTtl: 1h");
    } else {
      Node n = top.get("maxTtl").value();
      Duration d = y.duration(n, "maxTtl");
      if (d != null) {
        ceiling = d;
        v.apply(n, "policy", () -> pb.maxTtl(d));
      }
    }
    if (top.containsKey("timeWindows")) {
      new TimeWindowReader(v).named(top.get("timeWindows").value());
    }
    Map<String, int[]> positions = new HashMap<>();
    if (!top.containsKey("rules")) {
      y.error(root, "policy: missing key 'rules', expected a list of rules");
    } else {
      Node rulesNode = top.get("rules").value();
      List<Node> items = y.sequence(rulesNode, "rules");
      if (items != null) {
        if (items.isEmpty()) {
          y.warning(rulesNode, "the policy has no rules: every request is denied");
        }
        RuleReader rules = new RuleReader(v);
        for (int i = 0; i < items.size(); i++) {
          Node item = items.get(i);
          Rule rule = rules.read(item, i, ceiling);
          if (rule != null) {
            positions.put(rule.id, YamlTree.position(item));
            pb.rule(rule);
          }
        }
      }
    }
    if (!y.errors.isEmpty()) {
      return invalid();
    }
    try {
      Policy p = pb.build(positions, y.source);
      List<Diagnostic> warnings = new ArrayList<>(y.warnings);
      warnings.addAll(p.warnings());
      warnings.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line()) : a.message().compareTo(b.message()));
      return new LoadResult.Loaded(p, warnings);
    } catch (RuntimeException e) {
      y.error(root, "policy: " + e.getMessage());
      return invalid();
    }
  }
}
