package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.jitaccess.Credential;
import dev.jitaccess.spi.IdentityResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every scenario of jwt-svid-scenarios.tsv and jwt-static-tokens.tsv, minting the described tokens
 * with Nimbus and fresh keys. GO scenarios run with go-jose's 60 s leeway, JAVA ones with none, each as
 * its upstream does. Two JAVA scenarios ("using empty typ") are DISPUTED: go rejects an empty typ, and
 * so do we (CONFORMANCE.md).
 */
class JwtScenarioConformanceTest {
  static final Instant NOW = TestPki.T0;
  static final long N = NOW.getEpochSecond();
  static final Set<String> WE_REJECT_ALTHOUGH_UPSTREAM_ACCEPTS =
      Set.of("java:parseAndValidate:using empty typ", "java:parseInsecure:using empty typ");

  // GO setup: trust domain "trustdomain", key1 EC P-384 (ES384), key2 RSA-2048 (RS256)
  static final ECKey GO_KEY1 = TestJwt.ec(Curve.P_384);
  static final RSAKey GO_KEY2 = TestJwt.rsa(2048);
  static final BundleSet GO_BUNDLES = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("trustdomain"))
      .jwtAuthority("authority1", TestJwt.pub(GO_KEY1)).jwtAuthority("authority2", TestJwt.pub(GO_KEY2))
      .jwtAuthority("key1", TestJwt.pub(GO_KEY1)).build());
  // JAVA setup: trust domain "test.domain", authority1/2 EC P-521 (ES512), authority3 RSA-2048 (RS512)
  static final ECKey J1 = TestJwt.ec(Curve.P_521);
  static final ECKey J2 = TestJwt.ec(Curve.P_521);
  static final RSAKey J3 = TestJwt.rsa(2048);
  static final BundleSet JAVA_BUNDLES = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("test.domain"))
      .jwtAuthority("authority1", TestJwt.pub(J1)).jwtAuthority("authority2", TestJwt.pub(J2))
      .jwtAuthority("authority3", TestJwt.pub(J3)).build());

  /** One scenario: how to mint, what to verify with, and the reason we expect on rejection. */
  static final class Scenario {
    final boolean go;
    final Supplier<String> token;
    final String[] audiences;
    final BundleSource bundles;
    final String reason; // null = verified

    Scenario(boolean go, Supplier<String> token, String[] audiences, BundleSource bundles, String reason) {
      this.go = go;
      this.token = token;
      this.audiences = audiences;
      this.bundles = bundles;
      this.reason = reason;
    }
  }

  static TestJwt.Draft goStd() {
    return new TestJwt.Draft("ES384", "authority1").claim("sub", "spiffe://trustdomain/host").claim("iss", "issuer")
        .claim("aud", List.of("audience")).claim("iat", N).claim("exp", N + 60);
  }

  static TestJwt.Draft javaStd(String alg, String kid) {
    return new TestJwt.Draft(alg, kid).claim("sub", "spiffe://test.domain/host")
        .claim("aud", List.of("audience1", "audience2")).claim("exp", N + 3600);
  }

  static TestJwt.Draft javaInsecureStd() {
    return new TestJwt.Draft("ES512", "authority1").claim("sub", "spiffe://test.domain/host")
        .claim("aud", List.of("audience")).claim("exp", N + 3600);
  }

  static String staticToken(String id) {
    return ConformanceData.tsv("jwt-static-tokens.tsv").stream().filter(r -> r.raw(0).equals(id))
        .findFirst().orElseThrow().get(1);
  }

  static Scenario go(Supplier<String> t, String reason, String... aud) {
    return new Scenario(true, t, aud.length == 0 ? new String[] {"audience"} : aud, GO_BUNDLES, reason);
  }

  static Scenario java(Supplier<String> t, String reason, String... aud) {
    return new Scenario(false, t, aud.length == 0 ? new String[] {"audience1", "audience2"} : aud, JAVA_BUNDLES, reason);
  }

  static Map<String, Scenario> scenarios() {
    Map<String, Scenario> m = new LinkedHashMap<>();
    // go ParseAndValidate; "(nil)" expected audience: go skips the aud check, we never do, so we expect
    // the token's own audience "audience"
    m.put("go:ParseAndValidate:success", go(() -> goStd().sign(GO_KEY1), null));
    m.put("go:ParseAndValidate:malformed", go(() -> "invalid token", "B1:"));
    m.put("go:ParseAndValidate:unsupported algorithm", go(() -> staticToken("go-hs256"), "B2: algorithm \"HS256\""));
    m.put("go:ParseAndValidate:missing subject", go(() -> goStd().claim("sub", null).sign(GO_KEY1), "B6: token has no sub"));
    m.put("go:ParseAndValidate:missing expiration claim", go(() -> goStd().claim("exp", null).sign(GO_KEY1), "B8: token has no exp"));
    m.put("go:ParseAndValidate:expired", go(() -> goStd().claim("exp", N - 60).sign(GO_KEY1), "B8: JWT-SVID expired at ", "audience"));
    m.put("go:ParseAndValidate:unexpected audience", go(() -> goStd().sign(GO_KEY1), "B7: aud does not contain", "another"));
    m.put("go:ParseAndValidate:invalid subject claim", go(() -> goStd().claim("sub", "invalid subject").sign(GO_KEY1),
        "B6: sub is not a valid SPIFFE ID: scheme is missing or invalid", "audience"));
    m.put("go:ParseAndValidate:missing key", go(() -> goStd().header("kid", null).sign(GO_KEY1), "B4: token header has no kid", "audience"));
    m.put("go:ParseAndValidate:no bundle for trust domain", go(() -> goStd().header("kid", "noAuthority")
        .claim("sub", "spiffe://another.domain/host").sign(GO_KEY1), "B10: no bundle for trust domain another.domain", "audience"));
    m.put("go:ParseAndValidate:no bundle for authority", go(() -> goStd().header("kid", "noKey").sign(GO_KEY1),
        "B10: kid \"noKey\" is not a jwt-svid key of trust domain trustdomain", "audience"));
    m.put("go:ParseAndValidate:mismatched JWT authority", go(() -> goStd().header("alg", "RS256").sign(GO_KEY2),
        "B11: key type EC does not match algorithm RS256", "audience"));
    m.put("go:ParseAndValidate:invalid typ", go(() -> goStd().header("typ", "invalid").sign(GO_KEY1), "B5:"));
    // go ParseInsecure: upstream skips the signature; our verifier always checks it, so tokens are signed
    m.put("go:ParseInsecure:success", go(() -> goStd().header("kid", "key1").sign(GO_KEY1), null));
    m.put("go:ParseInsecure:malformed", go(() -> "invalid token", "B1:"));
    m.put("go:ParseInsecure:invalid algorithm", go(() -> staticToken("go-hs256"), "B2:"));
    m.put("go:ParseInsecure:missing subject claim", go(() -> goStd().header("kid", "key1").claim("sub", null).sign(GO_KEY1), "B6:"));
    m.put("go:ParseInsecure:missing expiration claim", go(() -> goStd().header("kid", "key1").claim("exp", null).sign(GO_KEY1), "B8:"));
    m.put("go:ParseInsecure:expired", go(() -> goStd().header("kid", "key1").claim("exp", N - 60).sign(GO_KEY1), "B8: JWT-SVID expired at ", "audience"));
    m.put("go:ParseInsecure:unexpected audience", go(() -> goStd().header("kid", "key1").sign(GO_KEY1), "B7:", "another"));
    m.put("go:ParseInsecure:invalid subject claim", go(() -> goStd().header("kid", "key1").claim("sub", "invalid subject").sign(GO_KEY1), "B6:", "audience"));
    m.put("go:ParseInsecure:invalid typ (test named 'success')", go(() -> goStd().header("kid", "key1").header("typ", "invalid").sign(GO_KEY1), "B5:"));
    m.put("go:ParseInsecure:TestMarshal", go(() -> goStd().header("kid", "key1").claim("exp", N).claim("iat", N + 60).sign(GO_KEY1), null, "audience"));
    // java parseAndValidate
    m.put("java:parseAndValidate:using EC signature", java(() -> javaStd("ES512", "authority1").header("typ", "JOSE").sign(J1), null, "audience1"));
    m.put("java:parseAndValidate:using RSA signature", java(() -> javaStd("RS512", "authority3").sign(J3), null));
    m.put("java:parseAndValidate:using empty typ", java(() -> javaStd("RS512", "authority3").header("typ", "").sign(J3), "B5:"));
    m.put("java:parseAndValidate:audience contains expected - success", java(() -> javaStd("ES512", "authority1").sign(J1), null, "audience1"));
    m.put("java:parseAndValidate:malformed", java(() -> "invalid token", "B1:"));
    m.put("java:parseAndValidate:unsupported algorithm", java(() -> staticToken("java-hs256"), "B2: algorithm \"HS256\"", "audience"));
    m.put("java:parseAndValidate:missing subject", java(() -> javaStd("ES512", "authority1").claim("sub", "").sign(J1), "B6: token has no sub"));
    m.put("java:parseAndValidate:missing expiration", java(() -> javaStd("ES512", "authority1").claim("exp", null).sign(J1), "B8: token has no exp"));
    m.put("java:parseAndValidate:token has expired", java(() -> javaStd("ES512", "authority1").claim("exp", N).sign(J1), "B8: JWT-SVID expired at "));
    m.put("java:parseAndValidate:unexpected audience", java(() -> javaStd("ES512", "authority1").sign(J1), "B7:", "another"));
    m.put("java:parseAndValidate:empty expected audience", java(() -> javaStd("ES512", "authority1").sign(J1), "BUILDER"));
    m.put("java:parseAndValidate:missing audience claim", java(() -> javaStd("ES512", "authority1").claim("aud", null).sign(J1), "B7: token has no aud"));
    m.put("java:parseAndValidate:empty audience claim", java(() -> javaStd("ES512", "authority1").claim("aud", List.of()).sign(J1), "B7: token has no aud"));
    m.put("java:parseAndValidate:invalid subject claim", java(() -> javaStd("ES512", "authority1").claim("sub", "non-spiffe-subject").sign(J1), "B6: sub is not a valid SPIFFE ID"));
    m.put("java:parseAndValidate:missing key id", java(() -> javaStd("ES512", null).sign(J1), "B4:"));
    m.put("java:parseAndValidate:key id contains an empty value", java(() -> javaStd("ES512", "   ").sign(J1), "B4:"));
    m.put("java:parseAndValidate:no bundle for trust domain", new Scenario(false, () -> javaStd("ES512", "authority1").sign(J1),
        new String[] {"audience1"}, BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("other.domain")).build()),
        "B10: no bundle for trust domain test.domain"));
    m.put("java:parseAndValidate:no authority found for key id", new Scenario(false, () -> javaStd("ES512", "authority1").sign(J1),
        new String[] {"audience1"}, BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("test.domain")).build()),
        "B10: kid \"authority1\" is not a jwt-svid key"));
    m.put("java:parseAndValidate:signature cannot be verified with authority", java(() -> javaStd("ES512", "authority1").sign(J2), "B10: signature does not verify"));
    m.put("java:parseAndValidate:authority algorithm mismatch", java(() -> javaStd("RS512", "authority1").sign(J3), "B11: key type EC does not match algorithm RS512"));
    m.put("java:parseAndValidate:not valid header 'typ'", java(() -> javaStd("ES512", "authority1").header("typ", "OTHER").sign(J1), "B5:"));
    // java parseInsecure
    m.put("java:parseInsecure:using typ as JWT", java(() -> javaInsecureStd().sign(J1), null, "audience"));
    m.put("java:parseInsecure:using typ as JOSE", java(() -> javaInsecureStd().header("typ", "JOSE").sign(J1), null, "audience"));
    m.put("java:parseInsecure:using empty typ", java(() -> javaInsecureStd().header("typ", "").sign(J1), "B5:", "audience"));
    m.put("java:parseInsecure:malformed", java(() -> "invalid token", "B1:", "audience"));
    m.put("java:parseInsecure:missing subject", java(() -> javaInsecureStd().claim("sub", "").sign(J1), "B6:", "audience"));
    m.put("java:parseInsecure:missing expiration", java(() -> javaInsecureStd().claim("exp", null).sign(J1), "B8:", "audience"));
    m.put("java:parseInsecure:token has expired", java(() -> javaInsecureStd().claim("exp", N).sign(J1), "B8: JWT-SVID expired at ", "audience"));
    m.put("java:parseInsecure:unexpected audience", java(() -> javaInsecureStd().sign(J1), "B7:", "another"));
    m.put("java:parseInsecure:empty expected audience", java(() -> javaInsecureStd().sign(J1), "BUILDER"));
    m.put("java:parseInsecure:invalid subject claim", java(() -> javaInsecureStd().claim("sub", "non-spiffe-subject").sign(J1), "B6:", "audience"));
    m.put("java:parseInsecure:not valid header 'typ'", java(() -> javaInsecureStd().header("typ", "OTHER").sign(J1), "B5:", "audience"));
    return m;
  }

  @Test
  void everyScenarioOfTheTsvHasARunnerAndViceVersa() {
    Set<String> ids = ConformanceData.tsv("jwt-svid-scenarios.tsv").stream().map(r -> r.raw(0)).collect(Collectors.toSet());
    assertThat(ids).hasSize(55);
    assertThat(scenarios().keySet()).containsExactlyInAnyOrderElementsOf(ids);
  }

  @TestFactory
  Stream<DynamicTest> jwtSvidScenarios() {
    Map<String, Scenario> all = scenarios();
    return ConformanceData.tsv("jwt-svid-scenarios.tsv").stream().map(row -> dynamicTest(row.raw(0), () -> {
      String id = row.raw(0);
      Scenario s = all.get(id);
      boolean upstreamValid = row.raw(6).equals("valid");
      boolean weAccept = s.reason == null;
      if (WE_REJECT_ALTHOUGH_UPSTREAM_ACCEPTS.contains(id)) {
        assertThat(upstreamValid).as("disputed scenario flips upstream's verdict").isTrue();
        assertThat(weAccept).isFalse();
      } else {
        assertThat(weAccept).as("verdict of %s", id).isEqualTo(upstreamValid);
      }
      if ("BUILDER".equals(s.reason)) {
        // an empty expected-audience set cannot even be configured
        assertThatThrownBy(() -> JwtSvidVerifier.builder().audiences()).isInstanceOf(IllegalArgumentException.class);
        return;
      }
      JwtSvidVerifier v = JwtSvidVerifier.builder().bundleSource(s.bundles).audiences(s.audiences)
          .clock(Clock.fixed(NOW, ZoneOffset.UTC)).leeway(s.go ? Duration.ofSeconds(60) : Duration.ZERO).build();
      IdentityResult r = v.verify(Credential.jwtSvid(s.token.get()));
      if (weAccept) {
        assertThat(r).isInstanceOf(IdentityResult.Verified.class);
      } else {
        assertThat(r).isInstanceOf(IdentityResult.Rejected.class);
        assertThat(Rejections.text(r)).startsWith(s.reason);
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> staticTokensAreRejectedAtTheAlgorithmCheck() {
    List<ConformanceData.Row> rows = ConformanceData.tsv("jwt-static-tokens.tsv");
    assertThat(rows).hasSize(2);
    return rows.stream().map(row -> dynamicTest(row.raw(0), () -> {
      assertThat(row.raw(2)).isEqualTo("invalid");
      for (BundleSet b : new BundleSet[] {GO_BUNDLES, JAVA_BUNDLES}) {
        JwtSvidVerifier v = JwtSvidVerifier.builder().bundleSource(b).audiences("audience")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        IdentityResult r = v.verify(Credential.jwtSvid(row.get(1)));
        assertThat(Rejections.text(r)).startsWith("B2: algorithm \"HS256\" is not allowed");
      }
    }));
  }
}
