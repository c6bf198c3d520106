package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

/** X.509-SVID rules C1-C15, each with a positive and a negative test. */
class X509SvidVerifierTest {
  static final TestPki PKI = new TestPki("example.org");
  static final TestPki OTHER = new TestPki("other.org");
  static final BundleSet BUNDLES = BundleSet.of(PKI.bundle("example.org"), OTHER.bundle("other.org"));
  static final String ID = "spiffe://example.org/ci/deploy";

  static X509SvidVerifier verifier(BundleSource source, Instant at) {
    return X509SvidVerifier.builder().bundleSource(source).clock(Clock.fixed(at, ZoneOffset.UTC)).build();
  }

  static IdentityResult verify(X509Certificate... chain) {
    return verifier(BUNDLES, TestPki.T0).verify(Credential.x509Svid(List.of(chain)));
  }

  static void accepted(X509Certificate... chain) {
    assertThat(verify(chain)).isInstanceOf(IdentityResult.Verified.class);
  }

  static void rejected(String reasonStart, X509Certificate... chain) {
    IdentityResult r = verify(chain);
    assertThat(r).isInstanceOf(IdentityResult.Rejected.class);
    assertThat(Rejections.text(r)).startsWith(reasonStart);
  }

  static X509Certificate leaf(TestPki.Spec spec) {
    return PKI.issue(spec).cert;
  }

  @Test
  void verifiedIdentityCarriesThumbprintExpiryAndAttributes() throws Exception {
    X509Certificate leaf = leaf(TestPki.Spec.leaf(ID));
    X509SvidVerifier v = X509SvidVerifier.builder().bundleSource(BUNDLES)
        .clock(Clock.fixed(TestPki.T0, ZoneOffset.UTC)).ownerMapping(id -> Optional.of("ci-team")).build();
    WorkloadIdentity id = ((IdentityResult.Verified) v.verify(Credential.x509Svid(List.of(leaf)))).identity();
    String expected = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
    assertThat(id.id()).isEqualTo(ID);
    assertThat(id.issuer()).isEqualTo("spiffe://example.org");
    assertThat(id.kind()).isEqualTo("x509-svid");
    assertThat(id.certificateThumbprint()).contains(expected);
    assertThat(id.expiresAt()).isEqualTo(leaf.getNotAfter().toInstant());
    assertThat(id.owner()).contains("ci-team");
    assertThat(id.attributes()).containsEntry("trust_domain", "example.org").containsEntry("path", "/ci/deploy")
        .containsEntry("x5t#S256", expected);
  }

  @Test
  void c1ExactlyOneUriSan() {
    accepted(leaf(TestPki.Spec.leaf(ID).dns("deploy.example.org")));
    rejected("C1: leaf certificate has no URI SAN", leaf(TestPki.Spec.leaf().dns("example.org")));
    rejected("C1: leaf certificate has 2 URI SANs", leaf(TestPki.Spec.leaf(ID, "https://example.org/x")));
    rejected("C1: leaf certificate has 2 URI SANs", leaf(TestPki.Spec.leaf(ID, "spiffe://example.org/other")));
  }

  @Test
  void c2UriSanMustBeAValidSpiffeId() {
    accepted(leaf(TestPki.Spec.leaf(ID)));
    rejected("C2: leaf URI SAN is not a valid SPIFFE ID: scheme is missing or invalid",
        leaf(TestPki.Spec.leaf("sparfe://example.org/workload")));
    rejected("C2: leaf URI SAN is not a valid SPIFFE ID: trust domain characters",
        leaf(TestPki.Spec.leaf("spiffe://EXAMPLE.ORG/workload")));
    rejected("C2:", leaf(TestPki.Spec.leaf("spiffe://example.org/wo%72kload")));
  }

  @Test
  void c3LeafMustNotBeACa() {
    accepted(leaf(TestPki.Spec.leaf(ID).isCa(null))); // no BasicConstraints at all is fine
    rejected("C3: leaf certificate has cA=true", leaf(TestPki.Spec.leaf(ID).isCa(true)));
  }

  @Test
  void c4LeafSpiffeIdMustHaveAPath() {
    accepted(leaf(TestPki.Spec.leaf("spiffe://example.org/w")));
    rejected("C4: leaf SPIFFE ID has no path", leaf(TestPki.Spec.leaf("spiffe://example.org")));
  }

  @Test
  void c5LeafMustNotHaveKeyCertSignOrCrlSign() {
    accepted(leaf(TestPki.Spec.leaf(ID).keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement)));
    rejected("C5: leaf certificate has keyCertSign",
        leaf(TestPki.Spec.leaf(ID).keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)));
    rejected("C5: leaf certificate has cRLSign",
        leaf(TestPki.Spec.leaf(ID).keyUsage(KeyUsage.digitalSignature | KeyUsage.cRLSign)));
  }

  @Test
  void c6LeafMustHaveDigitalSignature() {
    accepted(leaf(TestPki.Spec.leaf(ID).keyUsage(KeyUsage.digitalSignature)));
    rejected("C6: leaf certificate lacks digitalSignature",
        leaf(TestPki.Spec.leaf(ID).keyUsage(KeyUsage.keyEncipherment)));
  }

  @Test
  void c7KeyUsageExtensionMustBePresent() {
    accepted(leaf(TestPki.Spec.leaf(ID)));
    rejected("C7: leaf certificate has no KeyUsage extension", leaf(TestPki.Spec.leaf(ID).keyUsage(-1)));
  }

  @Test
  void c8ExtendedKeyUsageIfPresentIncludesClientAuth() {
    accepted(leaf(TestPki.Spec.leaf(ID).eku())); // EKU absent: SHOULD, not MUST
    accepted(leaf(TestPki.Spec.leaf(ID).eku(KeyPurposeId.id_kp_clientAuth)));
    rejected("C8: leaf ExtendedKeyUsage lacks clientAuth",
        leaf(TestPki.Spec.leaf(ID).eku(KeyPurposeId.id_kp_serverAuth)));
  }

  @Test
  void c9EmptySubjectNeedsACriticalSan() {
    // BC marks SAN critical only when asked; our TestPki marks it non-critical, so an empty subject fails
    TestPki.Spec empty = TestPki.Spec.leaf(ID);
    accepted(leaf(TestPki.Spec.leaf(ID)));
    X509Certificate noSubject = emptySubjectLeaf(empty);
    rejected("C9: leaf has an empty subject and a non-critical SAN extension", noSubject);
  }

  private static X509Certificate emptySubjectLeaf(TestPki.Spec spec) {
    try {
      java.security.KeyPair key = TestPki.ecKey();
      org.bouncycastle.cert.X509v3CertificateBuilder b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
          org.bouncycastle.asn1.x500.X500Name.getInstance(PKI.root.getSubjectX500Principal().getEncoded()),
          java.math.BigInteger.valueOf(77), java.util.Date.from(spec.notBefore), java.util.Date.from(spec.notAfter),
          new org.bouncycastle.asn1.x500.X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key.getPublic());
      b.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
          new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
              org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, ID)));
      return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().setProvider(TestPki.BC).getCertificate(
          b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
              .setProvider(TestPki.BC).build(PKI.rootKey.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void c10SigningCertificatesAreCasWithKeyCertSign() {
    TestPki.Issued inter = PKI.issue(TestPki.Spec.ca("spiffe://example.org"));
    accepted(TestPki.issue(TestPki.Spec.leaf(ID), inter).cert, inter.cert);
    TestPki.Issued notCa = PKI.issue(TestPki.Spec.ca("spiffe://example.org").isCa(false));
    rejected("C10: signing certificate 1 has cA=false", TestPki.issue(TestPki.Spec.leaf(ID), notCa).cert, notCa.cert);
    TestPki.Issued noSign = PKI.issue(TestPki.Spec.ca("spiffe://example.org").keyUsage(KeyUsage.cRLSign));
    rejected("C10: signing certificate 1 lacks keyCertSign", TestPki.issue(TestPki.Spec.leaf(ID), noSign).cert, noSign.cert);
    TestPki.Issued noKu = PKI.issue(TestPki.Spec.ca("spiffe://example.org").keyUsage(-1));
    rejected("C10: signing certificate 1 lacks keyCertSign", TestPki.issue(TestPki.Spec.leaf(ID), noKu).cert, noKu.cert);
  }

  @Test
  void c11SigningCertificateSpiffeIdHasNoPath() {
    TestPki.Issued other = PKI.issue(TestPki.Spec.ca("spiffe://elsewhere.org")); // other td: only a SHOULD
    accepted(TestPki.issue(TestPki.Spec.leaf(ID), other).cert, other.cert);
    TestPki.Issued noId = PKI.issue(TestPki.Spec.ca());
    accepted(TestPki.issue(TestPki.Spec.leaf(ID), noId).cert, noId.cert);
    TestPki.Issued withPath = PKI.issue(TestPki.Spec.ca("spiffe://example.org/host"));
    rejected("C11: signing certificate 1 SPIFFE ID has a path",
        TestPki.issue(TestPki.Spec.leaf(ID), withPath).cert, withPath.cert);
  }

  @Test
  void c12DigitalSignatureOnCasIsTolerated() {
    TestPki.Issued ds = PKI.issue(TestPki.Spec.ca("spiffe://example.org")
        .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
    accepted(TestPki.issue(TestPki.Spec.leaf(ID), ds).cert, ds.cert);
    // negative: a CA key usage does not make a leaf acceptable
    rejected("C5:", leaf(TestPki.Spec.leaf(ID).keyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature)));
  }

  @Test
  void c13PathValidationToARootOfTheLeafsTrustDomainAtTheClocksTime() {
    X509Certificate l = leaf(TestPki.Spec.leaf(ID));
    accepted(l);
    accepted(l, PKI.root); // a presented copy of the root is tolerated
    // untrusted root
    rejected("C13: chain does not validate to a root of trust domain example.org: no trusted root",
        new TestPki("example.org").issue(TestPki.Spec.leaf(ID)).cert);
    // signed by other.org's root but claiming example.org
    rejected("C13: chain does not validate", OTHER.issue(TestPki.Spec.leaf(ID)).cert);
    // leaf of a trust domain without a bundle
    rejected("C13: no bundle for trust domain third.org",
        PKI.issue(TestPki.Spec.leaf("spiffe://third.org/w")).cert);
    // time: expired and not yet valid, at the injected clock
    X509Certificate shortLived = leaf(TestPki.Spec.leaf(ID).validity(TestPki.T0.minusSeconds(60), TestPki.T0.plusSeconds(60)));
    assertThat(verifier(BUNDLES, TestPki.T0.plusSeconds(60)).verify(Credential.x509Svid(List.of(shortLived))))
        .isInstanceOf(IdentityResult.Verified.class);
    IdentityResult expired = verifier(BUNDLES, TestPki.T0.plusSeconds(61)).verify(Credential.x509Svid(List.of(shortLived)));
    assertThat(Rejections.text(expired)).contains("certificate 0 has expired (not after ");
    IdentityResult early = verifier(BUNDLES, TestPki.T0.minusSeconds(61)).verify(Credential.x509Svid(List.of(shortLived)));
    assertThat(Rejections.text(early)).contains("certificate 0 is not yet valid (not before ");
  }

  @Test
  void c13ChainLengthIsLimited() {
    List<X509Certificate> chain = new ArrayList<>();
    TestPki.Issued issuer = PKI.issue(TestPki.Spec.ca("spiffe://example.org"));
    List<X509Certificate> cas = new ArrayList<>(List.of(issuer.cert));
    for (int i = 0; i < 4; i++) {
      issuer = TestPki.issue(TestPki.Spec.ca("spiffe://example.org"), issuer);
      cas.add(0, issuer.cert);
    }
    chain.add(TestPki.issue(TestPki.Spec.leaf(ID), issuer).cert);
    chain.addAll(cas); // leaf + 5 intermediates = 6
    IdentityResult r = verify(chain.toArray(new X509Certificate[0]));
    assertThat(Rejections.text(r)).isEqualTo("C13: chain of 6 certificates exceeds the limit of 5");
    X509SvidVerifier longer = X509SvidVerifier.builder().bundleSource(BUNDLES).maxChainLength(6)
        .clock(Clock.fixed(TestPki.T0, ZoneOffset.UTC)).build();
    assertThat(longer.verify(Credential.x509Svid(chain))).isInstanceOf(IdentityResult.Verified.class);
  }

  @Test
  void c14UriNameConstraintsAreEnforcedByPathValidation() throws Exception {
    // a CA constrained to spiffe://example.org URIs: an allowed leaf passes, a leaf outside fails
    TestPki.Issued constrained = constrainedCa("example.org");
    accepted(TestPki.issue(TestPki.Spec.leaf(ID), constrained).cert, constrained.cert);
    rejected("C13: chain does not validate",
        TestPki.issue(TestPki.Spec.leaf(ID).dns("x.evil.org"), constrainedDnsCa()).cert, constrainedDnsCa().cert);
  }

  private static TestPki.Issued cachedDnsCa;

  private static synchronized TestPki.Issued constrainedDnsCa() throws Exception {
    if (cachedDnsCa == null) {
      cachedDnsCa = constrained(new org.bouncycastle.asn1.x509.GeneralName(
          org.bouncycastle.asn1.x509.GeneralName.dNSName, "good.org"));
    }
    return cachedDnsCa;
  }

  private static TestPki.Issued constrainedCa(String host) throws Exception {
    return constrained(new org.bouncycastle.asn1.x509.GeneralName(
        org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, host));
  }

  private static TestPki.Issued constrained(org.bouncycastle.asn1.x509.GeneralName permitted) throws Exception {
    java.security.KeyPair key = TestPki.ecKey();
    org.bouncycastle.cert.X509v3CertificateBuilder b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
        org.bouncycastle.asn1.x500.X500Name.getInstance(PKI.root.getSubjectX500Principal().getEncoded()),
        java.math.BigInteger.valueOf(System.identityHashCode(permitted)),
        java.util.Date.from(TestPki.T0.minusSeconds(3600)), java.util.Date.from(TestPki.T0.plusSeconds(3600)),
        new org.bouncycastle.asn1.x500.X500Name("CN=constrained-" + permitted.getTagNo()), key.getPublic());
    b.addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true,
        new org.bouncycastle.asn1.x509.BasicConstraints(true));
    b.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
    b.addExtension(org.bouncycastle.asn1.x509.Extension.nameConstraints, true,
        new org.bouncycastle.asn1.x509.NameConstraints(
            new org.bouncycastle.asn1.x509.GeneralSubtree[] {new org.bouncycastle.asn1.x509.GeneralSubtree(permitted)},
            null));
    X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().setProvider(TestPki.BC)
        .getCertificate(b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
            .setProvider(TestPki.BC).build(PKI.rootKey.getPrivate())));
    return new TestPki.Issued(cert, key);
  }

  @Test
  void c15EmptyBundleTrustsNothing() {
    accepted(leaf(TestPki.Spec.leaf(ID)));
    BundleSet empty = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("example.org")).build());
    IdentityResult r = verifier(empty, TestPki.T0).verify(Credential.x509Svid(List.of(leaf(TestPki.Spec.leaf(ID)))));
    assertThat(Rejections.text(r)).isEqualTo("C15: bundle of trust domain example.org has no X.509 authorities");
  }

  @Test
  void onlyCertificateChainsAreSupportedAndBuilderIsStrict() {
    X509SvidVerifier v = verifier(BUNDLES, TestPki.T0);
    assertThat(v.supports(Credential.jwtSvid("x"))).isFalse();
    assertThat(((IdentityResult.Rejected) v.verify(Credential.jwtSvid("x"))).reason()).isEqualTo("not an X.509-SVID credential");
    assertThatThrownBy(() -> X509SvidVerifier.builder().maxChainLength(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> X509SvidVerifier.builder().build()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> X509SvidVerifier.builder().clock(Clock.systemUTC()).clock(Clock.systemUTC()))
        .isInstanceOf(IllegalStateException.class);
  }
}
