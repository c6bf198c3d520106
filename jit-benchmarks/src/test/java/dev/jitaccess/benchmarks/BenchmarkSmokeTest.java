package dev.jitaccess.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.Verification;
import dev.jitaccess.testkit.TestTrustDomain;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One setup and one invocation of every benchmark method, so the suite cannot rot: each produces a token
 * that verifies, the floor's token carries the same claims as the library's, and nothing is timed.
 */
class BenchmarkSmokeTest {

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void grantBenchmarksIssueVerifiableTokens(SigningAlgorithm algorithm) throws Exception {
    GrantThroughputBenchmark b = new GrantThroughputBenchmark();
    b.algorithm = algorithm;
    b.setUp();
    try {
      GrantVerifier verifier =
          GrantVerifier.builder().issuer(Brokers.ISSUER).jwks(b.broker().publicJwks()).build();
      Grant left = b.request();
      assertThat(verifier.verify(left.token(), Brokers.RESOURCE)).isInstanceOf(Verification.Verified.class);
      assertThat(left.isLive()).isTrue();

      String closedToken = b.requestAndClose();
      assertThat(verifier.verify(closedToken, Brokers.RESOURCE)).isInstanceOf(Verification.Verified.class);
      Verification atBroker = b.broker().verifier().verify(closedToken, Brokers.RESOURCE);
      assertThat(atBroker).isInstanceOf(Verification.Rejected.class);
      assertThat(((Verification.Rejected) atBroker).reason()).isEqualTo(Verification.RejectionReason.REVOKED);

      String floorToken = b.floor();
      SignedJWT floorJwt = SignedJWT.parse(floorToken);
      JWSVerifier floorKey = b.floorForTest().verifier();
      assertThat(floorJwt.verify(floorKey)).isTrue();
      SignedJWT libraryJwt = SignedJWT.parse(left.token());
      assertThat(floorJwt.getHeader().getAlgorithm()).isEqualTo(libraryJwt.getHeader().getAlgorithm());
      assertThat(floorJwt.getHeader().getType()).isEqualTo(libraryJwt.getHeader().getType());
      assertThat(claimNames(floorJwt.getJWTClaimsSet())).isEqualTo(claimNames(libraryJwt.getJWTClaimsSet()));
      assertThat(floorJwt.getJWTClaimsSet().getJSONObjectClaim("tctx").keySet())
          .isEqualTo(libraryJwt.getJWTClaimsSet().getJSONObjectClaim("tctx").keySet());
      assertThat(floorJwt.getJWTClaimsSet().getJSONObjectClaim("rctx"))
          .isEqualTo(libraryJwt.getJWTClaimsSet().getJSONObjectClaim("rctx"));
    } finally {
      b.tearDown();
    }
  }

  @ParameterizedTest
  @EnumSource(SigningAlgorithm.class)
  void verifyBenchmarksAcceptTheToken(SigningAlgorithm algorithm) throws Exception {
    VerifyBenchmark b = new VerifyBenchmark();
    b.algorithm = algorithm;
    b.setUp();
    try {
      for (int i = 0; i < VerifyBenchmark.RING + 2; i++) {
        assertThat(b.brokerVerifier()).isInstanceOf(Verification.Verified.class);
        assertThat(b.brokerVerifierFirst()).isInstanceOf(Verification.Verified.class);
        assertThat(b.brokerVerifierUncached()).isInstanceOf(Verification.Verified.class);
        assertThat(b.standaloneVerifier()).isInstanceOf(Verification.Verified.class);
        assertThat(b.standaloneVerifierFirst()).isInstanceOf(Verification.Verified.class);
      }
      assertThat(b.floor().getSubject()).isEqualTo(JwtSvids.WORKLOAD);
      assertThat(b.ring()).doesNotHaveDuplicates().doesNotContain(b.token());
    } finally {
      b.tearDown();
    }
  }

  @ParameterizedTest
  @EnumSource(value = SigningAlgorithm.class, names = {"ES256", "RS256"})
  void springDecoderAcceptsTheSameTokensAndRefusesAnotherAudienceOrATamperedOne(SigningAlgorithm algorithm)
      throws Exception {
    VerifyBenchmark v = new VerifyBenchmark();
    v.algorithm = algorithm;
    v.setUp();
    try {
      SpringDecoderBenchmark s = SpringDecoderBenchmark.over(v);
      for (int i = 0; i < 3; i++) {
        assertThat(s.springRepeated().getSubject()).isEqualTo(JwtSvids.WORKLOAD);
        assertThat(s.springFirst().getAudience()).containsExactly(Brokers.RESOURCE);
      }
      String t = v.token();
      String tampered = t.substring(0, t.lastIndexOf('.') + 1) + (t.charAt(t.lastIndexOf('.') + 1) == 'A' ? 'B' : 'A')
          + t.substring(t.lastIndexOf('.') + 2);
      assertThatThrownBy(() -> SpringDecoderBenchmark.decoder(v.brokerJwks(), algorithm).decode(tampered))
          .isInstanceOf(org.springframework.security.oauth2.jwt.JwtException.class);
      org.springframework.security.oauth2.jwt.NimbusJwtDecoder otherAudience =
          SpringDecoderBenchmark.decoder(v.brokerJwks(), algorithm);
      otherAudience.setJwtValidator(new org.springframework.security.oauth2.jwt.JwtAudienceValidator("https://other.example.org"));
      assertThatThrownBy(() -> otherAudience.decode(t)).isInstanceOf(org.springframework.security.oauth2.jwt.JwtException.class);
    } finally {
      v.tearDown();
    }
  }

  @Test
  void jdkFloorsWork() throws Exception {
    JdkEcdsaFloorBenchmark b = new JdkEcdsaFloorBenchmark();
    b.setUp();
    try {
      assertThat(SignedJWT.parse(b.grantFloor()).getJWTClaimsSet().getSubject()).isEqualTo(JwtSvids.WORKLOAD);
      assertThat(b.verifyFloor().getIssuer()).isEqualTo(Brokers.ISSUER);
    } finally {
      b.tearDown();
    }
  }

  @Test
  void theJwtSvidCheckRefusesBadCredentials() {
    Clock clock = Clock.systemUTC();
    JwtSvids svids = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, clock);
    JwtSvids other = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, clock);
    JwtSvids evil = new JwtSvids(TestTrustDomain.create("evil.org", clock), Crypto.Ecdsa.BOUNCY_CASTLE, clock);
    assertThat(svids.check(svids.mint(JwtSvids.WORKLOAD, Duration.ofMinutes(1)))).isNotNull();
    assertThat(svids.withFloorProvider(Crypto.Ecdsa.JDK).check(svids.mint(JwtSvids.WORKLOAD, Duration.ofMinutes(1))))
        .as("SunEC check").isNotNull();
    assertThat(svids.check(other.mint(JwtSvids.WORKLOAD, Duration.ofMinutes(1)))).as("foreign key").isNull();
    assertThat(svids.check(evil.mint("spiffe://evil.org/x", Duration.ofMinutes(1)))).as("foreign domain").isNull();
    assertThat(svids.check("not.a.jwt")).as("garbage").isNull();
  }

  @Test
  void theResourceFloorRefusesAnotherAudienceAndATamperedToken() throws Exception {
    VerifyBenchmark b = new VerifyBenchmark();
    b.algorithm = SigningAlgorithm.ES256;
    b.setUp();
    try {
      Floors.Resource floor = new Floors.Resource(
          Crypto.verifier(JWKSet.parse(b.brokerJwks()).getKeys().get(0), Crypto.Ecdsa.BOUNCY_CASTLE), Clock.systemUTC());
      assertThat(floor.verify(b.token(), Brokers.RESOURCE)).isNotNull();
      assertThat(floor.verify(b.token(), "https://other.example.org")).isNull();
      String[] parts = b.token().split("\\.");
      String otherSig = b.token().substring(0, b.token().lastIndexOf('.') + 1)
          + (parts[2].startsWith("A") ? "B" : "A") + parts[2].substring(1);
      assertThat(floor.verify(otherSig, Brokers.RESOURCE)).isNull();
    } finally {
      b.tearDown();
    }
  }

  private static java.util.Set<String> claimNames(JWTClaimsSet claims) {
    Map<String, Object> all = claims.getClaims();
    return all.keySet();
  }
}
