package dev.jitaccess.policy;

import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.PolicyContext;
import dev.jitaccess.spi.PolicyEvaluator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Runs a policy test table: a YAML list of requests with the decision, TTL, actions, rules and reason
 * fragments each must get. Meant for users' CI; one line in a JUnit test:
 *
 * <pre>{@code
 * PolicyTestRunner.run(Path.of("policy.yaml"), Path.of("policy-tests.yaml")).assertPassed();
 * }</pre>
 *
 * <p>Does not depend on any test framework: {@link Report#assertPassed()} throws a plain
 * {@link AssertionError} listing every failing case. The table format is described in {@code POLICY.md}.
 */
public final class PolicyTestRunner {
  private static final Set<String> TOP = Set.of("defaults", "cases");
  private static final Set<String> CASE = Set.of("name", "time", "identity", "purpose", "task", "resource",
      "actions", "environment", "ttl", "attributes", "breakGlass", "justification", "renewing", "expect");
  private static final Set<String> IDENTITY = Set.of("id", "issuer", "owner", "kind", "attributes");
  private static final Set<String> EXPECT = Set.of("decision", "ttl", "actions", "rules", "reasons",
      "approvals", "approverGroup", "breakGlass", "idleTimeout", "singleUse", "renewable");

  private PolicyTestRunner() {}

  /** Loads the policy and the table and runs every case. A bad policy or table gives a failing report. */
  public static Report run(Path policyFile, Path tableFile) {
    Objects.requireNonNull(policyFile, "policyFile");
    Objects.requireNonNull(tableFile, "tableFile");
    LoadResult loaded = Policy.load(policyFile);
    if (loaded instanceof LoadResult.Invalid invalid) {
      return new Report(String.valueOf(tableFile.getFileName()), invalid.errors(), List.of());
    }
    return run(RulePolicy.of(loaded.orElseThrow()), tableFile);
  }

  /** Runs every case of a table file against an evaluator. */
  public static Report run(PolicyEvaluator policy, Path tableFile) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(tableFile, "tableFile");
    YamlTree y = new YamlTree(String.valueOf(tableFile.getFileName()));
    String text = y.read(tableFile);
    return text == null ? new Report(y.source, y.errors, List.of()) : run(policy, y, text);
  }

  /** Runs every case of a table given as text. */
  public static Report run(PolicyEvaluator policy, String tableSource, String tableYaml) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(tableSource, "tableSource");
    Objects.requireNonNull(tableYaml, "tableYaml");
    return run(policy, new YamlTree(tableSource), tableYaml);
  }

  private static Report run(PolicyEvaluator policy, YamlTree y, String text) {
    Node root = y.compose(text);
    if (root == null) {
      return new Report(y.source, y.errors, List.of());
    }
    Map<String, YamlTree.Entry> top = y.mapping(root, "policy tests", TOP);
    if (top == null) {
      return new Report(y.source, y.errors, List.of());
    }
    Map<String, YamlTree.Entry> defaults = Map.of();
    if (top.containsKey("defaults")) {
      Map<String, YamlTree.Entry> d = y.mapping(top.get("defaults").value(), "defaults", CASE);
      defaults = d == null ? Map.of() : d;
    }
    List<CaseResult> results = new ArrayList<>();
    if (!top.containsKey("cases")) {
      y.error(root, "policy tests: missing key 'cases', expected a list of cases");
    } else {
      List<Node> cases = y.sequence(top.get("cases").value(), "cases");
      if (cases != null) {
        for (Node c : cases) {
          CaseResult r = runCase(policy, y, defaults, c);
          if (r != null) {
            results.add(r);
          }
        }
      }
    }
    return new Report(y.source, y.errors, results);
  }

  private static @Nullable CaseResult runCase(PolicyEvaluator policy, YamlTree y, Map<String, YamlTree.Entry> defaults, Node node) {
    Map<String, YamlTree.Entry> own = y.mapping(node, "case", CASE);
    if (own == null) {
      return null;
    }
    Map<String, YamlTree.Entry> m = new LinkedHashMap<>(defaults);
    m.putAll(own);
    int errors = y.errors.size();
    int line = YamlTree.position(node)[0];
    String name = m.containsKey("name") ? y.string(m.get("name").value(), "case name") : null;
    if (name == null) {
      name = "case at line " + line;
    }
    String what = "case '" + name + "'";
    for (String k : List.of("time", "identity", "purpose", "task", "resource", "actions", "environment", "ttl", "expect")) {
      if (!m.containsKey(k)) {
        y.error(node, what + ": missing key '" + k + "'");
      }
    }
    if (y.errors.size() > errors) {
      return null;
    }
    Instant time = y.instant(node(m, "time"), what + ": time");
    WorkloadIdentity identity = identity(y, node(m, "identity"), what);
    GrantRequest request = null;
    try {
      GrantRequest.Builder b = GrantRequest.builder().credential(Credential.jwtSvid("policy-test"));
      // a value that is not a string has been reported; the request is then not built
      ifPresent(str(y, m, "purpose", what), b::purpose);
      ifPresent(str(y, m, "task", what), b::taskId);
      ifPresent(str(y, m, "resource", what), b::resource);
      ifPresent(str(y, m, "environment", what), b::environment);
      List<String> actions = y.strings(node(m, "actions"), what + ": actions");
      Duration ttl = y.duration(node(m, "ttl"), what + ": ttl");
      if (actions != null) {
        b.actions(actions);
      }
      if (ttl != null) {
        b.ttl(ttl);
      }
      if (m.containsKey("attributes")) {
        Map<String, Object> attrs = values(y, m.get("attributes").value(), what + ": attributes", false);
        if (attrs != null) {
          attrs.forEach(b::attribute);
        }
      }
      if (m.containsKey("justification")) {
        ifPresent(str(y, m, "justification", what), b::justification);
      }
      if (m.containsKey("breakGlass")) {
        Boolean bg = y.bool(m.get("breakGlass").value(), what + ": breakGlass");
        if (bg != null) {
          b.breakGlass(bg);
        }
      }
      if (m.containsKey("renewing")) {
        Boolean r = y.bool(m.get("renewing").value(), what + ": renewing");
        if (r != null) {
          b.renewing(r);
        }
      }
      if (y.errors.size() == errors) {
        request = b.build();
      }
    } catch (RuntimeException e) {
      y.error(node, what + ": bad request: " + e.getMessage());
    }
    Node expectNode = node(m, "expect");
    Map<String, YamlTree.Entry> expect = y.mapping(expectNode, what + ": expect", EXPECT);
    if (expect != null && !expect.containsKey("decision")) {
      y.error(expectNode, what + ": expect: missing key 'decision', expected allow, deny or needs-approval");
    }
    if (y.errors.size() > errors || time == null || identity == null || request == null || expect == null) {
      return null;
    }
    Decision decision;
    try {
      PolicyContext context = new PolicyContext(identity, request, time);
      // a RulePolicy explains fully here, so a table may expect the candidates that did not match
      decision = policy instanceof RulePolicy rules ? rules.explain(context) : policy.evaluate(context);
    } catch (RuntimeException e) {
      return new CaseResult(name, line, null, List.of("evaluation threw " + e));
    }
    List<String> problems = check(y, expect, decision, what);
    if (y.errors.size() > errors) {
      return null;
    }
    return new CaseResult(name, line, decision, problems);
  }

  private static @Nullable String str(YamlTree y, Map<String, YamlTree.Entry> m, String key, String what) {
    return y.string(node(m, key), what + ": " + key);
  }

  /** The value of a key that was checked to be present. */
  private static Node node(Map<String, YamlTree.Entry> m, String key) {
    return Objects.requireNonNull(m.get(key), key).value();
  }

  private static <T> void ifPresent(@Nullable T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  private static @Nullable WorkloadIdentity identity(YamlTree y, Node node, String what) {
    Map<String, YamlTree.Entry> m = y.mapping(node, what + ": identity", IDENTITY);
    if (m == null) {
      return null;
    }
    if (!m.containsKey("id")) {
      y.error(node, what + ": identity: missing key 'id'");
      return null;
    }
    String id = y.string(m.get("id").value(), what + ": identity id");
    String issuer = null;
    if (m.containsKey("issuer")) {
      issuer = y.string(m.get("issuer").value(), what + ": identity issuer");
    } else if (id != null && SpiffePattern.trustDomainOf(id) != null) {
      issuer = SpiffePattern.SCHEME + SpiffePattern.trustDomainOf(id);
    } else {
      y.error(node, what + ": identity: missing key 'issuer' (needed when the id is not a SPIFFE ID)");
    }
    if (id == null || issuer == null) {
      return null;
    }
    WorkloadIdentity.Builder b = WorkloadIdentity.builder(id, issuer);
    if (m.containsKey("owner")) {
      String o = y.string(m.get("owner").value(), what + ": identity owner");
      if (o != null) {
        b.owner(o);
      }
    }
    if (m.containsKey("kind")) {
      String k = y.string(m.get("kind").value(), what + ": identity kind");
      if (k != null) {
        b.kind(k);
      }
    }
    if (m.containsKey("attributes")) {
      Map<String, Object> attrs = values(y, m.get("attributes").value(), what + ": identity attributes", true);
      if (attrs == null) {
        return null;
      }
      b.attributes(attrs);
    }
    return b.build();
  }

  /** Scalar values by tag (string, number, boolean); lists of scalars where allowed (claims). */
  private static @Nullable Map<String, Object> values(YamlTree y, Node node, String what, boolean lists) {
    Map<String, YamlTree.Entry> m = y.mapping(node, what, null);
    if (m == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    boolean ok = true;
    for (Map.Entry<String, YamlTree.Entry> e : m.entrySet()) {
      Node v = e.getValue().value();
      Object value;
      if (lists && !(v instanceof ScalarNode)) {
        List<Node> items = y.sequence(v, what + " '" + e.getKey() + "'");
        List<Object> vs = new ArrayList<>();
        if (items != null) {
          for (Node i : items) {
            vs.add(scalar(y, i, what));
          }
        }
        value = items == null || vs.contains(null) ? null : List.copyOf(vs);
      } else {
        value = scalar(y, v, what + " '" + e.getKey() + "'");
      }
      if (value == null) {
        ok = false;
      } else {
        out.put(e.getKey(), value);
      }
    }
    return ok ? out : null;
  }

  private static @Nullable Object scalar(YamlTree y, Node n, String what) {
    if (n instanceof ScalarNode scalarNode) {
      Tag t = n.getTag();
      if (Tag.BOOL.equals(t)) {
        return y.bool(n, what);
      }
      if (Tag.INT.equals(t)) {
        try {
          return Long.parseLong(scalarNode.getValue());
        } catch (NumberFormatException e) {
          return y.number(n, what);
        }
      }
      if (Tag.FLOAT.equals(t)) {
        return y.number(n, what);
      }
    }
    return y.string(n, what);
  }

  private static List<String> check(YamlTree y, Map<String, YamlTree.Entry> e, Decision d, String what) {
    List<String> problems = new ArrayList<>();
    String kind = d instanceof Decision.Allow ? "allow" : d instanceof Decision.Deny ? "deny" : "needs-approval";
    if (e.containsKey("decision")) {
      Node n = e.get("decision").value();
      String want = y.string(n, what + ": decision");
      if (want != null && !Set.of("allow", "deny", "needs-approval").contains(want)) {
        y.error(n, what + ": decision '" + want + "' is unknown, expected allow, deny or needs-approval");
      } else if (want != null && !want.equals(kind)) {
        problems.add("decision was " + kind + ", expected " + want);
      }
    }
    GrantTerms terms = d instanceof Decision.Allow allow ? allow.terms()
        : d instanceof Decision.NeedsApproval needsApproval ? needsApproval.terms() : null;
    if (e.containsKey("ttl")) {
      Duration want = y.duration(e.get("ttl").value(), what + ": expect ttl");
      if (want != null && (terms == null || !terms.maxTtl().equals(want))) {
        problems.add("ttl was " + (terms == null ? "none" : Durations.format(terms.maxTtl())) + ", expected "
            + Durations.format(want));
      }
    }
    if (e.containsKey("idleTimeout")) {
      Duration want = y.duration(e.get("idleTimeout").value(), what + ": expect idleTimeout");
      Duration got = terms == null ? null : terms.idleTimeout();
      if (want != null && !want.equals(got)) {
        problems.add("idleTimeout was " + (got == null ? "none" : Durations.format(got))
            + ", expected " + Durations.format(want));
      }
    }
    if (e.containsKey("actions")) {
      List<String> want = y.strings(e.get("actions").value(), what + ": expect actions");
      Set<String> got = terms == null ? Set.of() : new TreeSet<>(terms.actions());
      if (want != null && !got.equals(new TreeSet<>(want))) {
        problems.add("actions were " + got + ", expected " + new TreeSet<>(want));
      }
    }
    if (e.containsKey("rules")) {
      Node n = e.get("rules").value();
      List<Node> items = n.getNodeType() == org.snakeyaml.engine.v2.nodes.NodeType.SEQUENCE
          ? y.sequence(n, what + ": expect rules") : null;
      boolean empty = items != null && items.isEmpty();
      List<String> want = empty ? List.of() : y.strings(n, what + ": expect rules");
      if (want != null && !new TreeSet<>(d.ruleIds()).equals(new TreeSet<>(want))) {
        problems.add("rules were " + new TreeSet<>(d.ruleIds()) + ", expected " + new TreeSet<>(want));
      }
    }
    if (e.containsKey("reasons")) {
      List<String> want = y.strings(e.get("reasons").value(), what + ": expect reasons");
      if (want != null) {
        for (String w : want) {
          if (d.reasons().stream().noneMatch(r -> r.contains(w))) {
            problems.add("no reason contains '" + w + "'");
          }
        }
      }
    }
    if (e.containsKey("breakGlass")) {
      Boolean want = y.bool(e.get("breakGlass").value(), what + ": expect breakGlass");
      if (want != null && (terms == null || terms.breakGlass() != want)) {
        problems.add("breakGlass was " + (terms == null ? "none" : terms.breakGlass()) + ", expected " + want);
      }
    }
    if (e.containsKey("singleUse")) {
      Boolean want = y.bool(e.get("singleUse").value(), what + ": expect singleUse");
      if (want != null && (terms == null || terms.singleUse() != want)) {
        problems.add("singleUse was " + (terms == null ? "none" : terms.singleUse()) + ", expected " + want);
      }
    }
    if (e.containsKey("renewable")) {
      Boolean want = y.bool(e.get("renewable").value(), what + ": expect renewable");
      if (want != null && (terms == null || terms.renewable() != want)) {
        problems.add("renewable was " + (terms == null ? "none" : terms.renewable()) + ", expected " + want);
      }
    }
    Decision.NeedsApproval na = d instanceof Decision.NeedsApproval needsApproval ? needsApproval : null;
    if (e.containsKey("approvals")) {
      Integer want = y.integer(e.get("approvals").value(), what + ": expect approvals", 1, 100);
      if (want != null && (na == null || na.requirement().approvals() != want)) {
        problems.add("approvals were " + (na == null ? "none" : na.requirement().approvals()) + ", expected " + want);
      }
    }
    if (e.containsKey("approverGroup")) {
      String want = y.string(e.get("approverGroup").value(), what + ": expect approverGroup");
      if (want != null && (na == null || !na.requirement().approverGroup().equals(want))) {
        problems.add("approverGroup was " + (na == null ? "none" : na.requirement().approverGroup())
            + ", expected " + want);
      }
    }
    return problems;
  }

  /**
   * The result of one case.
   *
   * @param name the case name
   * @param line the case's line in the table
   * @param decision what the policy decided (null if evaluation threw)
   * @param problems every expectation that did not hold; empty when the case passed
   */
  public record CaseResult(String name, int line, @Nullable Decision decision, List<String> problems) {
    /** Checks and copies. */
    public CaseResult {
      Objects.requireNonNull(name, "name");
      problems = List.copyOf(problems);
    }

    /** Whether every expectation held. */
    public boolean passed() {
      return problems.isEmpty();
    }
  }

  /** The results of a table: table errors (cases that could not be run) and one result per case run. */
  public static final class Report {
    private final String source;
    private final List<Diagnostic> errors;
    private final List<CaseResult> cases;

    Report(String source, List<Diagnostic> errors, List<CaseResult> cases) {
      this.source = source;
      this.errors = List.copyOf(errors);
      this.cases = List.copyOf(cases);
    }

    /** Problems in the table or the policy; a case with a problem is not run. */
    public List<Diagnostic> errors() {
      return errors;
    }

    /** Every case that was run. */
    public List<CaseResult> cases() {
      return cases;
    }

    /** The cases that failed. */
    public List<CaseResult> failures() {
      return cases.stream().filter(c -> !c.passed()).collect(Collectors.toList());
    }

    /** Whether the table was valid, had cases, and every case passed. */
    public boolean passed() {
      return errors.isEmpty() && !cases.isEmpty() && failures().isEmpty();
    }

    /**
     * Throws an {@link AssertionError} listing every table error and every failing case with its
     * decision and reasons, or returns quietly when everything passed.
     */
    public void assertPassed() {
      if (passed()) {
        return;
      }
      throw new AssertionError(toString());
    }

    /** A summary: counts, then every error and failure. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append(source).append(": ").append(cases.size()).append(" case(s) run, ").append(failures().size())
          .append(" failed, ").append(errors.size()).append(" table error(s)");
      if (cases.isEmpty() && errors.isEmpty()) {
        sb.append("; the table has no cases");
      }
      for (Diagnostic d : errors) {
        sb.append("\n  ").append(d);
      }
      for (CaseResult c : failures()) {
        sb.append("\n  ").append(source).append(':').append(c.line()).append(": case '").append(c.name())
            .append("' failed: ").append(String.join("; ", c.problems()));
        if (c.decision() != null) {
          sb.append("\n      decision: ").append(c.decision().getClass().getSimpleName())
              .append(" rules=").append(c.decision().ruleIds())
              .append(" reasons=").append(c.decision().reasons());
        }
      }
      return sb.toString();
    }
  }
}
