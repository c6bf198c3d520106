package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java builders: null, bad values, options set twice, contradictions. */
class BuildersTest {
  @Test
  void ruleBuilderIsStrict() {
    assertThatThrownBy(() -> Rule.builder(null)).isInstanceOf(NullPointerException.class).hasMessage("id");
    assertThatThrownBy(() -> Rule.builder("bad id")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad rule id 'bad id'");
    assertThatThrownBy(() -> Rule.builder("r").owner(null)).isInstanceOf(NullPointerException.class).hasMessage("owner");
    assertThatThrownBy(() -> Rule.builder("r").owner("a").owner("b")).isInstanceOf(IllegalStateException.class)
        .hasMessage("owner was already set");
    assertThatThrownBy(() -> Rule.builder("r").allow().deny()).isInstanceOf(IllegalStateException.class)
        .hasMessage("effect was already set to allow");
    assertThatThrownBy(() -> Rule.builder("r").maxTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxTtl must be positive, got PT0S");
    assertThatThrownBy(() -> Rule.builder("r").requireApproval("g", 0, Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("approvals must be between 1 and 100, got 0");
    assertThatThrownBy(() -> Rule.builder("r").identityIds("spiffe://td/a//b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad SPIFFE ID pattern");
    assertThatThrownBy(() -> Rule.builder("r").trustDomains("TD")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Rule.builder("r").actions()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("at least one action is required");
    assertThatThrownBy(() -> Rule.builder("r").maxDelegationDepth(11)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Rule.builder("r").owner("o").build()).isInstanceOf(IllegalStateException.class)
        .hasMessage("rule r: an effect (deny, allow or require-approval) is required");
    assertThatThrownBy(() -> Rule.builder("r").allow().build()).isInstanceOf(IllegalStateException.class)
        .hasMessage("rule r: an owner is required");
    assertThatThrownBy(() -> Rule.builder("r").owner("o").deny().maxTtl(Duration.ofMinutes(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("a deny rule grants nothing");
    assertThatThrownBy(() -> Rule.builder("r").owner("o").allow().overridable(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("only deny and require-approval rules can be overridable");
    assertThatThrownBy(() -> Rule.builder("r").owner("o").allow().singleUse(true).renewable(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("both single-use and renewable");
    assertThatThrownBy(() -> Rule.builder("r").owner("o").allow().maxTtl(Duration.ofMinutes(1)).idleTimeout(Duration.ofMinutes(2)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("idleTimeout 2m is above maxTtl 1m");
    assertThatThrownBy(() -> Rule.builder("r").owner("o").allow().validFrom(Requests.TUESDAY_10).validUntil(Requests.TUESDAY_10).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not before validUntil");
  }

  @Test
  void policyBuilderReportsEveryProblem() {
    Rule a = Rule.builder("a").owner("o").allow().maxTtl(Duration.ofHours(2)).build();
    Rule a2 = Rule.builder("a").owner("o").deny().build();
    assertThatThrownBy(() -> Policy.builder().maxTtl(Duration.ofHours(1)).rule(a).rule(a2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rule a: maxTtl 2h is above the policy ceiling 1h; duplicate rule id 'a'");
    assertThatThrownBy(() -> Policy.builder().build()).isInstanceOf(IllegalStateException.class).hasMessage("maxTtl is required");
    assertThatThrownBy(() -> Policy.builder().maxTtl(Duration.ofDays(2))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Policy.builder().rule(null)).isInstanceOf(NullPointerException.class).hasMessage("rule");
    assertThatThrownBy(() -> Policy.parse("x", null)).isInstanceOf(NullPointerException.class).hasMessage("yaml");
  }

  @Test
  void policyBuiltInJavaHasWarningsWithoutPositions() {
    Policy p = Policy.builder().maxTtl(Duration.ofHours(1))
        .rule(Rule.builder("deny-all").owner("o").deny().build())
        .rule(Rule.builder("allow").owner("o").allow().environments("prod").build())
        .build();
    assertThat(p.warnings()).extracting(Diagnostic::toString)
        .containsExactly("policy: warning: rule 'allow': shadowed by hard deny rule 'deny-all': it can never take effect");
  }

  @Test
  void conditionsCheckTheirOperands() {
    assertThatThrownBy(() -> new AttributeCondition("x", AttributeCondition.Operator.LT, "a"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lt needs a finite number");
    assertThatThrownBy(() -> AttributeCondition.compare("x", AttributeCondition.Operator.LT, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AttributeCondition.compare("x", AttributeCondition.Operator.IS, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("not a numeric operator: IS");
    assertThatThrownBy(() -> AttributeCondition.cidr("x", "10.0.0.0/40")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AttributeCondition("x", AttributeCondition.Operator.PRESENT, "y"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AttributeCondition.equalTo(" ", "y")).isInstanceOf(IllegalArgumentException.class);
    assertThat(AttributeCondition.cidr("x", "10.0.0.0/8").operand()).isEqualTo(List.of("10.0.0.0/8"));
  }

  @Test
  void timeWindowsCheckTheirParts() {
    assertThatThrownBy(() -> TimeWindow.parse("", "Europe/Berln", "MON", "08:00-09:00"))
        .hasMessageContaining("unknown time zone 'Europe/Berln'");
    assertThatThrownBy(() -> TimeWindow.parse("", "UTC", "MON", "09:00-09:00")).hasMessageContaining("is empty");
    assertThatThrownBy(() -> TimeWindow.parse("", "UTC", "MON", "25:00-26:00")).hasMessageContaining("bad hours");
    assertThat(TimeWindow.parse("", "UTC", "FRI-MON", "00:00-24:00").days()).hasSize(4);
  }
}
