package dev.jitaccess.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import dev.jitaccess.internal.Glob;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a YAML policy document into a {@link Policy}, reporting every problem with its position. */
final class YamlPolicyReader {
  private static final Set<String> TOP = Set.of("version", "name", "maxTtl", "timeWindows", "rules");
  private static final Set<String> RULE =
      Set.of("id", "owner", "description", "effect", "overridable", "shadow", "match", "approval", "grant");
  private static final Set<String> MATCH = Set.of("identity", "purpose", "task", "resource", "actions",
      "environment", "time", "attributes", "risk");
  private static final Set<String> IDENTITY = Set.of("id", "trustDomain", "issuer", "claims");
  private static final Set<String> TIME = Set.of("within", "outside", "from", "until");
  private static final Set<String> WINDOW = Set.of("zone", "days", "hours");
  private static final Set<String> APPROVAL = Set.of("group", "approvals", "timeout");
  private static final Set<String> GRANT =
      Set.of("maxTtl", "idleTimeout", "singleUse", "renewable", "actions", "maxDelegationDepth", "sharedTask",
          "capAtCredentialExpiry");
  private static final Set<String> OPERATORS =
      Set.of("equals", "glob", "lt", "le", "gt", "ge", "eq", "is", "cidr", "present");
  private static final Set<String> NUMERIC = Set.of("lt", "le", "gt", "ge", "eq");

  private static final Logger LOG = LoggerFactory.getLogger(YamlPolicyReader.class);

  private final YamlTree y;
  private final Map<String, TimeWindow> windows = new HashMap<>();
  /** The document's schema version; 1 until read (version 2 confirms the one-glob meaning). */
  private int version = 1;

  private YamlPolicyReader(String source) {
    this.y = new YamlTree(source);
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
      Integer v = y.integer(version.value(), "version", 1, 2);
      if (v != null) {
        this.version = v;
      }
    }
    if (top.containsKey("name")) {
      String n = y.string(top.get("name").value(), "name");
      if (n != null) {
        apply(top.get("name").value(), () -> pb.name(n));
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
        apply(n, () -> pb.maxTtl(d));
      }
    }
    if (top.containsKey("timeWindows")) {
      Map<String, YamlTree.Entry> ws = y.mapping(top.get("timeWindows").value(), "timeWindows", null);
      if (ws != null) {
        ws.forEach((name, e) -> {
          TimeWindow w = window(name, e.value());
          if (w != null) {
            windows.put(name, w);
          }
        });
      }
    }
    Map<String, int[]> positions = new HashMap<>();
    Map<String, Node> idNodes = new HashMap<>();
    if (!top.containsKey("rules")) {
      y.error(root, "policy: missing key 'rules', expected a list of rules");
    } else {
      Node rulesNode = top.get("rules").value();
      List<Node> items = y.sequence(rulesNode, "rules");
      if (items != null) {
        if (items.isEmpty()) {
          y.warning(rulesNode, "the policy has no rules: every request is denied");
        }
        for (Node item : items) {
          Rule rule = rule(item, ceiling, idNodes);
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

  /** Runs a builder call, turning its IllegalArgumentException into an error at the node. */
  private boolean apply(Node node, Runnable call) {
    try {
      call.run();
      return true;
    } catch (IllegalArgumentException | IllegalStateException e) {
      y.error(node, Objects.requireNonNullElse(e.getMessage(), e.toString()));
      return false;
    }
  }

  private @Nullable TimeWindow window(String name, Node node) {
    Map<String, YamlTree.Entry> m = y.mapping(node, "time window" + (name.isEmpty() ? "" : " '" + name + "'"), WINDOW);
    if (m == null) {
      return null;
    }
    boolean ok = true;
    if (!m.containsKey("zone")) {
      y.error(node, "time window: missing key 'zone', expected a time zone such as Europe/Berlin");
      ok = false;
    }
    if (!m.containsKey("days")) {
      y.error(node, "time window: missing key 'days', expected days such as MON-FRI");
      ok = false;
    }
    java.time.ZoneId zone = null;
    if (m.containsKey("zone")) {
      Node zn = m.get("zone").value();
      String z = y.string(zn, "zone");
      if (z != null) {
        try {
          zone = TimeWindow.zone(z);
        } catch (IllegalArgumentException e) {
          y.error(zn, "zone: " + e.getMessage());
        }
      }
      ok &= zone != null;
    }
    Set<java.time.DayOfWeek> days = null;
    if (m.containsKey("days")) {
      Node dn = m.get("days").value();
      List<String> ds = y.strings(dn, "days");
      if (ds != null) {
        try {
          days = TimeWindow.days(String.join(",", ds));
        } catch (IllegalArgumentException e) {
          y.error(dn, "days: " + e.getMessage());
        }
      }
      ok &= days != null;
    }
    java.time.LocalTime[] hours = {java.time.LocalTime.MIDNIGHT, java.time.LocalTime.MIDNIGHT};
    if (m.containsKey("hours")) {
      Node hn = m.get("hours").value();
      String h = y.string(hn, "hours");
      hours = null;
      if (h != null) {
        try {
          hours = TimeWindow.hours(h);
        } catch (IllegalArgumentException e) {
          y.error(hn, "hours: " + e.getMessage());
        }
      }
      ok &= hours != null;
    }
    if (!ok || zone == null || days == null || hours == null) { // ok is false when one of them is null
      return null;
    }
    try {
      return new TimeWindow(name, zone, days, hours[0], hours[1]);
    } catch (IllegalArgumentException e) {
      y.error(node, "time window: " + e.getMessage());
      return null;
    }
  }

  private @Nullable Rule rule(Node node, @Nullable Duration ceiling, Map<String, Node> idNodes) {
    Map<String, YamlTree.Entry> m = y.mapping(node, "rule", RULE);
    if (m == null) {
      return null;
    }
    int before = y.errors.size();
    if (!m.containsKey("id")) {
      y.error(node, "rule: missing key 'id'");
      return null;
    }
    Node idNode = m.get("id").value();
    String id = y.string(idNode, "id");
    if (id == null) {
      return null;
    }
    Rule.Builder b;
    try {
      b = Rule.builder(id);
    } catch (IllegalArgumentException e) {
      y.error(idNode, Objects.requireNonNullElse(e.getMessage(), e.toString()));
      return null;
    }
    String where = "rule " + id;
    Node first = idNodes.putIfAbsent(id, idNode);
    if (first != null) {
      y.error(idNode, "duplicate rule id '" + id + "' (first defined at line " + YamlTree.position(first)[0] + ")");
    }
    if (!m.containsKey("owner")) {
      y.error(node, where + ": missing key 'owner', expected the team or person responsible for the rule");
    } else {
      str(m.get("owner").value(), where + ": owner", b::owner);
    }
    if (m.containsKey("description")) {
      Node dn = m.get("description").value();
      String d = y.string(dn, where + ": description");
      if (d != null) {
        apply(dn, () -> b.description(d));
      }
    }
    Rule.Effect effect = null;
    Node en = node; // the effect's node once it is known
    if (!m.containsKey("effect")) {
      y.error(node, where + ": missing key 'effect', expected deny, allow or require-approval");
    } else {
      en = m.get("effect").value();
      String e = y.string(en, where + ": effect");
      if (e != null) {
        for (Rule.Effect x : Rule.Effect.values()) {
          if (x.yamlName().equals(e)) {
            effect = x;
          }
        }
        if (effect == null) {
          y.error(en, where + ": effect '" + e + "' is unknown, expected deny, allow or require-approval");
        }
      }
    }
    if (effect == Rule.Effect.DENY) {
      b.deny();
    } else if (effect == Rule.Effect.ALLOW) {
      b.allow();
    }
    if (m.containsKey("overridable")) {
      Node on = m.get("overridable").value();
      Boolean v = y.bool(on, where + ": overridable");
      if (v != null) {
        if (v && effect == Rule.Effect.ALLOW) {
          y.error(m.get("overridable").key(), where + ": only deny and require-approval rules can be overridable");
        } else {
          b.overridable(v);
        }
      }
    }
    if (m.containsKey("shadow")) {
      Boolean v = y.bool(m.get("shadow").value(), where + ": shadow");
      if (v != null) {
        b.shadow(v);
      }
    }
    if (m.containsKey("match")) {
      match(m.get("match").value(), b, where);
    }
    if (m.containsKey("approval")) {
      if (effect != Rule.Effect.REQUIRE_APPROVAL) {
        y.error(m.get("approval").key(), where + ": 'approval' is only for effect require-approval");
      } else {
        approval(m.get("approval").value(), b, where);
      }
    } else if (effect == Rule.Effect.REQUIRE_APPROVAL) {
      y.error(en, where + ": effect require-approval needs an 'approval' block (group, approvals, timeout)");
    }
    if (m.containsKey("grant")) {
      if (effect == Rule.Effect.DENY) {
        y.error(m.get("grant").key(), where + ": a deny rule grants nothing: remove 'grant'");
      } else if (effect != null) {
        grant(m.get("grant").value(), b, where, ceiling);
      }
    }
    if (y.errors.size() > before) {
      return null;
    }
    List<String> problems = b.problems();
    if (!problems.isEmpty()) {
      for (String p : problems) {
        y.error(node, where + ": " + p);
      }
      return null;
    }
    try {
      return b.build();
    } catch (RuntimeException e) {
      y.error(node, where + ": " + e.getMessage());
      return null;
    }
  }

  private void str(Node n, String what, Consumer<String> setter) {
    String s = y.string(n, what);
    if (s != null) {
      apply(n, () -> setter.accept(s));
    }
  }

  private void strs(Node n, String what, Consumer<String[]> setter) {
    strs(n, what, null, setter);
  }

  /** Checks one value at its node; throws IllegalArgumentException naming the problem. */
  private interface ItemCheck {
    void check(String value, Node node);
  }

  /** Strings, each checked at its own position by {@code check} (which throws IllegalArgumentException). */
  private void strs(Node n, String what, @Nullable ItemCheck check, Consumer<String[]> setter) {
    List<String> s = y.strings(n, what);
    if (s == null) {
      return;
    }
    if (check != null) {
      List<Node> items = n instanceof ScalarNode ? List.of(n) : y.sequence(n, what);
      boolean ok = true;
      for (int i = 0; i < s.size(); i++) {
        try {
          check.check(s.get(i), items != null ? items.get(i) : n);
        } catch (IllegalArgumentException e) {
          y.error(items != null ? items.get(i) : n, what + ": " + e.getMessage());
          ok = false;
        }
      }
      if (!ok) {
        return;
      }
    }
    apply(n, () -> setter.accept(s.toArray(new String[0])));
  }

  /** A SPIFFE ID pattern, or a glob on the whole id. */
  private ItemCheck identityPattern(String what) {
    return (p, node) -> {
      if (SpiffePattern.looksLikeSpiffe(p)) {
        try {
          SpiffePattern.parse(p);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("bad SPIFFE ID pattern '" + p + "': " + e.getMessage()
              + "; expected spiffe://trust.domain/path with '*' inside a segment or '**' as the last segment", e);
        }
      } else {
        glob(what).check(p, node);
      }
    };
  }

  /**
   * A glob of the project's one glob syntax; in a version 1 document, a pattern whose meaning changed
   * when {@code *} stopped crossing {@code /} gets a warning (also logged at WARN) naming the rule.
   */
  private ItemCheck glob(String what) {
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

  private static void checkTrustDomain(String td, Node node) {
    try {
      SpiffePattern.checkTrustDomain(td);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad trust domain '" + td + "': " + e.getMessage(), e);
    }
  }

  private void match(Node node, Rule.Builder b, String where) {
    Map<String, YamlTree.Entry> m = y.mapping(node, where + ": match", MATCH);
    if (m == null) {
      return;
    }
    if (m.containsKey("identity")) {
      Node in = m.get("identity").value();
      Map<String, YamlTree.Entry> id = y.mapping(in, where + ": identity", IDENTITY);
      if (id != null) {
        if (id.isEmpty()) {
          y.error(in, where + ": identity: expected at least one of " + new java.util.TreeSet<>(IDENTITY));
        }
        if (id.containsKey("id")) {
          strs(id.get("id").value(), where + ": identity id", identityPattern(where + ": identity id"), b::identityIds);
        }
        if (id.containsKey("trustDomain")) {
          strs(id.get("trustDomain").value(), where + ": trustDomain", YamlPolicyReader::checkTrustDomain, b::trustDomains);
        }
        if (id.containsKey("issuer")) {
          strs(id.get("issuer").value(), where + ": issuer", b::issuers);
        }
        if (id.containsKey("claims")) {
          conditions(id.get("claims").value(), where + ": claims", false, b::claim);
        }
      }
    }
    if (m.containsKey("purpose")) {
      strs(m.get("purpose").value(), where + ": purpose", b::purposes);
    }
    if (m.containsKey("task")) {
      strs(m.get("task").value(), where + ": task", glob(where + ": task"), b::taskIds);
    }
    if (m.containsKey("resource")) {
      strs(m.get("resource").value(), where + ": resource", glob(where + ": resource"), b::resources);
    }
    if (m.containsKey("actions")) {
      strs(m.get("actions").value(), where + ": actions", b::actions);
    }
    if (m.containsKey("environment")) {
      strs(m.get("environment").value(), where + ": environment", b::environments);
    }
    if (m.containsKey("time")) {
      time(m.get("time").value(), b, where);
    }
    if (m.containsKey("attributes")) {
      conditions(m.get("attributes").value(), where + ": attributes", false, b::attribute);
    }
    if (m.containsKey("risk")) {
      Node rn = m.get("risk").value();
      List<AttributeCondition> risk = condition("risk", rn, where + ": risk", true);
      if (risk != null) {
        risk.forEach(b::attribute);
      }
    }
  }

  private void time(Node node, Rule.Builder b, String where) {
    Map<String, YamlTree.Entry> m = y.mapping(node, where + ": time", TIME);
    if (m == null) {
      return;
    }
    if (m.containsKey("within")) {
      Node wn = m.get("within").value();
      List<TimeWindow> ws = windowRefs(wn, where + ": within");
      if (ws != null) {
        apply(wn, () -> b.within(ws.toArray(new TimeWindow[0])));
      }
    }
    if (m.containsKey("outside")) {
      Node on = m.get("outside").value();
      List<TimeWindow> ws = windowRefs(on, where + ": outside");
      if (ws != null) {
        apply(on, () -> b.outside(ws.toArray(new TimeWindow[0])));
      }
    }
    Instant from = null;
    if (m.containsKey("from")) {
      Node fn = m.get("from").value();
      Instant f = y.instant(fn, where + ": from");
      if (f != null) {
        from = f;
        apply(fn, () -> b.validFrom(f));
      }
    }
    if (m.containsKey("until")) {
      Node un = m.get("until").value();
      Instant u = y.instant(un, where + ": until");
      if (u != null) {
        if (from != null && !from.isBefore(u)) {
          y.error(un, where + ": until " + u + " must be after from " + from);
        } else {
          apply(un, () -> b.validUntil(u));
        }
      }
    }
  }

  /** A window name, an inline window, or a list of them. */
  private @Nullable List<TimeWindow> windowRefs(Node node, String what) {
    List<Node> items = node instanceof ScalarNode || node.getNodeType() == org.snakeyaml.engine.v2.nodes.NodeType.MAPPING
        ? List.of(node) : y.sequence(node, what);
    if (items == null) {
      return null;
    }
    if (items.isEmpty()) {
      y.error(node, what + ": expected at least one time window");
      return null;
    }
    List<TimeWindow> out = new ArrayList<>();
    boolean ok = true;
    for (Node n : items) {
      if (n instanceof ScalarNode) {
        String name = y.string(n, what);
        TimeWindow w = name == null ? null : windows.get(name);
        if (name != null && w == null) {
          y.error(n, what + ": unknown time window '" + name + "', expected one of "
              + new java.util.TreeSet<>(windows.keySet()) + " (defined under timeWindows) or an inline window");
        }
        ok &= w != null;
        if (w != null) {
          out.add(w);
        }
      } else {
        TimeWindow w = window("", n);
        ok &= w != null;
        if (w != null) {
          out.add(w);
        }
      }
    }
    return ok ? out : null;
  }

  /** A mapping of attribute name to condition. */
  private void conditions(Node node, String what, boolean numericOnly, Consumer<AttributeCondition> sink) {
    Map<String, YamlTree.Entry> m = y.mapping(node, what, null);
    if (m == null) {
      return;
    }
    if (m.isEmpty()) {
      y.error(node, what + ": expected at least one condition");
    }
    m.forEach((name, e) -> {
      List<AttributeCondition> cs = condition(name, e.value(), what + " '" + name + "'", numericOnly);
      if (cs != null) {
        cs.forEach(sink);
      }
    });
  }

  /**
   * One attribute's condition: a scalar shorthand ({@code main} equals, {@code true} is, {@code 3} eq)
   * or a mapping of operators, all of which must hold.
   */
  private @Nullable List<AttributeCondition> condition(String name, Node node, String what, boolean numericOnly) {
    if (node instanceof ScalarNode && !numericOnly) {
      Tag t = node.getTag();
      if (Tag.BOOL.equals(t)) {
        Boolean v = y.bool(node, what);
        return v == null ? null : List.of(AttributeCondition.is(name, v));
      }
      if (Tag.INT.equals(t) || Tag.FLOAT.equals(t)) {
        Double v = y.number(node, what);
        return v == null ? null : List.of(AttributeCondition.compare(name, AttributeCondition.Operator.EQ, v));
      }
      String v = y.string(node, what);
      return v == null ? null : List.of(AttributeCondition.equalTo(name, v));
    }
    Set<String> allowed = numericOnly ? NUMERIC : OPERATORS;
    Map<String, YamlTree.Entry> ops = y.mapping(node, what, allowed);
    if (ops == null) {
      return null;
    }
    if (ops.isEmpty()) {
      y.error(node, what + ": expected at least one operator of " + new java.util.TreeSet<>(allowed));
      return null;
    }
    List<AttributeCondition> out = new ArrayList<>();
    boolean ok = true;
    for (Map.Entry<String, YamlTree.Entry> e : ops.entrySet()) {
      Node v = e.getValue().value();
      String op = e.getKey();
      String w = what + ": " + op;
      AttributeCondition c = null;
      try {
        switch (op) {
          case "equals" -> {
            String s = y.string(v, w);
            c = s == null ? null : AttributeCondition.equalTo(name, s);
          }
          case "glob" -> {
            String s = y.string(v, w);
            if (s != null) {
              glob(w).check(s, v);
            }
            c = s == null ? null : AttributeCondition.glob(name, s);
          }
          case "is" -> {
            Boolean s = y.bool(v, w);
            c = s == null ? null : AttributeCondition.is(name, s);
          }
          case "present" -> {
            Boolean s = y.bool(v, w);
            c = s == null ? null : s ? AttributeCondition.present(name) : AttributeCondition.absent(name);
          }
          case "cidr" -> {
            List<String> s = y.strings(v, w);
            if (s != null) {
              List<String> bad = new ArrayList<>();
              for (String block : s) {
                try {
                  Cidr.parse(block);
                } catch (IllegalArgumentException ex) {
                  bad.add(ex.getMessage());
                }
              }
              if (!bad.isEmpty()) {
                y.error(v, w + ": bad CIDR: " + String.join("; ", bad)
                    + "; expected blocks such as 10.0.0.0/8 or 2001:db8::/32");
              } else {
                c = AttributeCondition.cidr(name, s.toArray(new String[0]));
              }
            }
          }
          default -> {
            Double d = y.number(v, w);
            c = d == null ? null : AttributeCondition.compare(name,
                AttributeCondition.Operator.valueOf(op.toUpperCase(java.util.Locale.ROOT)), d);
          }
        }
      } catch (IllegalArgumentException ex) {
        y.error(v, w + ": " + ex.getMessage());
      }
      if (c == null) {
        ok = false;
      } else {
        out.add(c);
      }
    }
    return ok ? out : null;
  }

  private void approval(Node node, Rule.Builder b, String where) {
    Map<String, YamlTree.Entry> m = y.mapping(node, where + ": approval", APPROVAL);
    if (m == null) {
      return;
    }
    String group = null;
    Integer n = null;
    Duration timeout = null;
    for (String k : List.of("group", "approvals", "timeout")) {
      if (!m.containsKey(k)) {
        y.error(node, where + ": approval: missing key '" + k + "'");
      }
    }
    if (m.containsKey("group")) {
      group = y.string(m.get("group").value(), where + ": approval group");
    }
    if (m.containsKey("approvals")) {
      n = y.integer(m.get("approvals").value(), where + ": approvals", 1, 100);
    }
    if (m.containsKey("timeout")) {
      timeout = y.duration(m.get("timeout").value(), where + ": approval timeout");
    }
    if (group != null && n != null && timeout != null) {
      String g = group;
      int count = n;
      Duration t = timeout;
      apply(node, () -> b.requireApproval(g, count, t));
    }
  }

  private void grant(Node node, Rule.Builder b, String where, @Nullable Duration ceiling) {
    Map<String, YamlTree.Entry> m = y.mapping(node, where + ": grant", GRANT);
    if (m == null) {
      return;
    }
    Duration ttl = null;
    if (m.containsKey("maxTtl")) {
      Node n = m.get("maxTtl").value();
      ttl = y.duration(n, where + ": maxTtl");
      if (ttl != null && ceiling != null && ttl.compareTo(ceiling) > 0) {
        y.error(n, where + ": maxTtl " + Durations.format(ttl) + " is above the policy ceiling maxTtl "
            + Durations.format(ceiling));
      } else if (ttl != null) {
        Duration t = ttl;
        apply(n, () -> b.maxTtl(t));
      }
    }
    if (m.containsKey("idleTimeout")) {
      Node n = m.get("idleTimeout").value();
      Duration idle = y.duration(n, where + ": idleTimeout");
      Duration limit = ttl != null ? ttl : ceiling;
      if (idle != null && limit != null && idle.compareTo(limit) > 0) {
        y.error(n, where + ": idleTimeout " + Durations.format(idle) + " is above the grant's maxTtl "
            + Durations.format(limit));
      } else if (idle != null) {
        apply(n, () -> b.idleTimeout(idle));
      }
    }
    Boolean single = null;
    if (m.containsKey("singleUse")) {
      single = y.bool(m.get("singleUse").value(), where + ": singleUse");
      if (single != null) {
        b.singleUse(single);
      }
    }
    if (m.containsKey("renewable")) {
      Node n = m.get("renewable").value();
      Boolean r = y.bool(n, where + ": renewable");
      if (r != null && r && Boolean.TRUE.equals(single)) {
        y.error(n, where + ": a grant cannot be both single-use and renewable");
      } else if (r != null) {
        b.renewable(r);
      }
    }
    if (m.containsKey("actions")) {
      strs(m.get("actions").value(), where + ": grant actions", b::grantActions);
    }
    if (m.containsKey("maxDelegationDepth")) {
      Integer d = y.integer(m.get("maxDelegationDepth").value(), where + ": maxDelegationDepth", 0, 10);
      if (d != null) {
        b.maxDelegationDepth(d);
      }
    }
    if (m.containsKey("sharedTask")) {
      Boolean shared = y.bool(m.get("sharedTask").value(), where + ": sharedTask");
      if (shared != null) {
        b.sharedTask(shared);
      }
    }
    if (m.containsKey("capAtCredentialExpiry")) {
      Node n = m.get("capAtCredentialExpiry").value();
      Duration grace = y.duration(n, where + ": capAtCredentialExpiry");
      if (grace != null && grace.compareTo(Duration.ofDays(1)) > 0) {
        y.error(n, where + ": capAtCredentialExpiry " + Durations.format(grace) + " is above 1 day");
      } else if (grace != null) {
        apply(n, () -> b.capAtCredentialExpiry(grace));
      }
    }
  }
}
