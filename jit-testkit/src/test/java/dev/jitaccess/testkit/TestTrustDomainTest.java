package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestTrustDomainTest {
  static final String ID = "spiffe://example.org/ci/deploy";
  final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  final TestTrustDomain td = TestTrustDomain.create("example.org", clock);

  @Test
  void jwtSvidHasTheSpiffeProfileAndVerifies() throws Exception {
    String token = td.jwtSvid(ID, "jit-broker", Duration.ofMinutes(2), Map.of("owner", "team-ci"));
    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
    assertThat(jwt.getHeader().getType().getType()).isEqualTo("JWT");
    assertThat(jwt.getHeader().getKeyID()).isEqualTo(td.jwtKeyId());
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo(ID);
    assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("jit-broker");
    assertThat(jwt.getJWTClaimsSet().getIssueTime().toInstant()).isEqualTo(clock.instant());
    assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(clock.instant().plusSeconds(120));

    IdentityResult r = td.jwtSvidVerifier("jit-broker").verify(Credential.jwtSvid(token));
    assertThat(r).isInstanceOf(IdentityResult.Verified.class);
    WorkloadIdentity id = ((IdentityResult.Verified) r).identity();
    assertThat(id.id()).isEqualTo(ID);
    assertThat(id.issuer()).isEqualTo("spiffe://example.org");
    assertThat(id.owner()).contains("team-ci");
  }

  @Test
  void theBundleWrittenToAFileVerifiesTheDomainsSvids(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path file = td.writeBundle(dir.resolve("bundle.json"));
    dev.jitaccess.spiffe.SpiffeBundle read =
        dev.jitaccess.spiffe.SpiffeBundle.parse(td.trustDomain(), java.nio.file.Files.readAllBytes(file));
    assertThat(read).isEqualTo(td.bundle());
    assertThat(read.x509Authorities()).containsExactly(td.rootCertificate());
    dev.jitaccess.spiffe.JwtSvidVerifier fromFile = dev.jitaccess.spiffe.JwtSvidVerifier.builder()
        .bundleSource(dev.jitaccess.spiffe.BundleSet.of(read)).audiences("jit-broker").clock(clock).build();
    assertThat(fromFile.verify(td.credential(ID, "jit-broker"))).isInstanceOf(IdentityResult.Verified.class);
    assertThatThrownBy(() -> td.writeBundle(dir.resolve("missing-dir/bundle.json")))
        .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("could not write the bundle");
  }

  @Test
  void jwtSvidForAnotherAudienceOrExpiredIsRejected() {
    assertThat(td.jwtSvidVerifier("jit-broker").verify(td.credential(ID, "someone-else")))
        .isInstanceOfSatisfying(IdentityResult.Rejected.class, r -> assertThat(r.reason()).contains("aud"));
    Credential c = td.credential(ID, "jit-broker");
    clock.advance(TestTrustDomain.DEFAULT_JWT_SVID_TTL.plusMinutes(1));
    assertThat(td.jwtSvidVerifier("jit-broker").verify(c))
        .isInstanceOfSatisfying(IdentityResult.Rejected.class, r -> assertThat(r.reason()).contains("exp"));
  }

  @Test
  void x509SvidHasTheSpiffeProfileAndVerifies() throws Exception {
    TestTrustDomain.X509Svid svid = td.x509Svid(ID);
    X509Certificate leaf = svid.leaf();
    X509Certificate ca = svid.chain().get(1);
    assertThat(svid.chain()).hasSize(2);
    assertThat(ca).isEqualTo(td.intermediateCertificate());
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getKeyUsage()[0]).isTrue(); // digitalSignature
    assertThat(leaf.getKeyUsage()[5]).isFalse(); // keyCertSign
    assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, ID));
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(ca.getKeyUsage()[5]).isTrue();
    assertThat(ca.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://example.org"));
    assertThat(td.rootCertificate().getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://example.org"));
    assertThat(svid.privateKey().getAlgorithm()).isEqualTo("EC");
    assertThat(svid.toString()).contains("redacted").doesNotContain(svid.privateKey().toString());

    IdentityResult r = td.x509SvidVerifier().verify(svid.credential());
    assertThat(r).isInstanceOfSatisfying(IdentityResult.Verified.class,
        v -> assertThat(v.identity().id()).isEqualTo(ID));
  }

  @Test
  void x509SvidExpiresWithItsTtl() {
    TestTrustDomain.X509Svid svid = td.x509Svid(ID, Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(11));
    assertThat(td.x509SvidVerifier().verify(svid.credential())).isInstanceOf(IdentityResult.Rejected.class);
  }

  @Test
  void anotherTrustDomainOrAnImpostorOfThisOneIsRejected() {
    TestTrustDomain other = TestTrustDomain.create("other.org", clock);
    TestTrustDomain impostor = TestTrustDomain.create("example.org", clock);
    assertThat(td.x509SvidVerifier().verify(other.x509Svid("spiffe://other.org/ci").credential()))
        .isInstanceOf(IdentityResult.Rejected.class);
    assertThat(td.x509SvidVerifier().verify(impostor.x509Svid(ID).credential()))
        .isInstanceOf(IdentityResult.Rejected.class);
    assertThat(td.jwtSvidVerifier("jit-broker").verify(impostor.credential(ID, "jit-broker")))
        .isInstanceOf(IdentityResult.Rejected.class);
  }

  @Test
  void refusesToMintForOtherDomainsPathlessIdsAndBadTtls() {
    assertThatThrownBy(() -> td.jwtSvid("spiffe://other.org/x", "a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other.org");
    assertThatThrownBy(() -> td.x509Svid("spiffe://example.org")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("path");
    assertThatThrownBy(() -> td.x509Svid("not an id")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> td.jwtSvid(ID, "a", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> td.jwtSvid(ID, "a", Duration.ofMinutes(1), Map.of("sub", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sub");
    assertThatThrownBy(() -> td.jwtSvid(null, "a")).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("spiffeId");
    assertThatThrownBy(() -> TestTrustDomain.create("Example.org", clock)).isInstanceOf(RuntimeException.class);
  }

  @Test
  void bundleHoldsTheRootAndTheJwtKey() {
    assertThat(td.bundle().x509Authorities()).containsExactly(td.rootCertificate());
    assertThat(td.bundle().jwtAuthorities()).containsOnlyKeys(td.jwtKeyId());
    assertThat(td.bundleSource().bundleFor(td.trustDomain())).contains(td.bundle());
  }
}
