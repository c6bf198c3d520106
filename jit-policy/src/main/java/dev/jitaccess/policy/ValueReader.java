package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the section readers of one policy document share: the node tree with its diagnostics, the
 * document's schema version, the named time windows, and the checks that turn a builder's refusal into an
 * error at the node. Every message is prefixed by a {@code where} that names the place, {@code rule 'id'}
 * inside a rule.
 */
final class ValueReader {
  private static final Logger LOG = LoggerFactory.getLogger(YamlPolicyReader.class);

  final YamlTree y;
  /** The time windows defined under {@code timeWindows}, by name. */
  final Map<String, TimeWindow> windows = new HashMap<>();
  /** The document's schema version; 1 until read (version 2 confirms the one-glob meaning). */
  int version = 1;

  ValueReader(YamlTree y) {
    this.y = y;
  }

  /** Checks one value at its node; throws IllegalArgumentException naming the problem. */
  interface ItemCheck {
    void check(String value, Node node);
  }

  /** Runs a builder call, turning its IllegalArgumentException into an error at the node, after {@code where}. */
  boolean apply(Node node, String where, Runnable call) {
    try {
      call.run();
      return true;
    } catch (IllegalArgumentException | IllegalStateException e) {
      y.error(node, where + ": " + Objects.requireNonNullElse(e.getMessage(), e.toString()));
      return false;
    }
  }

  /** A string for {@code setter}; errors read {@code where: field: problem}. */
  void str(Node n, String where, String field, Consumer<String> setter) {
    String s = y.string(n, where + ": " + field);
    if (s != null) {
      apply(n, where, () -> setter.accept(s));
    }
  }

  /** One string or a list for {@code setter}, each checked at its own position by {@code check}. */
  void strs(Node n, String where, String field, @Nullable ItemCheck check, Consumer<String[]> setter) {
    String what = where + ": " + field;
    List<String> s = y.strings(n, what);
    if (s == null) {
      return;
    }
    if (check != null) {
      List<Node> items = n instanceof ScalarNode ? List.of(n) : y.sequence(n, what);
      boolean ok = true;
      for (int i = 0; i < s.size(); i++) {
        Node at = items != null ? items.get(i) : n;
        try {
          check.check(s.get(i), at);
        } catch (IllegalArgumentException e) {
          y.error(at, what + ": " + e.getMessage());
          ok = false;
        }
      }
      if (!ok) {
        return;
      }
    }
    apply(n, where, () -> setter.accept(s.toArray(new String[0])));
  }

  /**
   * The string under a required key, or null after recording that it is missing ({@code where: missing
   * key 'key'} followed by {@code expected}) or not a string.
   */
  @Nullable String required(Map<String, YamlTree.Entry> m, Node node, String where, String key, String expected) {
    YamlTree.Entry e = m.get(key);
    if (e == null) {
      y.error(node, where + ": missing key '" + key + "'" + expected);
      return null;
    }
    return y.string(e.value(), where + ": " + key);
  }

  /** The boolean under an optional key for {@code setter}, if present and a boolean. */
  void flag(Map<String, YamlTree.Entry> m, String key, String where, Consumer<Boolean> setter) {
    YamlTree.Entry e = m.get(key);
    Boolean b = e == null ? null : y.bool(e.value(), where + ": " + key);
    if (b != null) {
      setter.accept(b);
    }
  }

  /** A SPIFFE ID pattern, or a glob on the whole id. */
  ItemCheck identityPattern(String what) {
    return (p, node) -> {
      if (SpiffePattern.looksLikeSpiffe(p)) {
        RuleArguments.checkSpiffePattern(p);
      } else {
        glob(what).check(p, node);
      }
    };
  }

  /**
   * A glob of the project's one glob syntax; in a version 1 document, a pattern whose meaning changed
   * when {@code *} stopped crossing {@code /} gets a warning (also logged at WARN) naming the rule.
   */
  ItemCheck glob(String what) {
    return (p, node) -> {
      Glob.compile(p); // throws IllegalArgumentException for a lone trailing backslash
      String change = GlobMigration.change(p);
      if (change != null && version < 2) {
        int before = y.warnings.size();
        y.warning(node, what + ": '" + p + "': " + change);
        LOG.warn("{}", y.warnings.get(before));
      }
    };
  }
}
