package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** JWT-SVID rules B1-B12, each with a positive and a negative test. */
class JwtSvidVerifierTest {
  static final Instant NOW = TestPki.T0;
  static final String SUB = "spiffe://example.org/ci/deploy";
  static final ECKey EC = TestJwt.ec(Curve.P_256);
  static final ECKey EC384 = TestJwt.ec(Curve.P_384);
  static final RSAKey RSA = TestJwt.rsa(2048);
  static final ECKey OTHER = TestJwt.ec(Curve.P_256);
  static final BundleSet BUNDLES = BundleSet.of(
      SpiffeBundle.builder(TrustDomain.parse("example.org"))
          .jwtAuthority("ec", TestJwt.pub(EC))
          .jwtAuthority("ec384", TestJwt.pub(EC384))
          .jwtAuthority("rsa", TestJwt.pub(RSA))
          .build(),
      SpiffeBundle.builder(TrustDomain.parse("other.org")).jwtAuthority("other", TestJwt.pub(OTHER)).build());

  static JwtSvidVerifier verifier() {
    return JwtSvidVerifier.builder().bundleSource(BUNDLES).audiences("broker", "broker-alt")
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).ownerClaim("owner").build();
  }

  static TestJwt.Draft good() {
    return new TestJwt.Draft("ES256", "ec").std(SUB, NOW, "broker");
  }

  static IdentityResult verify(String token) {
    return verifier().verify(Credential.jwtSvid(token));
  }

  static void accepted(String token) {
    assertThat(verify(token)).isInstanceOf(IdentityResult.Verified.class);
  }

  static void rejected(String token, String reasonStart) {
    IdentityResult r = verify(token);
    assertThat(r).isInstanceOf(IdentityResult.Rejected.class);
    String reason = Rejections.text(r);
    assertThat(reason).startsWith(reasonStart).doesNotContain(token);
    for (String part : token.split("\\.")) {
      if (part.length() > 8) {
        assertThat(reason).doesNotContain(part);
      }
    }
  }

  @Test
  void verifiedIdentityCarriesClaimsTrustDomainPathExpiryAndOwner() {
    IdentityResult r = verify(good().claim("owner", "team-ci").claim("repo", List.of("a", "b"))
        .claim("path", "spoofed").claim("nested", Map.of("k", true)).sign(EC));
    WorkloadIdentity id = ((IdentityResult.Verified) r).identity();
    assertThat(id.id()).isEqualTo(SUB);
    assertThat(id.issuer()).isEqualTo("spiffe://example.org");
    assertThat(id.kind()).isEqualTo("jwt-svid");
    assertThat(id.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
    assertThat(id.owner()).contains("team-ci");
    assertThat(id.attributes()).containsEntry("trust_domain", "example.org").containsEntry("path", "/ci/deploy")
        .containsEntry("repo", List.of("a", "b")).containsEntry("nested", Map.of("k", true))
        .containsEntry("sub", SUB).containsEntry("aud", "broker");
    assertThat(id.certificateThumbprint()).isEmpty();
  }

  @Test
  void ownerMappingIsUsedWhenTheClaimIsAbsent() {
    JwtSvidVerifier v = JwtSvidVerifier.builder().bundleSource(BUNDLES).audiences("broker")
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).ownerClaim("owner")
        .ownerMapping(id -> id.path().startsWith("/ci") ? Optional.of("platform") : Optional.empty()).build();
    IdentityResult r = v.verify(Credential.jwtSvid(good().sign(EC)));
    assertThat(((IdentityResult.Verified) r).identity().owner()).contains("platform");
    IdentityResult r2 = v.verify(Credential.jwtSvid(good().claim("owner", "claimed").sign(EC)));
    assertThat(((IdentityResult.Verified) r2).identity().owner()).contains("claimed");
  }

  @Test
  void b1CompactSerializationOnlyAndSizeLimit() {
    accepted(good().sign(EC));
    String t = good().sign(EC);
    String[] p = t.split("\\.");
    rejected("{\"payload\":\"" + p[1] + "\",\"signatures\":[]}", "B1: JWS JSON serialization");
    rejected("invalid token", "B1:");
    rejected(p[0] + "." + p[1], "B1: token is not a compact JWS (2 parts)");
    rejected(t + ".x.y", "B1: token is not a compact JWS (5 parts)");
    rejected("e30." + p[1] + "." + p[2], "B2: token has no alg");
    rejected("bm90anNvbg." + p[1] + "." + p[2], "B1: token header is not a base64url JSON object");
    rejected(p[0] + ".bm90anNvbg." + p[2], "B1: token payload");
    rejected(good().claim("pad", "x".repeat(9000)).sign(EC), "B1: token is longer than 8192 bytes");
    // duplicate member names in the header are refused, not resolved
    String dupHeader = TestJwt.b64("{\"alg\":\"ES256\",\"kid\":\"ec\",\"alg\":\"none\"}");
    rejected(dupHeader + "." + p[1] + "." + p[2], "B1: token header");
  }

  @Test
  void b2AlgorithmAllowListIsCheckedFirst() {
    accepted(new TestJwt.Draft("ES384", "ec384").std(SUB, NOW, "broker").sign(EC384));
    accepted(new TestJwt.Draft("RS256", "rsa").std(SUB, NOW, "broker").sign(RSA));
    accepted(new TestJwt.Draft("RS512", "rsa").std(SUB, NOW, "broker").sign(RSA));
    accepted(new TestJwt.Draft("PS256", "rsa").std(SUB, NOW, "broker").sign(RSA));
    rejected(new TestJwt.Draft("none", "ec").std(SUB, NOW, "broker").unsigned(), "B2: algorithm \"none\" is not allowed");
    rejected(new TestJwt.Draft("HS256", "ec").std(SUB, NOW, "broker").hmac(TestJwt.pub(EC).getEncoded()),
        "B2: algorithm \"HS256\" is not allowed");
    rejected(new TestJwt.Draft("EdDSA", "ec").std(SUB, NOW, "broker").sign(EC, "ES256"), "B2: algorithm \"EdDSA\"");
    // checked before anything else: even with no kid and no sub, alg is what is reported
    rejected(new TestJwt.Draft("none", null).unsigned(), "B2:");
    rejected(new TestJwt.Draft("es256", "ec").std(SUB, NOW, "broker").sign(EC, "ES256"), "B2:");
  }

  @Test
  void b3KeyBearingHeadersAreRefused() {
    accepted(good().header("cty", "JWT").sign(EC)); // harmless extra header tolerated
    for (String h : new String[] {"crit", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "b64"}) {
      rejected(good().header(h, h.equals("crit") ? List.of("exp") : "x").sign(EC), "B3: header " + h);
    }
  }

  @Test
  void jweHeaderMembersAreRefusedEvenOnAValidSignature() {
    // a JWS-signed token whose header says it is a JWE: a parser that dispatches on "enc" would not
    // treat it as this token; refused before the key lookup or the signature
    rejected(good().header("enc", "A256GCM").sign(EC), "B1: a JWE header (enc, zip)");
    rejected(good().header("zip", "DEF").sign(EC), "B1: a JWE header (enc, zip)");
  }

  @Test
  void b4KidIsRequired() {
    accepted(good().sign(EC));
    rejected(new TestJwt.Draft("ES256", null).std(SUB, NOW, "broker").sign(EC), "B4: token header has no kid");
    rejected(new TestJwt.Draft("ES256", "   ").std(SUB, NOW, "broker").sign(EC), "B4:");
    rejected(good().header("kid", 7).sign(EC), "B4:");
  }

  @Test
  void b5TypMustBeJwtOrJoseIfPresent() {
    accepted(good().header("typ", "JOSE").sign(EC));
    accepted(good().header("typ", null).sign(EC));
    rejected(good().header("typ", "invalid").sign(EC), "B5: typ must be JWT or JOSE");
    rejected(good().header("typ", "").sign(EC), "B5:");
    rejected(good().header("typ", "jwt").sign(EC), "B5:");
  }

  @Test
  void b6SubMustBeAValidSpiffeId() {
    accepted(good().sign(EC));
    rejected(good().claim("sub", null).sign(EC), "B6: token has no sub claim");
    rejected(good().claim("sub", "").sign(EC), "B6: token has no sub claim");
    rejected(good().claim("sub", "invalid subject").sign(EC), "B6: sub is not a valid SPIFFE ID: scheme is missing or invalid");
    rejected(good().claim("sub", "SPIFFE://EXAMPLE.ORG/w").sign(EC), "B6:");
    rejected(good().claim("sub", 42).sign(EC), "B6:");
  }

  @Test
  void b7AudMustContainOneOfOurAudiences() {
    accepted(good().claim("aud", List.of("someone-else", "broker-alt")).sign(EC));
    rejected(good().claim("aud", null).sign(EC), "B7: token has no aud claim");
    rejected(good().claim("aud", List.of()).sign(EC), "B7: token has no aud claim");
    rejected(good().claim("aud", "another").sign(EC), "B7: aud does not contain the expected audience");
    rejected(good().claim("aud", List.of("broker", 3)).sign(EC), "B7: aud holds a value");
    rejected(good().claim("aud", 5).sign(EC), "B7:");
    assertThatThrownBy(() -> JwtSvidVerifier.builder().audiences()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtSvidVerifier.builder().bundleSource(BUNDLES).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("audiences are required");
  }

  @Test
  void b8ExpIsRequiredWithLeeway() {
    long now = NOW.getEpochSecond();
    accepted(good().claim("exp", now - 29).sign(EC)); // within 30 s leeway
    accepted(good().claim("exp", now - 29.5).sign(EC)); // fractional NumericDate
    rejected(good().claim("exp", now - 30).sign(EC), "B8: JWT-SVID expired at "); // exactly at the edge
    rejected(good().claim("exp", now - 3600).sign(EC), "B8: JWT-SVID expired at ");
    rejected(good().claim("exp", null).sign(EC), "B8: token has no exp claim");
    rejected(good().claim("exp", "tomorrow").sign(EC), "B8: exp is not a NumericDate");
    accepted(good().claim("exp", 253_402_300_799L).sign(EC)); // 9999-12-31T23:59:59Z: far future, no overflow
    // beyond year 9999 is no date an issuer means: refused rather than read as "never expires"
    rejected(good().claim("exp", Long.MAX_VALUE).sign(EC), "B8: exp is not a NumericDate");
  }

  @Test
  void b8ZeroLeewayRejectsExpEqualToNow() {
    JwtSvidVerifier strict = JwtSvidVerifier.builder().bundleSource(BUNDLES).audiences("broker")
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).leeway(Duration.ZERO).build();
    long now = NOW.getEpochSecond();
    assertThat(strict.verify(Credential.jwtSvid(good().claim("exp", now + 1).sign(EC))))
        .isInstanceOf(IdentityResult.Verified.class);
    assertThat(strict.verify(Credential.jwtSvid(good().claim("exp", now).sign(EC))))
        .isInstanceOf(IdentityResult.Rejected.class);
  }

  @Test
  void b9NbfAndIatNotInTheFutureBeyondLeeway() {
    long now = NOW.getEpochSecond();
    accepted(good().claim("nbf", now + 30).claim("iat", now + 30).sign(EC));
    rejected(good().claim("nbf", now + 31).sign(EC), "B9: JWT-SVID is not valid before ");
    rejected(good().claim("iat", now + 31).sign(EC), "B9: JWT-SVID was issued in the future");
    rejected(good().claim("iat", "now").sign(EC), "B9: iat is not a NumericDate");
  }

  @Test
  void b10SignatureOnlyWithJwtSvidKeysOfTheSubsTrustDomain() {
    accepted(new TestJwt.Draft("ES256", "other").std("spiffe://other.org/w", NOW, "broker").sign(OTHER));
    // signed by another trust domain's key, claiming example.org
    rejected(new TestJwt.Draft("ES256", "other").std(SUB, NOW, "broker").sign(OTHER),
        "B10: kid \"other\" is not a jwt-svid key of trust domain example.org");
    // right kid, wrong signer
    rejected(new TestJwt.Draft("ES256", "ec").std(SUB, NOW, "broker").sign(OTHER), "B10: signature does not verify");
    rejected(good().header("kid", "nope").sign(EC), "B10: kid \"nope\" is not a jwt-svid key");
    rejected(new TestJwt.Draft("ES256", "ec").std("spiffe://third.org/w", NOW, "broker").sign(EC),
        "B10: no bundle for trust domain third.org");
    // tampered payload
    String t = good().sign(EC);
    String[] p = t.split("\\.");
    String forged = TestJwt.b64("{\"sub\":\"" + SUB + "\",\"aud\":\"broker\",\"exp\":" + (NOW.getEpochSecond() + 99999) + "}");
    rejected(p[0] + "." + forged + "." + p[2], "B10: signature does not verify");
    rejected(p[0] + "." + p[1] + ".", "B1: token has no signature");
  }

  @Test
  void b11KeyTypeMustMatchAlg() {
    accepted(new TestJwt.Draft("RS384", "rsa").std(SUB, NOW, "broker").sign(RSA));
    rejected(new TestJwt.Draft("RS256", "ec").std(SUB, NOW, "broker").sign(RSA), "B11: key type EC does not match algorithm RS256");
    rejected(new TestJwt.Draft("ES256", "rsa").std(SUB, NOW, "broker").sign(EC), "B11: key type RSA");
    rejected(new TestJwt.Draft("ES256", "ec384").std(SUB, NOW, "broker").sign(EC384, "ES384"), "B11: EC key curve P-384");
    RSAKey weak = TestJwt.rsa(1024);
    BundleSet b = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("example.org"))
        .jwtAuthority("weak", TestJwt.pub(weak)).build());
    JwtSvidVerifier v = JwtSvidVerifier.builder().bundleSource(b).audiences("broker")
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    IdentityResult r = v.verify(Credential.jwtSvid(new TestJwt.Draft("RS256", "weak").std(SUB, NOW, "broker").sign(weak)));
    assertThat(Rejections.text(r)).startsWith("B11: RSA key is shorter than 2048 bits");
  }

  @Test
  void b12JtiIsOptionalAndNotTracked() {
    String withJti = good().claim("jti", "abc").sign(EC);
    accepted(withJti);
    accepted(withJti); // replay is not this verifier's concern
    accepted(good().sign(EC));
    // negative: jti does not rescue an otherwise bad token
    rejected(good().claim("jti", "abc").claim("aud", "x").sign(EC), "B7:");
  }

  @Test
  void onlyJwtSvidTokensAreSupported() {
    JwtSvidVerifier v = verifier();
    assertThat(v.supports(Credential.jwtSvid("x"))).isTrue();
    assertThat(v.supports(Credential.oidcToken("x"))).isFalse();
    assertThat(((IdentityResult.Rejected) v.verify(Credential.oidcToken(good().sign(EC)))).reason())
        .isEqualTo("not a JWT-SVID credential");
  }

  @Test
  void expiredRejectionSaysWhenInWordsAndKeepsTheRuleAsAField() {
    IdentityResult.Rejected r = (IdentityResult.Rejected) verify(good().claim("exp", NOW.getEpochSecond() - 70).sign(EC));
    assertThat(r.code()).isEqualTo(IdentityResult.Code.EXPIRED);
    assertThat(r.rule()).isEqualTo("B8");
    assertThat(r.reason()).isEqualTo(
        "JWT-SVID expired at " + NOW.minusSeconds(70) + ", now " + NOW + ", leeway 30 s");
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> codes() {
    long now = NOW.getEpochSecond();
    return java.util.stream.Stream.of(
        org.junit.jupiter.params.provider.Arguments.of("B1", IdentityResult.Code.TOO_LARGE,
            good().claim("pad", "x".repeat(9000)).sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B1", IdentityResult.Code.MALFORMED, "a.b"),
        org.junit.jupiter.params.provider.Arguments.of("B2", IdentityResult.Code.ALGORITHM,
            new TestJwt.Draft("none", "ec").std(SUB, NOW, "broker").unsigned()),
        org.junit.jupiter.params.provider.Arguments.of("B3", IdentityResult.Code.HEADER,
            good().header("jku", "https://evil.example").sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B4", IdentityResult.Code.HEADER,
            new TestJwt.Draft("ES256", null).std(SUB, NOW, "broker").sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B5", IdentityResult.Code.HEADER,
            good().header("typ", "jwt").sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B6", IdentityResult.Code.BAD_SUBJECT,
            good().claim("sub", "nope").sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B7", IdentityResult.Code.WRONG_AUDIENCE,
            good().claim("aud", "another").sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B8", IdentityResult.Code.EXPIRED,
            good().claim("exp", now - 3600).sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B9", IdentityResult.Code.NOT_YET_VALID,
            good().claim("nbf", now + 3600).sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B10", IdentityResult.Code.UNTRUSTED_ISSUER,
            new TestJwt.Draft("ES256", "ec").std("spiffe://third.org/w", NOW, "broker").sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B10", IdentityResult.Code.UNKNOWN_KEY,
            good().header("kid", "nope").sign(EC)),
        org.junit.jupiter.params.provider.Arguments.of("B10", IdentityResult.Code.BAD_SIGNATURE,
            new TestJwt.Draft("ES256", "ec").std(SUB, NOW, "broker").sign(OTHER)),
        org.junit.jupiter.params.provider.Arguments.of("B11", IdentityResult.Code.UNKNOWN_KEY,
            new TestJwt.Draft("ES256", "rsa").std(SUB, NOW, "broker").sign(EC)));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1}")
  @org.junit.jupiter.params.provider.MethodSource("codes")
  void everyRejectionCarriesItsCodeAndRule(String rule, IdentityResult.Code code, String token) {
    IdentityResult.Rejected r = (IdentityResult.Rejected) verify(token);
    assertThat(r.rule()).isEqualTo(rule);
    assertThat(r.code()).isEqualTo(code);
    assertThat(r.reason()).doesNotStartWith(rule + ":");
  }

  @Test
  void ownerClaimWithControlCharactersIsRefusedAtTheSource() {
    for (String owner : List.of("team\nFORGED", "team\r", "team\u001b[31m", "team\u202eevil", "team\u0085")) {
      IdentityResult r = verify(good().claim("owner", owner).sign(EC));
      assertThat(r).isInstanceOfSatisfying(IdentityResult.Rejected.class, rej -> {
        assertThat(rej.code()).isEqualTo(IdentityResult.Code.INVALID_IDENTITY);
        assertThat(rej.reason()).startsWith("the owner holds the control character U+").doesNotContain("FORGED");
      });
    }
    accepted(good().claim("owner", "team-ci \u00e9quipe").sign(EC)); // printable non-ASCII stays allowed
  }

  @Test
  void ownerMappingWithControlCharactersIsRefused() {
    JwtSvidVerifier v = JwtSvidVerifier.builder().bundleSource(BUNDLES).audiences("broker")
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).ownerMapping(id -> Optional.of("x\ny")).build();
    assertThat(((IdentityResult.Rejected) v.verify(Credential.jwtSvid(good().sign(EC)))).code())
        .isEqualTo(IdentityResult.Code.INVALID_IDENTITY);
  }

  @Test
  void builderIsStrict() {
    JwtSvidVerifier.Builder b = JwtSvidVerifier.builder().leeway(Duration.ofSeconds(1));
    assertThatThrownBy(() -> b.leeway(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> JwtSvidVerifier.builder().leeway(Duration.ofMinutes(6)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT6M");
    assertThatThrownBy(() -> JwtSvidVerifier.builder().maxTokenBytes(10))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10");
    assertThatThrownBy(() -> JwtSvidVerifier.builder().bundleSource(null))
        .isInstanceOf(NullPointerException.class).hasMessage("bundleSource");
    assertThatThrownBy(() -> JwtSvidVerifier.builder().audiences("broker").build())
        .isInstanceOf(IllegalStateException.class).hasMessage("bundleSource is required");
  }

  @Test
  void buildDoesNotChangeTheBuilder() {
    // build() resolves its defaults into the verifier, so an option left unset stays settable once
    JwtSvidVerifier.Builder b = JwtSvidVerifier.builder().bundleSource(BUNDLES).audiences("broker");
    b.build();
    b.clock(Clock.fixed(NOW, ZoneOffset.UTC)).leeway(Duration.ZERO).maxTokenBytes(1024);
    assertThat(b.build().verify(Credential.jwtSvid(good().sign(EC)))).isInstanceOf(IdentityResult.Verified.class);
    assertThatThrownBy(() -> b.clock(Clock.systemUTC()))
        .isInstanceOf(IllegalStateException.class).hasMessage("clock was already set");
    X509SvidVerifier.Builder x = X509SvidVerifier.builder().bundleSource(BUNDLES);
    x.build();
    x.clock(Clock.systemUTC()).maxChainLength(3);
    assertThatThrownBy(() -> x.maxChainLength(4))
        .isInstanceOf(IllegalStateException.class).hasMessage("maxChainLength was already set");
    assertThatThrownBy(() -> x.ownerMapping(id -> Optional.empty()).ownerMapping(id -> Optional.empty()))
        .isInstanceOf(IllegalStateException.class).hasMessage("ownerMapping was already set");
  }

  @Test
  void rejectionReasonsNameTheValuesEscaped() {
    // values read from the token are shown by the one sanitiser: quoted, escaped, bounded
    long now = NOW.getEpochSecond();
    rejected(good().claim("aud", List.of("other\nforged", "x")).sign(EC),
        "B7: aud does not contain the expected audience: aud [\"other\\nforged\", \"x\"], expected one of [\"broker\", \"broker-alt\"]");
    rejected(good().header("kid", "k\u202e").sign(EC), "B10: kid \"k\\u202e\" is not a jwt-svid key of trust domain example.org");
    rejected(good().header("typ", "x".repeat(100)).sign(EC), "B5: typ must be JWT or JOSE, got \"" + "x".repeat(64) + "\"...");
    rejected(good().claim("nbf", now + 31).sign(EC), "B9: JWT-SVID is not valid before "
        + NOW.plusSeconds(31) + " (nbf), now " + NOW + ", leeway 30 s");
    rejected(good().claim("iat", now + 40).sign(EC), "B9: JWT-SVID was issued in the future, at "
        + NOW.plusSeconds(40) + " (iat), now " + NOW + ", leeway 30 s");
  }
}
