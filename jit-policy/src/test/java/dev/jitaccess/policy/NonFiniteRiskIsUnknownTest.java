package dev.jitaccess.policy;

import static dev.jitaccess.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Decision;
import java.math.BigDecimal;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14: a risk value of {@code -Infinity} passed a {@code ge: 70} deny rule. A risk (or any number)
 * that is not finite is no score: numeric conditions on it are unknown, so a deny rule on it denies and
 * an allow rule on it does not match, exactly as for a missing score.
 */
class NonFiniteRiskIsUnknownTest {

  private static final String POLICY = """
      version: 2
      maxTtl: 1h
      rules:
        - id: allow-ci
          owner: platform
          effect: allow
          match:
            identity: {id: "spiffe://prod.example.org/ci/*"}
        - id: deny-high-risk
          owner: security
          effect: deny
          match:
            risk: {ge: 70}
      """;

  private static final String LOW_RISK_ONLY = """
      version: 2
      maxTtl: 1h
      rules:
        - id: allow-low-risk
          owner: platform
          effect: allow
          match:
            risk: {lt: 30}
      """;

  static Stream<Number> nonFinite() {
    return Stream.of(Double.NEGATIVE_INFINITY, Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.NaN, new BigDecimal("-1e400"));
  }

  private static Decision decide(String yaml, Requests r) {
    return RulePolicy.of(Policy.parse("policy.yaml", yaml).orElseThrow()).evaluate(r.context());
  }

  @ParameterizedTest(name = "risk {0}")
  @MethodSource("nonFinite")
  void aDenyRuleOnRiskDeniesANonFiniteScore(Number risk) {
    Decision d = decide(POLICY, request().attribute("risk", risk));
    assertThat(d).isInstanceOf(Decision.Deny.class);
    assertThat(d.ruleIds()).containsExactly("deny-high-risk");
    assertThat(d.reasons()).anyMatch(s -> s.startsWith("denied by rule deny-high-risk: could not evaluate attribute"
        + " 'risk' was ") && s.contains("(not a finite number), expected"));
  }

  @ParameterizedTest(name = "risk {0}")
  @MethodSource("nonFinite")
  void anAllowRuleOnRiskDoesNotMatchANonFiniteScore(Number risk) {
    assertThat(decide(LOW_RISK_ONLY, request().attribute("risk", risk))).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void aNonFiniteScoreIsTreatedAsAMissingOne() {
    assertThat(decide(POLICY, request())).isInstanceOf(Decision.Deny.class);
    assertThat(decide(POLICY, request().attribute("risk", Double.NEGATIVE_INFINITY)).ruleIds())
        .isEqualTo(decide(POLICY, request()).ruleIds());
  }

  @Test
  void finiteScoresStillDecideByValue() {
    assertThat(decide(POLICY, request().attribute("risk", -1e308))).isInstanceOf(Decision.Allow.class);
    assertThat(decide(POLICY, request().attribute("risk", 69.9))).isInstanceOf(Decision.Allow.class);
    assertThat(decide(POLICY, request().attribute("risk", 70))).isInstanceOf(Decision.Deny.class);
    assertThat(decide(LOW_RISK_ONLY, request().attribute("risk", 10))).isInstanceOf(Decision.Allow.class);
  }
}
