package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.jitaccess.Credential;
import dev.jitaccess.spi.IdentityResult;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The issue's table of crafted bad material: each is rejected with a reason naming the rule. */
class CraftedBadMaterialTest {
  static final Instant NOW = TestPki.T0;
  static final String SUB = "spiffe://example.org/ci/deploy";
  static final ECKey KEY = TestJwt.ec(Curve.P_256);
  static final ECKey OTHER_TD_KEY = TestJwt.ec(Curve.P_256);
  static final TestPki PKI = new TestPki("example.org");
  static final BundleSet BUNDLES = BundleSet.of(
      SpiffeBundle.builder(TrustDomain.parse("example.org")).jwtAuthority("k", TestJwt.pub(KEY)).x509Authority(PKI.root).build(),
      SpiffeBundle.builder(TrustDomain.parse("other.org")).jwtAuthority("o", TestJwt.pub(OTHER_TD_KEY)).build());
  static final JwtSvidVerifier JWT = JwtSvidVerifier.builder().bundleSource(BUNDLES).audiences("broker")
      .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
  static final X509SvidVerifier X509 = X509SvidVerifier.builder().bundleSource(BUNDLES)
      .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

  static TestJwt.Draft good() {
    return new TestJwt.Draft("ES256", "k").std(SUB, NOW, "broker");
  }

  static Credential chain(X509Certificate... certs) {
    return Credential.x509Svid(List.of(certs));
  }

  static Credential overLongChain() {
    TestPki.Issued issuer = PKI.issue(TestPki.Spec.ca("spiffe://example.org"));
    List<X509Certificate> cas = new ArrayList<>(List.of(issuer.cert));
    for (int i = 0; i < 5; i++) {
      issuer = TestPki.issue(TestPki.Spec.ca("spiffe://example.org"), issuer);
      cas.add(0, issuer.cert);
    }
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(TestPki.issue(TestPki.Spec.leaf(SUB), issuer).cert);
    chain.addAll(cas);
    return Credential.x509Svid(chain);
  }

  static List<Arguments> table() {
    return List.of(
        Arguments.of("valid JWT-SVID (control)", Credential.jwtSvid(good().sign(KEY)), null),
        Arguments.of("alg none", Credential.jwtSvid(new TestJwt.Draft("none", "k").std(SUB, NOW, "broker").unsigned()),
            "B2: algorithm \"none\" is not allowed"),
        Arguments.of("HS256 signed with the public key bytes", Credential.jwtSvid(new TestJwt.Draft("HS256", "k")
            .std(SUB, NOW, "broker").hmac(TestJwt.pub(KEY).getEncoded())), "B2: algorithm \"HS256\" is not allowed"),
        Arguments.of("missing aud", Credential.jwtSvid(good().claim("aud", null).sign(KEY)), "B7: token has no aud claim"),
        Arguments.of("expired", Credential.jwtSvid(good().claim("exp", NOW.getEpochSecond() - 3600).sign(KEY)),
            "B8: JWT-SVID expired at "),
        Arguments.of("signed by another trust domain's key", Credential.jwtSvid(new TestJwt.Draft("ES256", "o")
            .std(SUB, NOW, "broker").sign(OTHER_TD_KEY)), "B10: kid \"o\" is not a jwt-svid key of trust domain example.org"),
        Arguments.of("kid not in bundle", Credential.jwtSvid(good().header("kid", "unknown").sign(KEY)),
            "B10: kid \"unknown\" is not a jwt-svid key"),
        Arguments.of("valid X.509-SVID (control)", chain(PKI.issue(TestPki.Spec.leaf(SUB)).cert), null),
        Arguments.of("two URI SANs", chain(PKI.issue(TestPki.Spec.leaf(SUB, "https://example.org/x")).cert),
            "C1: leaf certificate has 2 URI SANs"),
        Arguments.of("a CA leaf", chain(PKI.issue(TestPki.Spec.leaf(SUB).isCa(true)).cert), "C3: leaf certificate has cA=true"),
        Arguments.of("a keyCertSign leaf", chain(PKI.issue(TestPki.Spec.leaf(SUB)
            .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)).cert), "C5: leaf certificate has keyCertSign"),
        Arguments.of("a path-less leaf", chain(PKI.issue(TestPki.Spec.leaf("spiffe://example.org")).cert),
            "C4: leaf SPIFFE ID has no path"),
        Arguments.of("an untrusted root", chain(new TestPki("example.org").issue(TestPki.Spec.leaf(SUB)).cert),
            "C13: chain does not validate to a root of trust domain example.org: no trusted root"),
        Arguments.of("an over-long chain", overLongChain(), "C13: chain of 7 certificates exceeds the limit of 5"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void craftedMaterialIsRejectedNamingTheRule(String name, Credential credential, String reason) {
    IdentityResult r = (JWT.supports(credential) ? JWT : X509).verify(credential);
    if (reason == null) {
      assertThat(r).isInstanceOf(IdentityResult.Verified.class);
      return;
    }
    assertThat(r).isInstanceOf(IdentityResult.Rejected.class);
    String actual = Rejections.text(r);
    assertThat(actual).startsWith(reason).matches("^[BC][0-9]+: .*");
    if (credential instanceof Credential.Token) {
      for (String part : ((Credential.Token) credential).value().split("\\.")) {
        if (part.length() > 8) {
          assertThat(actual).doesNotContain(part);
        }
      }
    }
  }
}
