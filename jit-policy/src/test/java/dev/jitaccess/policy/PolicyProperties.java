package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Decision;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants of the evaluator over random policies and requests from a small vocabulary. */
class PolicyProperties {
  static final List<String> ACTIONS = List.of("read", "write", "deploy", "delete");
  static final List<String> ENVS = List.of("prod", "dev");
  static final List<String> PURPOSES = List.of("deploy", "backup");
  static final List<String> IDS = List.of("spiffe://a.org/ci/x", "spiffe://a.org/agents/y", "spiffe://b.org/ci/x");
  static final Duration CEILING = Duration.ofHours(1);

  /** A rule spec: a seed drives every choice, so jqwik can shrink on the seed and the effect. */
  record Spec(long seed, Rule.Effect effect, boolean withoutPresence) {
    Rule build(String id) {
      Random r = new Random(seed);
      Rule.Builder b = Rule.builder(id).owner("o");
      switch (effect) {
        case DENY:
          b.deny().overridable(r.nextBoolean());
          break;
        case ALLOW:
          b.allow();
          break;
        default:
          b.requireApproval("g", 1 + r.nextInt(2), Duration.ofMinutes(5 + r.nextInt(20))).overridable(r.nextBoolean());
          break;
      }
      if (r.nextInt(3) == 0) {
        b.actions(pick(r, ACTIONS));
      }
      if (r.nextInt(3) == 0) {
        b.environments(pick(r, ENVS));
      }
      if (r.nextInt(3) == 0) {
        b.purposes(pick(r, PURPOSES));
      }
      if (r.nextInt(4) == 0) {
        b.identityIds(r.nextBoolean() ? IDS.get(r.nextInt(IDS.size())) : "spiffe://a.org/*/*");
      }
      if (r.nextInt(4) == 0) {
        b.trustDomains(r.nextBoolean() ? "a.org" : "b.org");
      }
      if (r.nextInt(3) == 0) {
        b.risk(r.nextBoolean() ? AttributeCondition.Operator.GE : AttributeCondition.Operator.LT, r.nextInt(100));
      }
      if (r.nextInt(4) == 0) {
        b.attribute(r.nextBoolean() ? AttributeCondition.equalTo("branch", "main") : AttributeCondition.is("ok", true));
      }
      if (!withoutPresence && r.nextInt(6) == 0) {
        b.attribute(r.nextBoolean() ? AttributeCondition.present("ticket") : AttributeCondition.absent("ticket"));
      }
      if (effect != Rule.Effect.DENY) {
        if (r.nextBoolean()) {
          b.maxTtl(Duration.ofMinutes(1 + r.nextInt(60)));
        }
        if (r.nextInt(4) == 0) {
          b.grantActions(pick(r, ACTIONS));
        }
      }
      return b.build();
    }
  }

  static String[] pick(Random r, List<String> from) {
    List<String> copy = new ArrayList<>(from);
    Collections.shuffle(copy, r);
    return copy.subList(0, 1 + r.nextInt(copy.size())).toArray(new String[0]);
  }

  static Requests request(long seed) {
    Random r = new Random(seed);
    Requests q = Requests.request()
        .id(IDS.get(r.nextInt(IDS.size())))
        .actions(pick(r, ACTIONS))
        .environment(ENVS.get(r.nextInt(2)))
        .purpose(PURPOSES.get(r.nextInt(2)))
        .ttl(Duration.ofMinutes(1 + r.nextInt(120)));
    if (r.nextBoolean()) {
      q.attribute("risk", r.nextInt(100));
    }
    if (r.nextBoolean()) {
      q.attribute("branch", r.nextBoolean() ? "main" : "dev");
    }
    if (r.nextBoolean()) {
      q.attribute("ok", r.nextBoolean());
    }
    if (r.nextBoolean()) {
      q.attribute("ticket", "T-1");
    }
    if (r.nextInt(4) == 0) {
      q.breakGlass();
    }
    return q;
  }

  @Provide
  Arbitrary<List<Spec>> specs() {
    return spec(false).list().ofMaxSize(8);
  }

  @Provide
  Arbitrary<List<Spec>> specsWithoutPresence() {
    return spec(true).list().ofMaxSize(8);
  }

  static Arbitrary<Spec> spec(boolean withoutPresence) {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.of(Rule.Effect.class))
        .as((s, e) -> new Spec(s, e, withoutPresence));
  }

  static Decision decide(List<Spec> specs, Requests request, Rule... extra) {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      rules.add(specs.get(i).build("r" + i));
    }
    rules.addAll(List.of(extra));
    return RulePolicy.of(Policy.builder().maxTtl(CEILING).rules(rules).build()).evaluate(request.context());
  }

  /** 2 = allow, 1 = needs approval, 0 = deny. */
  static int rank(Decision d) {
    return d instanceof Decision.Allow ? 2 : d instanceof Decision.NeedsApproval ? 1 : 0;
  }

  static Set<String> actions(Decision d) {
    return d instanceof Decision.Allow ? ((Decision.Allow) d).terms().actions()
        : d instanceof Decision.NeedsApproval ? ((Decision.NeedsApproval) d).terms().actions() : Set.of();
  }

  @Property(tries = 200)
  void addingADenyNeverWidens(@ForAll("specs") List<Spec> specs, @ForAll long denySeed, @ForAll long requestSeed) {
    Requests req = request(requestSeed);
    Decision before = decide(specs, req);
    Decision after = decide(specs, req, new Spec(denySeed, Rule.Effect.DENY, false).build("added"));
    assertThat(after instanceof Decision.Deny || after.getClass() == before.getClass()).isTrue();
    assertThat(actions(before)).containsAll(actions(after));
    if (after instanceof Decision.Allow && before instanceof Decision.Allow) {
      assertThat(((Decision.Allow) after).terms()).isEqualTo(((Decision.Allow) before).terms());
    }
  }

  @Property(tries = 200)
  void addingAnAllowNeverNarrows(@ForAll("specs") List<Spec> specs, @ForAll long allowSeed, @ForAll long requestSeed) {
    Requests req = request(requestSeed);
    Decision before = decide(specs, req);
    Decision after = decide(specs, req, new Spec(allowSeed, Rule.Effect.ALLOW, false).build("added"));
    if (before instanceof Decision.Allow) {
      assertThat(after).isInstanceOf(Decision.Allow.class);
    }
    if (before instanceof Decision.NeedsApproval) {
      assertThat(after).isInstanceOf(Decision.NeedsApproval.class);
    }
    assertThat(actions(after)).containsAll(actions(before));
  }

  @Property(tries = 150)
  void decisionDoesNotDependOnRuleOrder(@ForAll("specs") List<Spec> specs, @ForAll long requestSeed, @ForAll long shuffleSeed) {
    Requests req = request(requestSeed);
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      rules.add(specs.get(i).build("r" + i));
    }
    Decision a = RulePolicy.of(Policy.builder().maxTtl(CEILING).rules(rules).build()).evaluate(req.context());
    Collections.shuffle(rules, new Random(shuffleSeed));
    Decision b = RulePolicy.of(Policy.builder().maxTtl(CEILING).rules(rules).build()).evaluate(req.context());
    assertThat(b).isEqualTo(a);
  }

  @Property(tries = 200)
  void grantedTtlIsWithinEveryMatchingMaxTtlAndActionsWithinRequested(@ForAll("specs") List<Spec> specs, @ForAll long requestSeed) {
    Requests req = request(requestSeed);
    Decision d = decide(specs, req);
    GrantTerms terms = d instanceof Decision.Allow ? ((Decision.Allow) d).terms()
        : d instanceof Decision.NeedsApproval ? ((Decision.NeedsApproval) d).terms() : null;
    if (terms == null) {
      return;
    }
    GrantRequest asked = req.grantRequest();
    assertThat(asked.actions()).containsAll(terms.actions());
    assertThat(terms.maxTtl()).isLessThanOrEqualTo(asked.ttl()).isLessThanOrEqualTo(CEILING);
    // every non-shadow allow or approval rule that matches on its own bounds the TTL
    for (int i = 0; i < specs.size(); i++) {
      Rule rule = specs.get(i).build("r" + i);
      if (rule.effect() == Rule.Effect.DENY) {
        continue;
      }
      Decision alone = RulePolicy.of(Policy.builder().maxTtl(CEILING).rule(rule).build()).evaluate(req.context());
      if (!(alone instanceof Decision.Deny) && rule.maxTtl != null) {
        assertThat(terms.maxTtl()).isLessThanOrEqualTo(rule.maxTtl);
      }
    }
  }

  @Property(tries = 200)
  void aMissingAttributeNeverTurnsADenyIntoAnAllow(
      @ForAll("specsWithoutPresence") List<Spec> specs, @ForAll long requestSeed, @ForAll("attributeNames") String removed) {
    Requests full = request(requestSeed);
    Requests without = request(requestSeed);
    without.withoutAttribute(removed);
    Decision withAttribute = decide(specs, full);
    Decision withoutAttribute = decide(specs, without);
    assertThat(rank(withoutAttribute)).isLessThanOrEqualTo(rank(withAttribute));
    assertThat(actions(withAttribute)).containsAll(actions(withoutAttribute));
  }

  @Provide
  Arbitrary<String> attributeNames() {
    return Arbitraries.of("risk", "branch", "ok");
  }
}
