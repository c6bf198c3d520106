package dev.jitaccess.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/** Reads attribute and claim conditions: a scalar shorthand or a mapping of operators. */
final class ConditionReader {
  private static final Set<String> OPERATORS =
      Set.of("equals", "glob", "lt", "le", "gt", "ge", "eq", "is", "cidr", "present");
  private static final Set<String> NUMERIC = Set.of("lt", "le", "gt", "ge", "eq");

  private final ValueReader v;
  private final YamlTree y;

  ConditionReader(ValueReader v) {
    this.v = v;
    this.y = v.y;
  }

  /** A mapping of attribute name to condition, each given to {@code sink}. */
  void conditions(Node node, String what, Consumer<AttributeCondition> sink) {
    Map<String, YamlTree.Entry> m = y.mapping(node, what, null);
    if (m == null) {
      return;
    }
    if (m.isEmpty()) {
      y.error(node, what + ": expected at least one condition");
    }
    m.forEach((name, e) -> {
      List<AttributeCondition> cs = condition(name, e.value(), what + " '" + name + "'", false);
      if (cs != null) {
        cs.forEach(sink);
      }
    });
  }

  /**
   * One attribute's condition: a scalar shorthand ({@code main} equals, {@code true} is, {@code 3} eq)
   * or a mapping of operators, all of which must hold; {@code numericOnly} allows only comparisons.
   */
  @Nullable List<AttributeCondition> condition(String name, Node node, String what, boolean numericOnly) {
    if (node instanceof ScalarNode && !numericOnly) {
      AttributeCondition c = shorthand(name, node, what);
      return c == null ? null : List.of(c);
    }
    Set<String> allowed = numericOnly ? NUMERIC : OPERATORS;
    Map<String, YamlTree.Entry> ops = y.mapping(node, what, allowed);
    if (ops == null) {
      return null;
    }
    if (ops.isEmpty()) {
      y.error(node, what + ": expected at least one operator of " + new TreeSet<>(allowed));
      return null;
    }
    List<AttributeCondition> out = new ArrayList<>();
    boolean ok = true;
    for (Map.Entry<String, YamlTree.Entry> e : ops.entrySet()) {
      Node value = e.getValue().value();
      String w = what + ": " + e.getKey();
      AttributeCondition c = null;
      try {
        c = operator(name, e.getKey(), value, w);
      } catch (IllegalArgumentException ex) {
        y.error(value, w + ": " + ex.getMessage());
      }
      if (c == null) {
        ok = false;
      } else {
        out.add(c);
      }
    }
    return ok ? out : null;
  }

  /** A scalar: a boolean means {@code is}, a number {@code eq}, anything else {@code equals}. */
  private @Nullable AttributeCondition shorthand(String name, Node node, String what) {
    Tag t = node.getTag();
    if (Tag.BOOL.equals(t)) {
      Boolean b = y.bool(node, what);
      return b == null ? null : AttributeCondition.is(name, b);
    }
    if (Tag.INT.equals(t) || Tag.FLOAT.equals(t)) {
      Double d = y.number(node, what);
      return d == null ? null : AttributeCondition.compare(name, AttributeCondition.Operator.EQ, d);
    }
    String s = y.string(node, what);
    return s == null ? null : AttributeCondition.equalTo(name, s);
  }

  /** One operator's condition, or null after recording; throws IllegalArgumentException for a bad value. */
  private @Nullable AttributeCondition operator(String name, String op, Node value, String w) {
    switch (op) {
      case "equals" -> {
        String s = y.string(value, w);
        return s == null ? null : AttributeCondition.equalTo(name, s);
      }
      case "glob" -> {
        String s = y.string(value, w);
        if (s == null) {
          return null;
        }
        v.glob(w).check(s, value);
        return AttributeCondition.glob(name, s);
      }
      case "is" -> {
        Boolean s = y.bool(value, w);
        return s == null ? null : AttributeCondition.is(name, s);
      }
      case "present" -> {
        Boolean s = y.bool(value, w);
        return s == null ? null : s ? AttributeCondition.present(name) : AttributeCondition.absent(name);
      }
      case "cidr" -> {
        return cidr(name, value, w);
      }
      default -> {
        Double d = y.number(value, w);
        return d == null ? null : AttributeCondition.compare(name,
            AttributeCondition.Operator.valueOf(op.toUpperCase(Locale.ROOT)), d);
      }
    }
  }

  private @Nullable AttributeCondition cidr(String name, Node value, String w) {
    List<String> s = y.strings(value, w);
    if (s == null) {
      return null;
    }
    List<String> bad = new ArrayList<>();
    for (String block : s) {
      try {
        Cidr.parse(block);
      } catch (IllegalArgumentException ex) {
        bad.add(ex.getMessage());
      }
    }
    if (!bad.isEmpty()) {
      y.error(value, w + ": bad CIDR: " + String.join("; ", bad) + "; expected blocks such as 10.0.0.0/8 or 2001:db8::/32");
      return null;
    }
    return AttributeCondition.cidr(name, s.toArray(new String[0]));
  }
}
