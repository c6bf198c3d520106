package dev.jitaccess.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Decision;
import dev.jitaccess.spi.PolicyContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The indexes (exact keys and literal prefixes) change which rules a decision looks at, never the
 * decision: the indexed evaluator agrees with a scan of every rule, and an Allow without the full
 * explanation differs from the full one only by the candidate rules that did not match.
 */
class IndexedEvaluationTest {
  static final List<String> TDS = List.of("a.org", "b.org", "ab.org");
  static final List<String> PATHS = List.of("ci", "ci/x", "ci/xy", "cix/y", "agents/y", "agents/y/z", "svc/s1", "svc/s10");
  static final List<String> RESOURCES = List.of("https://r1.example.org/db", "https://r1.example.org",
      "https://r10.example.org/db/t", "https://r2.example.org/x", "s3://bucket/key", "https://r1.example.orgx");
  static final List<String> ACTIONS = List.of("read", "write", "deploy");
  static final TimeWindow BUSINESS = TimeWindow.parse("business", "Europe/Berlin", "MON-FRI", "08:00-18:00");
  static final TimeWindow NIGHT = TimeWindow.parse("night", "UTC", "MON-SUN", "22:00-06:00");

  static String id(Random r) {
    return "spiffe://" + TDS.get(r.nextInt(TDS.size())) + "/" + PATHS.get(r.nextInt(PATHS.size()));
  }

  /** An identity pattern: exact, segment wildcards, partial-segment wildcards, '**', or not SPIFFE. */
  static String idPattern(Random r) {
    String td = TDS.get(r.nextInt(TDS.size()));
    return switch (r.nextInt(9)) {
      case 0 -> id(r);
      case 1 -> "spiffe://" + td + "/ci/*";
      case 2 -> "spiffe://" + td + "/ci*";
      case 3 -> "spiffe://" + td + "/**";
      case 4 -> "spiffe://" + td + "/agents/**";
      case 5 -> "spiffe://" + td + "/svc/s1*";
      case 6 -> "spiffe://" + td + "/*/y";
      case 7 -> "spiffe://" + td + "/svc/s1/*";
      default -> r.nextBoolean() ? "https://issuer.example/*" : "*";
    };
  }

  static String resourcePattern(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> RESOURCES.get(r.nextInt(RESOURCES.size()));
      case 1 -> "https://r1.example.org/*";
      case 2 -> "https://r1.example.org*";
      case 3 -> "https://r1*.example.org/*";
      case 4 -> "https://r?.example.org/*";
      case 5 -> "*.example.org/db";
      case 6 -> "s3://bucket/*";
      default -> "*";
    };
  }

  static Rule rule(long seed, String ruleId) {
    Random r = new Random(seed);
    Rule.Builder b = Rule.builder(ruleId).owner("o");
    int effect = r.nextInt(4);
    switch (effect) {
      case 0 -> b.deny().overridable(r.nextBoolean());
      case 1 -> b.requireApproval("g", 1 + r.nextInt(2), Duration.ofMinutes(5 + r.nextInt(20)))
          .overridable(r.nextBoolean());
      default -> b.allow();
    }
    if (r.nextInt(8) == 0) {
      b.shadow(true);
    }
    if (r.nextInt(3) > 0) {
      b.identityIds(r.nextInt(4) == 0 ? new String[] {idPattern(r), idPattern(r)} : new String[] {idPattern(r)});
    }
    if (r.nextInt(5) == 0) {
      b.trustDomains(TDS.get(r.nextInt(TDS.size())));
    }
    if (r.nextInt(3) > 0) {
      b.resources(r.nextInt(4) == 0 ? new String[] {resourcePattern(r), resourcePattern(r)}
          : new String[] {resourcePattern(r)});
    }
    if (r.nextInt(3) == 0) {
      b.actions(PolicyProperties.pick(r, ACTIONS));
    }
    if (r.nextInt(4) == 0) {
      b.environments(r.nextBoolean() ? "prod" : "dev");
    }
    if (r.nextInt(6) == 0) {
      b.within(BUSINESS);
    }
    if (r.nextInt(8) == 0) {
      b.outside(NIGHT);
    }
    if (r.nextInt(6) == 0) {
      b.risk(AttributeCondition.Operator.LT, 50);
    }
    if (effect != 0 && r.nextInt(3) == 0) {
      b.maxTtl(Duration.ofMinutes(1 + r.nextInt(60)));
    }
    return b.build();
  }

  static Requests request(long seed) {
    Random r = new Random(seed);
    Requests q = Requests.request()
        .id(r.nextInt(8) == 0 ? "https://issuer.example/job" : id(r))
        .resource(RESOURCES.get(r.nextInt(RESOURCES.size())))
        .actions(PolicyProperties.pick(r, ACTIONS))
        .environment(r.nextBoolean() ? "prod" : "dev")
        .ttl(Duration.ofMinutes(1 + r.nextInt(120)))
        .at(r.nextBoolean() ? "2025-03-04T09:00:00Z" : "2025-03-08T23:30:00Z");
    if (r.nextBoolean()) {
      q.attribute("risk", r.nextInt(100));
    }
    if (r.nextInt(4) == 0) {
      q.breakGlass();
    }
    return q;
  }

  static CompiledPolicy compile(List<Long> seeds) {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < seeds.size(); i++) {
      rules.add(rule(seeds.get(i), String.format("r%02d", i)));
    }
    return CompiledPolicy.compile(Policy.builder().maxTtl(Duration.ofHours(1)).rules(rules).build());
  }

  /** The reasons less the lines about candidate rules that did not match. */
  static List<String> withoutMisses(Decision d) {
    List<String> out = new ArrayList<>();
    for (String s : d.reasons()) {
      boolean miss = (s.startsWith("rule ") && !s.endsWith("grants nothing by itself")) || s.startsWith("... and ");
      if (!miss) {
        out.add(s);
      }
    }
    return out;
  }

  static void assertSameDecision(Decision indexed, Decision scanned) {
    assertThat(indexed.getClass()).isEqualTo(scanned.getClass());
    assertThat(indexed.ruleIds()).isEqualTo(scanned.ruleIds());
    assertThat(indexed.policyVersion()).isEqualTo(scanned.policyVersion());
    assertThat(withoutMisses(indexed)).isEqualTo(withoutMisses(scanned));
    if (indexed instanceof Decision.Deny d) {
      assertThat(d.facet()).isEqualTo(((Decision.Deny) scanned).facet());
    }
    if (indexed instanceof Decision.Allow a) {
      assertThat(a.terms()).isEqualTo(((Decision.Allow) scanned).terms());
    }
    if (indexed instanceof Decision.NeedsApproval a) {
      assertThat(a.terms()).isEqualTo(((Decision.NeedsApproval) scanned).terms());
      assertThat(a.requirement()).isEqualTo(((Decision.NeedsApproval) scanned).requirement());
    }
  }

  @Provide
  Arbitrary<List<Long>> ruleSeeds() {
    return Arbitraries.longs().list().ofMaxSize(30);
  }

  @Property(tries = 300)
  void indexedEvaluationAgreesWithAScanOfEveryRule(@ForAll("ruleSeeds") List<Long> seeds, @ForAll long requestSeed) {
    CompiledPolicy p = compile(seeds);
    PolicyContext c = request(requestSeed).context();
    assertSameDecision(p.evaluate(c, true), p.evaluateByScan(c));
    assertSameDecision(p.evaluate(c, false), p.evaluateByScan(c));
  }

  @Property(tries = 200)
  void onlyAnAllowLeavesOutTheCandidatesThatDidNotMatch(@ForAll("ruleSeeds") List<Long> seeds, @ForAll long requestSeed) {
    CompiledPolicy p = compile(seeds);
    PolicyContext c = request(requestSeed).context();
    Decision quick = p.evaluate(c, false);
    Decision full = p.evaluate(c, true);
    if (quick instanceof Decision.Allow) {
      assertThat(quick.reasons()).isEqualTo(withoutMisses(full));
      assertThat(quick.reasons()).noneMatch(s -> s.startsWith("rule ") || s.startsWith("... and "));
    } else {
      assertThat(quick).isEqualTo(full);
    }
  }

  /** The benchmark's one-bucket shape: one trust domain, environment and action; patterns and globs. */
  static Policy worstShape(int n) {
    return worstShapeRules(n, Policy.builder().maxTtl(Duration.ofHours(1))).build();
  }

  /** Adds the one-bucket shape's {@code n} rules ({@code r000000}...; every tenth a deny) to {@code p}. */
  static Policy.Builder worstShapeRules(int n, Policy.Builder p) {
    for (int i = 0; i < n; i++) {
      Rule.Builder r = Rule.builder(String.format("r%06d", i)).owner("bench");
      if (i % 10 == 0) {
        r.deny();
      } else {
        r.allow();
      }
      p.rule(r.identityIds("spiffe://td0.example.org/svc/s" + i + "/*").environments("prod")
          .resources("https://r" + i + ".example.org/*").actions("read").build());
    }
    return p;
  }

  static PolicyContext worstRequest(int i) {
    return Requests.request().id("spiffe://td0.example.org/svc/s" + i + "/job")
        .resource("https://r" + i + ".example.org/db").actions("read").environment("prod")
        .ttl(Duration.ofMinutes(15)).context();
  }

  @Test
  void patternsAndGlobsAreIndexedByTheirLiteralPrefix() {
    CompiledPolicy p = CompiledPolicy.compile(worstShape(2_000));
    // s1 must not reach s10..s19 or s100..: the prefix ends at the '/' before the wildcard
    assertThat(p.candidateCount(worstRequest(1))).isEqualTo(1);
    assertThat(p.candidateCount(worstRequest(1234))).isEqualTo(1);
    Decision allowed = p.evaluate(worstRequest(1234));
    assertThat(allowed).isInstanceOf(Decision.Allow.class);
    assertThat(allowed.ruleIds()).containsExactly("r001234");
    assertThat(allowed.reasons()).containsExactly("allowed by rule r001234 for [read]", "granted [read] for 15m");
    Decision denied = p.evaluate(worstRequest(1230));
    assertThat(denied.ruleIds()).containsExactly("r001230");
    // a request for no rule's prefix meets no candidate and is denied by default
    PolicyContext stranger = Requests.request().id("spiffe://td0.example.org/other/job")
        .resource("https://r1.example.org/db").actions("read").environment("prod").context();
    assertThat(p.candidateCount(stranger)).isZero();
    assertThat(p.evaluate(stranger)).isInstanceOf(Decision.Deny.class);
  }

  @Test
  void aRuleWithNestedPrefixesIsVisitedOnce() {
    Rule both = Rule.builder("both").owner("o").allow().identityIds("spiffe://a.org/ci/*", "spiffe://a.org/ci/x/**").build();
    CompiledPolicy p = CompiledPolicy.compile(Policy.builder().maxTtl(Duration.ofHours(1)).rule(both).build());
    PolicyContext c = Requests.request().id("spiffe://a.org/ci/x").context();
    assertThat(p.candidateCount(c)).isEqualTo(1);
    assertThat(p.evaluate(c).ruleIds()).containsExactly("both");
  }

  @Test
  void fullExplanationOfAnAllowListsTheCandidatesThatDidNotMatch() {
    Rule allow = Rule.builder("allow").owner("o").allow().identityIds("spiffe://a.org/ci/*").build();
    Rule mainOnly = Rule.builder("main-only").owner("o").allow().identityIds("spiffe://a.org/ci/*")
        .attribute(AttributeCondition.equalTo("branch", "main")).build();
    RulePolicy policy = RulePolicy.of(Policy.builder().maxTtl(Duration.ofHours(1)).rules(List.of(allow, mainOnly)).build());
    PolicyContext c = Requests.request().id("spiffe://a.org/ci/x").attribute("branch", "dev").actions("read").context();
    assertThat(policy.evaluate(c).reasons()).containsExactly("allowed by rule allow for [read]", "granted [read] for 1h");
    assertThat(policy.explain(c).reasons()).containsExactly("allowed by rule allow for [read]", "granted [read] for 1h",
        "rule main-only: attribute 'branch' was 'dev', expected branch equals 'main'");
  }

  @Test
  void requestedTtlTextsAreBoundedAndCorrect() {
    CompiledPolicy p = CompiledPolicy.compile(Policy.builder().maxTtl(Duration.ofHours(24))
        .rule(Rule.builder("a").owner("o").allow().build()).build());
    for (int m = 1; m <= 400; m++) {
      Decision d = p.evaluate(Requests.request().ttl(Duration.ofMinutes(m)).context());
      assertThat(d.reasons()).last().isEqualTo("granted [deploy] for " + Durations.format(Duration.ofMinutes(m)));
    }
    assertThat(p.evaluate(Requests.request().ttl(Duration.ofSeconds(90)).context())
        .reasons()).last().isEqualTo("granted [deploy] for 1m30s");
  }
}
