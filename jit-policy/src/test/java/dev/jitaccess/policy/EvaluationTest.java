package dev.jitaccess.policy;

import static dev.jitaccess.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Decision;
import dev.jitaccess.GrantTerms;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Effects, combination semantics, break-glass, shadow mode and explanations. */
class EvaluationTest {

  static Rule.Builder rule(String id) {
    return Rule.builder(id).owner("team");
  }

  static Decision decide(Requests r, Rule... rules) {
    return RulePolicy.of(Policy.builder().maxTtl(Duration.ofHours(1)).rules(List.of(rules)).build()).evaluate(r.context());
  }

  @Test
  void defaultDenyWithNoRules() {
    Decision d = decide(request());
    assertThat(d).isInstanceOf(Decision.Deny.class);
    assertThat(d.ruleIds()).isEmpty();
    assertThat(d.reasons()).anyMatch(s -> s.contains("default deny"));
    assertThat(d.policyVersion()).startsWith("sha256:").hasSize(7 + 64);
  }

  @Test
  void allowGrantsTheCoveredActionsWithTheRuleTerms() {
    Decision d = decide(request().actions("read", "write", "delete"),
        rule("rw").allow().actions("read", "write").maxTtl(Duration.ofMinutes(20)).idleTimeout(Duration.ofMinutes(5))
            .singleUse(true).maxDelegationDepth(2).build());
    assertThat(d).isInstanceOf(Decision.Allow.class);
    GrantTerms t = ((Decision.Allow) d).terms();
    assertThat(t.actions()).containsExactlyInAnyOrder("read", "write");
    assertThat(t.maxTtl()).isEqualTo(Duration.ofMinutes(20));
    assertThat(t.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(t.singleUse()).isTrue();
    assertThat(t.renewable()).isFalse();
    assertThat(t.maxDelegationDepth()).isEqualTo(2);
    assertThat(t.breakGlass()).isFalse();
    assertThat(d.ruleIds()).containsExactly("rw");
    assertThat(d.reasons()).contains("allowed by rule rw for [read, write]",
        "actions [delete] are not allowed by any rule and are not granted",
        "ttl clamped from 1h to 20m by rule rw");
  }

  @Test
  void grantActionsNarrowTheScope() {
    Decision d = decide(request().actions("read", "write"), rule("ro").allow().grantActions("read").build());
    assertThat(((Decision.Allow) d).terms().actions()).containsExactly("read");
  }

  @Test
  void ttlIsTheMinimumOfRequestedEveryMatchingRuleAndTheCeiling() {
    Rule a = rule("a").allow().actions("read").maxTtl(Duration.ofMinutes(40)).build();
    Rule b = rule("b").allow().actions("write").maxTtl(Duration.ofMinutes(25)).build();
    Rule c = rule("c").allow().build(); // defaults to the ceiling
    Decision d = decide(request().actions("read", "write").ttl(Duration.ofHours(2)), a, b, c);
    assertThat(((Decision.Allow) d).terms().maxTtl()).isEqualTo(Duration.ofMinutes(25));
    assertThat(d.reasons()).contains("ttl clamped from 2h to 1h by the policy ceiling",
        "ttl clamped from 2h to 40m by rule a", "ttl clamped from 2h to 25m by rule b");
    Decision shortRequest = decide(request().actions("read").ttl(Duration.ofMinutes(5)), a, c);
    assertThat(((Decision.Allow) shortRequest).terms().maxTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(shortRequest.reasons()).noneMatch(s -> s.contains("clamped"));
  }

  @Test
  void termsAreTheStrictestOfAllContributingRules() {
    Rule a = rule("a").allow().renewable(true).maxDelegationDepth(3).idleTimeout(Duration.ofMinutes(9)).build();
    Rule b = rule("b").allow().renewable(true).maxDelegationDepth(1).idleTimeout(Duration.ofMinutes(4)).build();
    GrantTerms t = ((Decision.Allow) decide(request(), a, b)).terms();
    assertThat(t.renewable()).isTrue();
    assertThat(t.maxDelegationDepth()).isEqualTo(1);
    assertThat(t.idleTimeout()).isEqualTo(Duration.ofMinutes(4));
    Rule c = rule("c").allow().singleUse(true).build();
    GrantTerms t2 = ((Decision.Allow) decide(request(), a, c)).terms();
    assertThat(t2.singleUse()).isTrue();
    assertThat(t2.renewable()).isFalse();
  }

  @Test
  void denyBeatsApprovalBeatsAllow() {
    Rule allow = rule("allow").allow().build();
    Rule approve = rule("approve").requireApproval("admins", 2, Duration.ofMinutes(10)).maxTtl(Duration.ofMinutes(7)).build();
    Rule deny = rule("deny").deny().environments("prod").build();
    assertThat(decide(request(), allow)).isInstanceOf(Decision.Allow.class);
    Decision na = decide(request(), allow, approve);
    assertThat(na).isInstanceOf(Decision.NeedsApproval.class);
    Decision.NeedsApproval n = (Decision.NeedsApproval) na;
    assertThat(n.requirement().approverGroup()).isEqualTo("admins");
    assertThat(n.requirement().approvals()).isEqualTo(2);
    assertThat(n.requirement().timeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(n.terms().maxTtl()).isEqualTo(Duration.ofMinutes(7));
    assertThat(n.ruleIds()).containsExactly("approve");
    Decision denied = decide(request(), allow, approve, deny);
    assertThat(denied).isInstanceOf(Decision.Deny.class);
    assertThat(denied.ruleIds()).containsExactly("deny");
    assertThat(denied.reasons().get(0)).isEqualTo("denied by rule deny");
  }

  @Test
  void severalApprovalRulesTakeTheMostApprovalsAndShortestTimeout() {
    Rule a = rule("a").requireApproval("leads", 1, Duration.ofMinutes(5)).build();
    Rule b = rule("b").requireApproval("security", 2, Duration.ofMinutes(30)).build();
    Rule c = rule("c").requireApproval("ops", 2, Duration.ofMinutes(60)).build();
    Decision.NeedsApproval n = (Decision.NeedsApproval) decide(request(), c, a, b);
    assertThat(n.requirement()).isEqualTo(new dev.jitaccess.ApprovalRequirement("security", 2, Duration.ofMinutes(5)));
    assertThat(n.ruleIds()).containsExactly("a", "b", "c");
  }

  @Test
  void unknownConditionDeniesOnADenyRuleAndSaysSo() {
    Rule allow = rule("allow").allow().build();
    Rule risky = rule("risky").deny().risk(AttributeCondition.Operator.GE, 70).build();
    Decision missing = decide(request(), allow, risky);
    assertThat(missing).isInstanceOf(Decision.Deny.class);
    assertThat(missing.reasons().get(0)).isEqualTo("denied by rule risky: could not evaluate attribute 'risk' is missing,"
        + " expected risk ge 70; a deny rule applies when in doubt");
    Decision wrongType = decide(request().attribute("risk", "high"), allow, risky);
    assertThat(wrongType.reasons().get(0)).contains("attribute 'risk' was 'high' (a string), expected risk ge 70 (a number)");
    assertThat(decide(request().attribute("risk", 10), allow, risky)).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void aDefinitelyFalseConditionDropsADenyEvenWithAnUnknownOne() {
    Rule allow = rule("allow").allow().build();
    Rule deny = rule("deny").deny().environments("dev").risk(AttributeCondition.Operator.GE, 70).build();
    assertThat(decide(request(), allow, deny)).isInstanceOf(Decision.Allow.class);
  }

  @Test
  void unknownConditionEscalatesAnApprovalRule() {
    Rule allow = rule("allow").allow().build();
    Rule approve = rule("approve").requireApproval("g", 1, Duration.ofMinutes(5))
        .attribute(AttributeCondition.equalTo("change", "standard")).build();
    Decision d = decide(request(), allow, approve);
    assertThat(d).isInstanceOf(Decision.NeedsApproval.class);
    assertThat(d.reasons().get(0)).contains("could not evaluate attribute 'change' is missing");
    assertThat(((Decision.NeedsApproval) d).terms().actions()).containsExactly("deploy");
  }

  @Test
  void inDoubtAnApprovalRuleGrantsNothingByItself() {
    Rule approve = rule("approve").requireApproval("g", 1, Duration.ofMinutes(5))
        .attribute(AttributeCondition.equalTo("change", "standard")).build();
    assertThat(decide(request().attribute("change", "standard"), approve)).isInstanceOf(Decision.NeedsApproval.class);
    Decision d = decide(request(), approve);
    assertThat(d).isInstanceOf(Decision.Deny.class);
    assertThat(d.reasons()).contains("rule approve: could not evaluate attribute 'change' is missing, expected change"
        + " equals 'standard'; in doubt a require-approval rule grants nothing by itself");
  }

  @Test
  void unknownConditionNeverMatchesAnAllowRule() {
    Rule allow = rule("allow").allow().attribute(AttributeCondition.compare("risk", AttributeCondition.Operator.LT, 50)).build();
    Decision d = decide(request(), allow);
    assertThat(d).isInstanceOf(Decision.Deny.class);
    assertThat(d.reasons()).contains("rule allow: could not evaluate attribute 'risk' is missing, expected risk lt 50;"
        + " an allow rule does not match when in doubt");
  }

  @Test
  void explanationNamesTheFirstFailedConditionWithTheActualValue() {
    Rule ciProd = rule("ci-prod").allow().identityIds("spiffe://prod.example.org/ci/*").environments("prod").build();
    Decision d = decide(request().environment("dev"), ciProd);
    assertThat(d.reasons()).contains("rule ci-prod: environment was 'dev', expected one of [prod]");
  }

  @Test
  void explanationsAreCapped() {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rules.add(rule(String.format("r%02d", i)).allow().purposes("other").build());
    }
    Decision d = decide(request(), rules.toArray(new Rule[0]));
    assertThat(d.reasons()).hasSize(1 + Explainer.MAX_MISSES + 1);
    assertThat(d.reasons().get(d.reasons().size() - 1)).isEqualTo("... and 24 more candidate rules did not match");
  }

  @Test
  void breakGlassPassesOverridableRulesButNeverAHardDeny() {
    Rule allow = rule("allow").allow().build();
    Rule soft = rule("soft").deny().overridable(true).environments("prod").build();
    Rule approve = rule("approve").requireApproval("g", 1, Duration.ofMinutes(5)).overridable(true).build();
    Rule hard = rule("hard").deny().actions("delete").build();

    assertThat(decide(request(), allow, soft)).isInstanceOf(Decision.Deny.class);
    Decision bg = decide(request().breakGlass(), allow, soft, approve);
    assertThat(bg).isInstanceOf(Decision.Allow.class);
    assertThat(((Decision.Allow) bg).terms().breakGlass()).isTrue();
    assertThat(bg.ruleIds()).containsExactly("allow", "approve", "soft");
    assertThat(bg.reasons()).contains("break-glass overrode deny rule soft", "break-glass overrode approval rule approve");

    Decision hardDenied = decide(request().actions("deploy", "delete").breakGlass(), allow, soft, hard);
    assertThat(hardDenied).isInstanceOf(Decision.Deny.class);
    assertThat(hardDenied.ruleIds()).containsExactly("hard");
    assertThat(hardDenied.reasons()).contains("denied by rule hard (hard deny: break-glass cannot pass it)");
  }

  @Test
  void breakGlassDoesNotPassANonOverridableApproval() {
    Rule approve = rule("approve").requireApproval("g", 1, Duration.ofMinutes(5)).build();
    Decision d = decide(request().breakGlass(), approve);
    assertThat(d).isInstanceOf(Decision.NeedsApproval.class);
    assertThat(((Decision.NeedsApproval) d).terms().breakGlass()).isTrue();
    assertThat(d.reasons().get(0)).endsWith("(not overridable: break-glass cannot pass it)");
  }

  @Test
  void breakGlassDoesNotCreateAccessWithoutAnAllowRule() {
    Rule soft = rule("soft").deny().overridable(true).build();
    Decision d = decide(request().breakGlass(), soft);
    assertThat(d).isInstanceOf(Decision.Deny.class);
    assertThat(d.reasons()).anyMatch(s -> s.contains("default deny"));
  }

  @Test
  void shadowRulesAreReportedNeverEnforced() {
    Rule allow = rule("allow").allow().build();
    Rule shadowDeny = rule("trial-deny").deny().shadow(true).build();
    Rule shadowApproval = rule("trial-approval").requireApproval("g", 1, Duration.ofMinutes(5)).shadow(true).build();
    Decision d = decide(request(), allow, shadowDeny, shadowApproval);
    assertThat(d).isInstanceOf(Decision.Allow.class);
    assertThat(d.ruleIds()).containsExactly("allow");
    assertThat(d.reasons()).contains("shadow rule trial-approval would require approval by 1 of group 'g' (not enforced)",
        "shadow rule trial-deny would deny (not enforced)");
    Rule shadowAllow = rule("trial-allow").allow().shadow(true).build();
    Decision none = decide(request(), shadowAllow);
    assertThat(none).isInstanceOf(Decision.Deny.class);
    assertThat(none.reasons()).contains("shadow rule trial-allow would allow [deploy] (not enforced)");
  }

  @Test
  void decisionAndVersionDoNotDependOnRuleOrder() {
    List<Rule> rules = new ArrayList<>(List.of(
        rule("a").allow().actions("read").maxTtl(Duration.ofMinutes(30)).build(),
        rule("b").allow().actions("write").build(),
        rule("c").deny().purposes("nope").build(),
        rule("d").allow().environments("dev").build()));
    Requests req = request().actions("read", "write");
    Policy p1 = Policy.builder().maxTtl(Duration.ofHours(1)).rules(rules).build();
    Collections.reverse(rules);
    Policy p2 = Policy.builder().maxTtl(Duration.ofHours(1)).rules(rules).build();
    assertThat(p1.version()).isEqualTo(p2.version());
    assertThat(RulePolicy.of(p1).evaluate(req.context())).isEqualTo(RulePolicy.of(p2).evaluate(req.context()));
  }

  @Test
  void versionChangesWithContentNotFormatting() {
    String a = "version: 1\nmaxTtl: 1h\nrules:\n  - {id: r, owner: o, effect: allow}\n";
    String b = "# comment\nrules:\n  - id: r\n    effect: allow\n    owner: o\nmaxTtl: 60m\nversion: 1\n";
    String c = "version: 1\nmaxTtl: 1h\nrules:\n  - {id: r, owner: o2, effect: allow}\n";
    assertThat(Policy.parse("a", a).orElseThrow().version()).isEqualTo(Policy.parse("b", b).orElseThrow().version());
    assertThat(Policy.parse("a", a).orElseThrow().version()).isNotEqualTo(Policy.parse("c", c).orElseThrow().version());
  }

  @Test
  void allRulesInOneBucketStillDecideCorrectly() {
    // every rule is indexed on the same environment key: a full scan of one bucket
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rules.add(rule("allow-" + i).allow().environments("prod").purposes("p" + i).build());
    }
    rules.add(rule("deny-x").deny().environments("prod").purposes("p150").build());
    assertThat(decide(request().purpose("p42"), rules.toArray(new Rule[0]))).isInstanceOf(Decision.Allow.class);
    Decision d = decide(request().purpose("p150"), rules.toArray(new Rule[0]));
    assertThat(d.ruleIds()).containsExactly("deny-x");
    assertThat(decide(request().purpose("p999"), rules.toArray(new Rule[0]))).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void rulesIndexedOnEveryDimensionAreFound() {
    Rule byId = rule("by-id").allow().identityIds("spiffe://prod.example.org/ci/deploy").actions("a1").build();
    Rule byResource = rule("by-resource").allow().resources("https://api.example.org").actions("a2").build();
    Rule byTd = rule("by-td").allow().trustDomains("prod.example.org").actions("a3").build();
    Rule byIssuer = rule("by-issuer").allow().issuers("spiffe://prod.example.org").actions("a4").build();
    Rule byEnv = rule("by-env").allow().environments("prod").actions("a5").build();
    Rule byAction = rule("by-action").allow().actions("a6", "a7").build();
    Rule always = rule("always").allow().purposes("deploy").grantActions("a8").build();
    Decision d = decide(request().actions("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"),
        byId, byResource, byTd, byIssuer, byEnv, byAction, always);
    assertThat(((Decision.Allow) d).terms().actions())
        .containsExactlyInAnyOrder("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8");
    assertThat(d.ruleIds()).hasSize(7);
    // a rule matching two requested actions is evaluated once
    assertThat(d.reasons().stream().filter(s -> s.startsWith("allowed by rule by-action"))).hasSize(1);
  }

  @Test
  void evaluationFailureDeniesFailClosed() {
    // an identity claim that is a list with a null element cannot break evaluation
    Rule r = rule("r").allow().claim(AttributeCondition.equalTo("groups", "ops")).build();
    Decision d = decide(request().claim("groups", java.util.Arrays.asList("dev", "ops")), r);
    assertThat(d).isInstanceOf(Decision.Allow.class);
    assertThat(decide(request().claim("groups", List.of("dev")), r)).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void grantTermsAreValidForTheBroker() {
    Rule r = rule("r").allow().idleTimeout(Duration.ofMinutes(50)).build();
    GrantTerms t = ((Decision.Allow) decide(request().ttl(Duration.ofMinutes(10)), r)).terms();
    assertThat(t.idleTimeout()).isEqualTo(Duration.ofMinutes(10)); // never longer than the ttl
  }
}
