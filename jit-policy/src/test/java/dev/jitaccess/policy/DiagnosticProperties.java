package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Loading a policy never throws, and every diagnostic says where: a position, and inside a rule the
 * rule's name ({@code rule 'id'}, or {@code rule #n} when it has no valid id), whatever mix of valid and
 * broken keys the rules hold.
 */
class DiagnosticProperties {

  /** Lines a rule may hold, valid or broken, each at the rule's indentation. */
  private static final List<String> LINES = List.of(
      "    owner: o", "    owner: [o]", "    description: d", "    description: !!binary aGk=",
      "    effect: allow", "    effect: deny", "    effect: require-approval", "    effect: alow", "    effect: dny",
      "    effect: zzz", "    effect: [allow]", "    colour: red", "    resource: x", "    id: 'r 1'",
      "    overridable: true", "    overridable: yes", "    shadow: 1",
      "    match: {resources: x}", "    match: {resource: 'a\\'}", "    match: {resource: 'https://r.example.org/*'}",
      "    match: {identity: {id: 'spiffe://Bad/x'}}", "    match: {identity: {trustDomain: 'a:1'}}",
      "    match: {identity: {}}", "    match: {time: {within: office}}", "    match: {time: {within: ofice}}",
      "    match: {time: {within: {zone: Mars/X, days: FRY}}}", "    match: {time: {from: 2025-02-01, until: 2025-01-01}}",
      "    match: {attributes: {ip: {cidr: 10.0.0.0/33}}}", "    match: {attributes: {x: {glbo: a}}}",
      "    match: {risk: {lt: high}}", "    match: []", "    match: {actions: read}",
      "    approval: {group: g, approvals: 0, timeout: 1m}", "    approval: {group: g, approvals: 2, timeout: 10m}",
      "    approval: x", "    grant: {maxTtl: 2h}", "    grant: {maxTtl: 5 minutes}", "    grant: {maxTtl: 10m}",
      "    grant: {singleUse: true, renewable: true}", "    grant: {maxDelegationDepth: 11}",
      "    grant: {capAtCredentialExpiry: 2d}", "    grant: {maxTtl: 10m, idleTimeout: 20m}", "    grant: {maxTTL: 5m}");

  private static final String HEAD = "version: 1\nmaxTtl: 1h\ntimeWindows:\n"
      + "  office: {zone: UTC, days: MON-FRI, hours: '08:00-18:00'}\nrules:\n";

  /** One generated rule: whether its first line is an id (otherwise an owner), and its other lines. */
  record GeneratedRule(boolean hasId, List<String> lines) {}

  @Provide
  Arbitrary<List<GeneratedRule>> rules() {
    Arbitrary<GeneratedRule> rule = Combinators.combine(
        Arbitraries.integers().between(0, 9).map(n -> n > 0),
        Arbitraries.of(LINES).list().ofMinSize(0).ofMaxSize(5)).as(GeneratedRule::new);
    return rule.list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 300)
  void loadingNeverThrowsAndEveryErrorSaysWhereAndWhichRule(@ForAll("rules") List<GeneratedRule> rules) {
    StringBuilder doc = new StringBuilder(HEAD);
    int line = HEAD.split("\n", -1).length; // the 1-based line the first rule starts on
    List<int[]> ranges = new ArrayList<>(); // first and last line of each rule
    for (int i = 0; i < rules.size(); i++) {
      GeneratedRule r = rules.get(i);
      doc.append(r.hasId() ? "  - id: r" + i + "\n" : "  - owner: o\n");
      r.lines().forEach(l -> doc.append(l).append('\n'));
      ranges.add(new int[] {line, line + r.lines().size()});
      line += 1 + r.lines().size();
    }
    LoadResult result = Policy.parse("gen.yaml", doc.toString());

    assertThat(result.diagnostics()).allSatisfy(d -> {
      assertThat(d.line()).as("%s", d).isPositive();
      assertThat(d.column()).as("%s", d).isPositive();
    });
    if (result instanceof LoadResult.Invalid invalid) {
      for (Diagnostic d : invalid.errors()) {
        for (int i = 0; i < ranges.size(); i++) {
          if (d.line() >= ranges.get(i)[0] && d.line() <= ranges.get(i)[1]) {
            String label = rules.get(i).hasId() ? "rule 'r" + i + "': " : "rule #" + (i + 1) + ": ";
            assertThat(d.message()).as("in:\n%s", doc).startsWith(label);
          }
        }
      }
    }
  }
}
