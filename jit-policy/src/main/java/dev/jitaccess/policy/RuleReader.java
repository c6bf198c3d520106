package dev.jitaccess.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads one rule: id, owner, effect and flags here, {@code match} through {@link MatchReader}, then the
 * approval and grant blocks. Every diagnostic starts with {@code rule 'id':} (or {@code rule #n:} when the
 * rule has no valid id), and a rule's errors are all reported: an unknown or missing effect does not hide
 * the errors of the rule's other keys.
 */
final class RuleReader {
  private static final Set<String> RULE =
      Set.of("id", "owner", "description", "effect", "overridable", "shadow", "match", "approval", "grant");
  private static final Set<String> APPROVAL = Set.of("group", "approvals", "timeout");
  private static final List<String> EFFECTS = List.of("deny", "allow", "require-approval");
  /** Stands in for a missing or bad id, so that the rest of the rule is still checked (the rule is refused). */
  private static final String NO_ID = "rule-without-a-valid-id";

  private final ValueReader v;
  private final YamlTree y;
  private final MatchReader match;
  private final GrantReader grant;
  /** The node of each rule id read so far, for duplicate ids. */
  private final Map<String, Node> idNodes = new java.util.HashMap<>();

  RuleReader(ValueReader v) {
    this.v = v;
    this.y = v.y;
    this.match = new MatchReader(v);
    this.grant = new GrantReader(v);
  }

  /** How diagnostics name a rule: {@code rule 'id'}, or {@code rule #n} (1-based) without a valid id. */
  static String label(Node node, int index) {
    if (node instanceof MappingNode mapping) {
      for (NodeTuple t : mapping.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && "id".equals(k.getValue())
            && t.getValueNode() instanceof ScalarNode id && Tag.STR.equals(id.getTag()) && RuleArguments.isValidId(id.getValue())) {
          return "rule '" + id.getValue() + "'";
        }
      }
    }
    return "rule #" + (index + 1);
  }

  /** The rule, or null after recording every error it has. */
  @Nullable Rule read(Node node, int index, @Nullable Duration ceiling) {
    String where = label(node, index);
    Map<String, YamlTree.Entry> m = y.mapping(node, where, RULE);
    if (m == null) {
      return null;
    }
    int before = y.errors.size();
    Rule.Builder b = Rule.builder(id(m, node, where));
    if (!m.containsKey("owner")) {
      y.error(node, where + ": missing key 'owner', expected the team or person responsible for the rule");
    } else {
      v.str(m.get("owner").value(), where, "owner", b::owner);
    }
    if (m.containsKey("description")) {
      v.str(m.get("description").value(), where, "description", b::description);
    }
    Node en = m.containsKey("effect") ? m.get("effect").value() : node; // the effect's node once it is known
    Rule.Effect effect = effect(m, node, where);
    if (effect == Rule.Effect.DENY) {
      b.deny();
    } else if (effect == Rule.Effect.ALLOW) {
      b.allow();
    }
    flags(m, b, where, effect);
    if (m.containsKey("match")) {
      match.read(m.get("match").value(), b, where);
    }
    if (m.containsKey("approval")) {
      if (effect != null && effect != Rule.Effect.REQUIRE_APPROVAL) {
        y.error(m.get("approval").key(), where + ": 'approval' is only for effect require-approval");
      } else {
        approval(m.get("approval").value(), b, where); // with an unknown effect, still checked
      }
    } else if (effect == Rule.Effect.REQUIRE_APPROVAL) {
      y.error(en, where + ": effect require-approval needs an 'approval' block (group, approvals, timeout)");
    }
    if (m.containsKey("grant")) {
      if (effect == Rule.Effect.DENY) {
        y.error(m.get("grant").key(), where + ": a deny rule grants nothing: remove 'grant'");
      } else {
        grant.read(m.get("grant").value(), b, where, ceiling); // with an unknown effect, still checked
      }
    }
    if (y.errors.size() > before) {
      return null;
    }
    List<String> problems = b.problems();
    for (String p : problems) {
      y.error(node, where + ": " + p);
    }
    return problems.isEmpty() ? b.build() : null;
  }

  /** The rule's id, or a stand-in after recording why it has none (the rule is then refused). */
  private String id(Map<String, YamlTree.Entry> m, Node node, String where) {
    String id = v.required(m, node, where, "id", "");
    YamlTree.Entry entry = m.get("id");
    if (id == null || entry == null) {
      return NO_ID;
    }
    Node idNode = entry.value();
    if (!v.apply(idNode, where, () -> RuleArguments.checkId(id))) {
      return NO_ID;
    }
    Node first = idNodes.putIfAbsent(id, idNode);
    if (first != null) {
      y.error(idNode, where + ": duplicate rule id '" + id + "' (first defined at line " + YamlTree.position(first)[0] + ")");
    }
    return id;
  }

  /** The effect, or null after recording that it is missing or unknown. */
  private Rule.@Nullable Effect effect(Map<String, YamlTree.Entry> m, Node node, String where) {
    String e = v.required(m, node, where, "effect", ", expected deny, allow or require-approval");
    YamlTree.Entry entry = m.get("effect");
    if (e == null || entry == null) {
      return null;
    }
    for (Rule.Effect x : Rule.Effect.values()) {
      if (x.yamlName().equals(e)) {
        return x;
      }
    }
    y.error(entry.value(), where + ": effect '" + e + "' is unknown" + Suggestions.didYouMean(e, EFFECTS)
        + ", expected deny, allow or require-approval");
    return null;
  }

  private void flags(Map<String, YamlTree.Entry> m, Rule.Builder b, String where, Rule.@Nullable Effect effect) {
    if (m.containsKey("overridable")) {
      Boolean o = y.bool(m.get("overridable").value(), where + ": overridable");
      if (o != null && o && effect == Rule.Effect.ALLOW) {
        y.error(m.get("overridable").key(), where + ": only deny and require-approval rules can be overridable");
      } else if (o != null) {
        b.overridable(o);
      }
    }
    v.flag(m, "shadow", where, b::shadow);
  }

  private void approval(Node node, Rule.Builder b, String where) {
    Map<String, YamlTree.Entry> m = y.mapping(node, where + ": approval", APPROVAL);
    if (m == null) {
      return;
    }
    for (String k : List.of("group", "approvals", "timeout")) {
      if (!m.containsKey(k)) {
        y.error(node, where + ": approval: missing key '" + k + "'");
      }
    }
    String group = m.containsKey("group") ? y.string(m.get("group").value(), where + ": approval group") : null;
    Integer n = m.containsKey("approvals") ? y.integer(m.get("approvals").value(), where + ": approvals", 1, 100) : null;
    Duration timeout = m.containsKey("timeout") ? y.duration(m.get("timeout").value(), where + ": approval timeout") : null;
    if (group != null && n != null && timeout != null) {
      int count = n;
      v.apply(node, where, () -> b.requireApproval(group, count, timeout));
    }
  }
}
