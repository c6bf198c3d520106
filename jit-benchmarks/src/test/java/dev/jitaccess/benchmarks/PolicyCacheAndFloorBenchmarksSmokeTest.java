package dev.jitaccess.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Decision;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.PolicyContext;
import dev.jitaccess.testkit.TestTrustDomain;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One setup and a few invocations of the repeated-presentation, policy-engine, policy-compile and
 * signature-floor benchmarks (nothing is timed): the cached and uncached brokers both grant, the two
 * policy engines give the same answer to every request, and both JWT-SVID validators accept the token.
 */
class PolicyCacheAndFloorBenchmarksSmokeTest {

  @Test
  void repeatedPresentationBrokersGrantAndAllow() throws Exception {
    RepeatedPresentationBenchmark b = new RepeatedPresentationBenchmark();
    b.algorithm = SigningAlgorithm.ES256;
    b.setUp();
    try {
      for (int i = 0; i < 3; i++) {
        assertThat(SignedJWT.parse(b.requestCached()).getJWTClaimsSet().getSubject()).isEqualTo(JwtSvids.WORKLOAD);
        assertThat(SignedJWT.parse(b.requestUncached()).getJWTClaimsSet().getSubject()).isEqualTo(JwtSvids.WORKLOAD);
        assertThat(b.evaluateCached()).isInstanceOf(Decision.Allow.class);
        assertThat(b.evaluateUncached()).isInstanceOf(Decision.Allow.class);
      }
    } finally {
      b.tearDown();
    }
  }

  @ParameterizedTest
  @CsvSource({"10, INDEXED", "10, WORST", "1000, INDEXED", "1000, WORST"})
  void bothPolicyEnginesAgreeOnEveryRequest(int rules, PolicyRules.Shape shape) {
    PolicyBenchmark b = new PolicyBenchmark();
    b.rules = rules;
    b.shape = shape;
    b.setUp();
    PolicyContext[] contexts = b.contextsForTest();
    Object[][] casbin = b.casbinRequestsForTest();
    int allowed = 0;
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < contexts.length; i++) {
      boolean ours = b.policyForTest().evaluate(contexts[i]) instanceof Decision.Allow;
      boolean theirs = b.casbinForTest().enforce(casbin[i]);
      if (ours != theirs) {
        disagreements.add(i + ": jit-policy " + ours + ", jCasbin " + theirs + " for " + List.of(casbin[i]));
      }
      allowed += ours ? 1 : 0;
    }
    assertThat(disagreements).isEmpty();
    assertThat(allowed).as("most requests aim at an allow rule").isGreaterThan(contexts.length / 2);
    // a request no rule covers is denied by both
    PolicyRules none = PolicyRules.generate(rules, shape, 1, 7);
    Object[] stranger = {"spiffe://elsewhere.org/x", "prod", "https://nowhere.example.org", "read"};
    assertThat(b.casbinForTest().enforce(stranger)).isFalse();
    assertThat(none.tuples).hasSize(rules);
    for (int i = 0; i < 2 * PolicyBenchmark.REQUESTS; i++) {
      assertThat(b.jitPolicy()).isNotNull();
      b.jcasbin();
    }
  }

  @Test
  void worstCaseRulesShareOneBucketAndIndexedRulesDoNot() {
    PolicyRules worst = PolicyRules.generate(100, PolicyRules.Shape.WORST, 4, 1);
    assertThat(worst.tuples).allMatch(t -> t.environment().equals("prod") && t.action().equals("read")
        && t.trustDomain().equals("td0.example.org") && t.resource().endsWith("/*"));
    PolicyRules indexed = PolicyRules.generate(100, PolicyRules.Shape.INDEXED, 4, 1);
    assertThat(indexed.tuples).allMatch(t -> !t.resource().contains("*"));
    assertThat(indexed.tuples.stream().map(PolicyRules.Tuple::trustDomain).distinct().count()).isEqualTo(10);
  }

  @Test
  void policyCompileBenchmarksBuildTheEngines() {
    PolicyCompileBenchmark b = new PolicyCompileBenchmark();
    b.size = 500;
    b.shape = PolicyRules.Shape.INDEXED;
    b.setUp();
    assertThat(b.build().rules()).hasSize(500);
    assertThat(b.compile().policy().rules()).hasSize(500);
    assertThat(b.jcasbinLoad().getPolicy()).hasSize(500);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "RS256"})
  void bothJwtSvidValidatorsAcceptTheToken(String algorithm) throws Exception {
    SvidValidationBenchmark b = new SvidValidationBenchmark();
    b.algorithm = algorithm;
    b.setUp();
    IdentityResult ours = b.jitSpiffe();
    assertThat(ours).isInstanceOf(IdentityResult.Verified.class);
    assertThat(((IdentityResult.Verified) ours).identity().id()).isEqualTo(SvidValidationBenchmark.WORKLOAD);
    assertThat(b.javaSpiffe().getSpiffeId().toString()).isEqualTo(SvidValidationBenchmark.WORKLOAD);
    assertThat(b.nimbusSignatureOnly()).isTrue();
  }

  @Test
  void grantFloorWithSunEcChecksTheSameSvid() throws Exception {
    GrantThroughputBenchmark b = new GrantThroughputBenchmark();
    b.algorithm = SigningAlgorithm.ES256;
    b.setUp();
    try {
      assertThat(SignedJWT.parse(b.floorSunEcSvidCheck()).verify(b.floorForTest().verifier())).isTrue();
      GrantVerifier verifier = GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(b.broker().publicJwks()).build();
      assertThat(verifier.verify(b.request().token(), Brokers.RESOURCE)).isInstanceOf(Verification.Verified.class);
    } finally {
      b.tearDown();
    }
  }

  @Test
  void theFloorRefusesAnExpiredSvidFromTheSameDomain() {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
    JwtSvids old = new JwtSvids(TestTrustDomain.create("example.org", past), Crypto.Ecdsa.JDK, Clock.systemUTC());
    assertThat(old.check(old.mint(JwtSvids.WORKLOAD, Duration.ofMinutes(1)))).isNull();
    assertThat(old.check(old.mint(JwtSvids.WORKLOAD, Duration.ofHours(3)))).isNotNull();
  }
}
