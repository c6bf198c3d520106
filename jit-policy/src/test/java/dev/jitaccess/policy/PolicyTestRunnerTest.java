package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The runner must fail when a policy does not do what its table says, and say where. */
class PolicyTestRunnerTest {
  final RulePolicy policy = RulePolicy.of(Policy.load(ExamplePolicyTest.POLICY).orElseThrow());

  static final String HEAD = "defaults:\n  time: 2025-03-04T10:00:00+01:00\n  identity: {id: spiffe://prod.example.org/ci/deploy}\n"
      + "  purpose: deploy\n  task: t\n  resource: r\n  actions: [deploy]\n  environment: prod\n  ttl: 1h\n"
      + "  attributes: {branch: main}\ncases:\n";

  @Test
  void failingCasesAreListedWithLinesDecisionsAndReasons() {
    String table = HEAD
        + "  - name: wrong decision\n    expect: {decision: allow, ttl: 30m, actions: [read], rules: [nope], reasons: [no such text]}\n"
        + "  - name: right\n    expect: {decision: needs-approval, approvals: 1, approverGroup: release-managers}\n";
    PolicyTestRunner.Report r = PolicyTestRunner.run(policy, "t.yaml", table);
    assertThat(r.cases()).hasSize(2);
    assertThat(r.passed()).isFalse();
    assertThat(r.failures()).singleElement().satisfies(c -> {
      assertThat(c.line()).isEqualTo(12);
      assertThat(c.problems()).containsExactly("decision was needs-approval, expected allow", "ttl was 15m, expected 30m",
          "actions were [deploy], expected [read]", "rules were [ci-deploy-prod], expected [nope]",
          "no reason contains 'no such text'");
    });
    assertThatThrownBy(r::assertPassed).isInstanceOf(AssertionError.class)
        .hasMessageContaining("t.yaml: 2 case(s) run, 1 failed, 0 table error(s)")
        .hasMessageContaining("t.yaml:12: case 'wrong decision' failed: decision was needs-approval, expected allow")
        .hasMessageContaining("reasons=[approval required by rule ci-deploy-prod");
  }

  @Test
  void tableErrorsHaveLinesAndFailTheReport() {
    String table = HEAD + "  - name: typo\n    purpse: deploy\n    expect: {decision: maybe}\n"
        + "  - name: bad ttl\n    ttl: forever\n    expect: {decision: allow}\n";
    PolicyTestRunner.Report r = PolicyTestRunner.run(policy, "t.yaml", table);
    assertThat(r.errors()).extracting(Diagnostic::toString).containsExactly(
        "t.yaml:13:5: error: case: unknown key 'purpse' (did you mean 'purpose'?), expected one of [actions, attributes, breakGlass, environment, expect, identity, justification, name, purpose, renewing, resource, task, time, ttl]",
        "t.yaml:14:24: error: case 'typo': decision 'maybe' is unknown, expected allow, deny or needs-approval",
        "t.yaml:16:10: error: case 'bad ttl': ttl: bad duration 'forever', expected a positive duration such as 90s, 15m, 1h30m, 2d or PT15M");
    assertThat(r.passed()).isFalse();
    assertThatThrownBy(r::assertPassed).hasMessageContaining("3 table error(s)");
  }

  @Test
  void anEmptyTableDoesNotPass() {
    PolicyTestRunner.Report r = PolicyTestRunner.run(policy, "t.yaml", "cases: []\n");
    assertThat(r.passed()).isFalse();
    assertThat(r.toString()).contains("the table has no cases");
  }

  @Test
  void aBadPolicyFailsTheReport() {
    PolicyTestRunner.Report r = PolicyTestRunner.run(Path.of("src/test/resources/no-such-policy.yaml"), ExamplePolicyTest.TABLE);
    assertThat(r.passed()).isFalse();
    assertThat(r.errors().get(0).message()).startsWith("cannot read file");
  }
}
