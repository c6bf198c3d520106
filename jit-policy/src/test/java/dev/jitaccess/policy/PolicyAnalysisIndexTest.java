package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The bucketed shadowing analysis reports exactly what comparing every allow rule with every deny does. */
class PolicyAnalysisIndexTest {

  /** The analysis before bucketing: every rule against every deny, first covering deny in id order. */
  static List<PolicyAnalysis.Finding> allPairs(List<Rule> rules) {
    List<PolicyAnalysis.Finding> out = new ArrayList<>();
    for (Rule r : rules) {
      String never = PolicyAnalysis.neverMatches(r);
      if (never != null) {
        out.add(new PolicyAnalysis.Finding(r.id, "rule '" + r.id + "': can never match: " + never));
        continue;
      }
      if (r.effect == Rule.Effect.DENY || r.shadow) {
        continue;
      }
      for (Rule d : rules) {
        if (d.effect == Rule.Effect.DENY && !d.shadow && PolicyAnalysis.covers(d, r)) {
          out.add(PolicyAnalysis.shadowed(r, d));
          break;
        }
      }
    }
    return out;
  }

  /** Rules from a small vocabulary, so that denies often cover allows (equal or wider conditions). */
  static Rule rule(long seed, String id) {
    Random r = new Random(seed);
    Rule.Builder b = Rule.builder(id).owner("o");
    boolean deny = r.nextInt(3) == 0;
    if (deny) {
      b.deny().overridable(r.nextBoolean());
    } else if (r.nextInt(4) == 0) {
      b.requireApproval("g", 1, Duration.ofMinutes(5));
    } else {
      b.allow();
    }
    if (r.nextInt(10) == 0) {
      b.shadow(true);
    }
    if (r.nextInt(3) == 0) {
      b.identityIds(PolicyProperties.pick(r, List.of("spiffe://a.org/ci/x", "spiffe://a.org/*", "ci-*")));
    }
    if (r.nextInt(3) == 0) {
      b.resources(PolicyProperties.pick(r, List.of("https://r1.example.org", "https://r1.example.org/*",
          "https://r1*", "*", "*.org", "https://r2.example.org/db")));
    }
    if (r.nextInt(4) == 0) {
      b.trustDomains(PolicyProperties.pick(r, List.of("a.org", "b.org")));
    }
    if (r.nextInt(5) == 0) {
      b.issuers(PolicyProperties.pick(r, List.of("i1", "i2")));
    }
    if (r.nextInt(4) == 0) {
      b.purposes(PolicyProperties.pick(r, List.of("deploy", "backup")));
    }
    if (r.nextInt(3) == 0) {
      b.environments(PolicyProperties.pick(r, List.of("prod", "dev")));
    }
    if (r.nextInt(3) == 0) {
      b.actions(PolicyProperties.pick(r, List.of("read", "write")));
    }
    if (!deny && r.nextInt(4) == 0) {
      b.grantActions(PolicyProperties.pick(r, List.of("read", "write")));
    }
    if (r.nextInt(6) == 0) {
      b.taskIds(r.nextBoolean() ? "t-*" : "t-1");
    }
    return b.build();
  }

  @Provide
  Arbitrary<List<Long>> seeds() {
    return Arbitraries.longs().list().ofMaxSize(40);
  }

  @Property(tries = 300)
  void bucketedAnalysisFindsWhatEveryPairDoes(@ForAll("seeds") List<Long> seeds) {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      rules.add(rule(seeds.get(i), String.format("r%02d", i)));
    }
    rules.sort(Comparator.comparing(Rule::id));
    assertThat(PolicyAnalysis.analyze(rules)).isEqualTo(allPairs(rules));
  }

  @Test
  void aShadowedRuleInALargeSetIsStillReported() {
    Policy.Builder p = IndexedEvaluationTest.worstShapeRules(10_000, Policy.builder().maxTtl(Duration.ofHours(1)));
    // hidden by a deny on a wider resource glob and the same identity pattern
    p.rule(Rule.builder("z-hidden").owner("o").allow().identityIds("spiffe://td0.example.org/svc/s7/*").environments("prod")
        .resources("https://r7.example.org/db").actions("read").build());
    p.rule(Rule.builder("z-deny").owner("o").deny().identityIds("spiffe://td0.example.org/svc/s7/*")
        .resources("https://r7.example.org/*").build());
    // hidden by an environment-wide hard deny
    p.rule(Rule.builder("z-staging").owner("o").allow().identityIds("spiffe://td0.example.org/svc/s9/*").environments("staging")
        .build());
    p.rule(Rule.builder("z-no-staging").owner("o").deny().environments("staging").build());
    Policy policy = p.build();
    assertThat(policy.warnings()).extracting(Diagnostic::message).containsExactlyInAnyOrder(
        "rule 'r000007': shadowed by hard deny rule 'z-deny': it can never take effect",
        "rule 'z-hidden': shadowed by hard deny rule 'z-deny': it can never take effect",
        "rule 'z-staging': shadowed by hard deny rule 'z-no-staging': it can never take effect");
  }
}
