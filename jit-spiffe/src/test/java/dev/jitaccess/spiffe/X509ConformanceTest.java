package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.jitaccess.Credential;
import dev.jitaccess.spi.IdentityResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Every x509-svid-scenarios.tsv scenario (chains generated with Bouncy Castle at test time) and every
 * X.509 fixture in files/ that INDEX.md gives an expectation for, validated at pinned clocks.
 */
class X509ConformanceTest {
  static final String GO = "files/go-spiffe/svid/x509svid/testdata/";
  static final String J = "files/java-spiffe/java-spiffe-core/src/test/resources/testdata/";
  static final String JP = "files/java-spiffe/java-spiffe-provider/src/test/resources/testdata/";
  static final Pattern CERT_BLOCK =
      Pattern.compile("-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", Pattern.DOTALL);

  /** Certificates of a PEM file, ignoring key blocks (test-side reader for fixture files). */
  static List<X509Certificate> certs(String path) throws CertificateException {
    byte[] bytes = ConformanceData.bytes(path);
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    if (bytes.length > 0 && bytes[0] == 0x30) {
      out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(bytes)));
      return out;
    }
    Matcher m = CERT_BLOCK.matcher(new String(bytes, StandardCharsets.US_ASCII));
    while (m.find()) {
      out.add((X509Certificate) cf.generateCertificate(
          new ByteArrayInputStream(Base64.getMimeDecoder().decode(m.group(1).trim()))));
    }
    return out;
  }

  static IdentityResult verify(List<X509Certificate> chain, BundleSource bundles, String at) {
    return X509SvidVerifier.builder().bundleSource(bundles).clock(Clock.fixed(Instant.parse(at), ZoneOffset.UTC))
        .build().verify(Credential.x509Svid(chain));
  }

  static String reason(IdentityResult r) {
    assertThat(r).isInstanceOf(IdentityResult.Rejected.class);
    return Rejections.text(r);
  }

  static BundleSet pemBundle(String td, String path) {
    return BundleSet.of(SpiffeBundle.parsePem(TrustDomain.parse(td), ConformanceData.bytes(path)));
  }

  // ------------------------------------------------------------ scenarios

  /** Expected outcome per scenario: null = verified, "INVALID-INPUT" = refused before verification. */
  static Map<String, Executable> scenarios() {
    Map<String, Executable> m = new LinkedHashMap<>();
    TestPki ca1 = new TestPki("domain1.test");
    TestPki ca2 = new TestPki("domain2.test");
    String id = "spiffe://domain1.test/workload";
    X509Certificate leaf1 = ca1.issue(TestPki.Spec.leaf(id).isCa(null).eku()).cert;
    BundleSet bundle1 = BundleSet.of(ca1.bundle("domain1.test"));
    String t0 = TestPki.T0.toString();
    String go = "go-spiffe:svid/x509svid/verify_test.go#L";
    m.put(go + "46", () -> assertThatThrownBy(() -> Credential.x509Svid(List.of()))
        .isInstanceOf(IllegalArgumentException.class));
    m.put(go + "51", () -> assertThat(reason(verify(List.of(leaf1), BundleSet.of(), t0)))
        .isEqualTo("C13: no bundle for trust domain domain1.test"));
    m.put(go + "57", () -> assertThatThrownBy(() -> X509SvidVerifier.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessage("bundleSource is required"));
    m.put(go + "62", () -> assertThat(reason(verify(List.of(leaf1),
        BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("domain1.test")).build()), t0))).startsWith("C15:"));
    m.put(go + "68", () -> assertThat(reason(verify(List.of(leaf1), BundleSet.of(ca2.bundle("domain2.test")), t0)))
        .isEqualTo("C13: no bundle for trust domain domain1.test"));
    m.put(go + "74", () -> assertThat(reason(verify(List.of(ca1.issue(TestPki.Spec.leaf("sparfe://domain1.test/workload")).cert),
        bundle1, t0))).isEqualTo("C2: leaf URI SAN is not a valid SPIFFE ID: scheme is missing or invalid"));
    m.put(go + "80", () -> assertThat(reason(verify(List.of(leaf1),
        BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("domain1.test")).x509Authority(ca2.root).build()), t0)))
        .endsWith("no trusted root (unknown authority)"));
    m.put(go + "86", () -> assertThat(reason(verify(List.of(ca1.issue(TestPki.Spec.leaf().isCa(null)).cert), bundle1, t0)))
        .isEqualTo("C1: leaf certificate has no URI SAN"));
    m.put(go + "92", () -> assertThat(reason(verify(List.of(ca1.issue(TestPki.Spec.leaf(id, id)).cert), bundle1, t0)))
        .startsWith("C1: leaf certificate has 2 URI SANs"));
    m.put(go + "98", () -> assertThat(reason(verify(List.of(ca1.issue(TestPki.Spec.leaf(id).isCa(true)).cert), bundle1, t0)))
        .startsWith("C3:"));
    m.put(go + "104", () -> assertThat(reason(verify(List.of(ca1.issue(TestPki.Spec.leaf(id)
        .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)).cert), bundle1, t0))).startsWith("C5: leaf certificate has keyCertSign"));
    m.put(go + "110", () -> assertThat(reason(verify(List.of(ca1.issue(TestPki.Spec.leaf(id)
        .keyUsage(KeyUsage.digitalSignature | KeyUsage.cRLSign)).cert), bundle1, t0))).startsWith("C5: leaf certificate has cRLSign"));
    m.put(go + "116", () -> assertThat(reason(verify(List.of(leaf1), bundle1,
        leaf1.getNotAfter().toInstant().plusSeconds(1).toString()))).contains("certificate 0 has expired (not after "));
    m.put(go + "123", () -> {
      // root CA without KeyUsage and without a SPIFFE ID is still a trust anchor
      java.security.KeyPair rootKey = TestPki.ecKey();
      TestPki.Issued bareRoot = TestPki.Spec.ca().keyUsage(-1).issue(null, rootKey, rootKey);
      assertThat(bareRoot.cert.getKeyUsage()).isNull();
      X509Certificate leaf = TestPki.issue(TestPki.Spec.leaf(id).isCa(null).eku(), bareRoot).cert;
      BundleSet bare = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("domain1.test")).x509Authority(bareRoot.cert).build());
      assertThat(verify(List.of(leaf), bare, t0)).isInstanceOf(IdentityResult.Verified.class);
      assertThat(verify(List.of(leaf1), bundle1, t0)).isInstanceOf(IdentityResult.Verified.class);
    });
    m.put(go + "143", () -> {
      byte[] der = encoded(leaf1);
      assertThat(verify(List.of(parse(der)), bundle1, t0)).isInstanceOf(IdentityResult.Verified.class);
      der[0] = 0x27;
      assertThatThrownBy(() -> parse(der)).isInstanceOf(CertificateException.class);
    });
    TestPki ex = new TestPki("example.org");
    BundleSet exBundle = BundleSet.of(ex.bundle("example.org"));
    m.put("go-spiffe:svid/x509svid/svid_test.go#L414", () -> assertThat(reason(verify(List.of(
        ex.issue(TestPki.Spec.leaf("spiffe://example.org")).cert), exBundle, t0))).isEqualTo("C4: leaf SPIFFE ID has no path"));
    m.put("go-spiffe:svid/x509svid/svid_test.go#L423", () -> assertThat(reason(verify(List.of(
        parse(encoded(ex.issue(TestPki.Spec.leaf("spiffe://example.org")).cert))), exBundle, t0))).startsWith("C4:"));
    // java X509SvidValidatorTest: root -> int1 (/host) -> int2 (/host2) -> leaf
    int rootKu = KeyUsage.keyCertSign | KeyUsage.digitalSignature | KeyUsage.cRLSign;
    java.security.KeyPair jrootKey = TestPki.ecKey();
    TestPki.Issued jroot = TestPki.Spec.ca("spiffe://example.org").keyUsage(rootKu).issue(null, jrootKey, jrootKey);
    String jv = "java-spiffe:java-spiffe-core/src/test/java/io/spiffe/svid/x509svid/X509SvidValidatorTest.java#L";
    for (boolean withPaths : new boolean[] {true, false}) {
      TestPki.Issued int1 = TestPki.issue(TestPki.Spec.ca(withPaths ? "spiffe://example.org/host" : "spiffe://example.org"), jroot);
      TestPki.Issued int2 = TestPki.issue(TestPki.Spec.ca(withPaths ? "spiffe://example.org/host2" : "spiffe://example.org"), int1);
      X509Certificate jleaf = TestPki.issue(TestPki.Spec.leaf("spiffe://example.org/test")
          .keyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement), int2).cert;
      List<X509Certificate> chain = List.of(jleaf, int2.cert, int1.cert);
      X509Certificate otherRoot = new TestPki("example.org").root;
      BundleSet both = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("example.org"))
          .x509Authority(jroot.cert).x509Authority(otherRoot).build());
      BundleSet onlyOther = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("example.org")).x509Authority(otherRoot).build());
      BundleSet otherTd = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("other.org")).x509Authority(jroot.cert).build());
      String suffix = withPaths ? "" : " [variant: intermediates without paths]";
      // DISPUTED (spec vs java-spiffe): signing certificates with a path are refused (X509-SVID §3.2, C11)
      m.put(jv + "44" + suffix, withPaths
          ? () -> assertThat(reason(verify(chain, both, t0))).isEqualTo("C11: signing certificate 1 SPIFFE ID has a path")
          : () -> assertThat(verify(chain, both, t0)).isInstanceOf(IdentityResult.Verified.class));
      m.put(jv + "54" + suffix, () -> assertThat(reason(verify(chain, onlyOther, t0)))
          .startsWith(withPaths ? "C11:" : "C13: chain does not validate"));
      m.put(jv + "68" + suffix, () -> assertThat(reason(verify(chain, otherTd, t0)))
          .startsWith(withPaths ? "C11:" : "C13: no bundle for trust domain example.org"));
    }
    SpiffeId test = SpiffeId.parse("spiffe://example.org/test");
    m.put(jv + "83", () -> assertThat(SpiffeIdMatcher.anyOf(SpiffeIdMatcher.exact(test),
        SpiffeIdMatcher.exact(SpiffeId.parse("spiffe://example.org/test2"))).test(test)).isTrue());
    m.put(jv + "93", () -> assertThat(SpiffeIdMatcher.anyOf(SpiffeIdMatcher.exact(SpiffeId.parse("spiffe://example.org/other1")),
        SpiffeIdMatcher.exact(SpiffeId.parse("spiffe://example.org/other2"))).test(test)).isFalse());
    m.put(jv + "107", () -> assertThat(SpiffeIdMatcher.anyOf().test(test)).isFalse());
    String js = "java-spiffe:java-spiffe-core/src/test/java/io/spiffe/svid/x509svid/X509SvidTest.java#L";
    m.put(js + "328", () -> assertThat(reason(verify(List.of(ex.issue(TestPki.Spec.leaf("spiffe://example.org")).cert), exBundle, t0)))
        .startsWith("C4:"));
    m.put(js + "344", () -> assertThat(reason(verify(List.of(ex.issue(TestPki.Spec.leaf("spiffe://example.org/")).cert), exBundle, t0)))
        .isEqualTo("C2: leaf URI SAN is not a valid SPIFFE ID: path cannot have a trailing slash"));
    m.put(js + "363", () -> assertThat(reason(verify(List.of(ex.issue(TestPki.Spec.leaf(
        "spiffe://example.org/workload", "https://example.org/workload")).cert), exBundle, t0))).startsWith("C1:"));
    String cu = "java-spiffe:java-spiffe-core/src/test/java/io/spiffe/internal/CertificateUtilsTest.java#L";
    TestPki dt = new TestPki("domain.test");
    BundleSet dtBundle = BundleSet.of(dt.bundle("domain.test"));
    m.put(cu + "177", () -> {
      TestPki.Spec s = TestPki.Spec.leaf("spiffe://domain.test/workload").dns("workload.domain.test");
      IdentityResult r = verify(List.of(dt.issue(s).cert), dtBundle, t0);
      assertThat(((IdentityResult.Verified) r).identity().id()).isEqualTo("spiffe://domain.test/workload");
    });
    m.put(cu + "202", () -> assertThat(verify(List.of(dt.issue(TestPki.Spec.leaf("spiffe://domain.test/workload/invalid path")).cert),
        dtBundle, t0)).isInstanceOf(IdentityResult.Rejected.class));
    return m;
  }

  static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  static X509Certificate parse(byte[] der) throws CertificateException {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  @Test
  void everyScenarioHasARunner() {
    Set<String> upstream = ConformanceData.tsv("x509-svid-scenarios.tsv").stream().map(r -> r.raw(0))
        .collect(Collectors.toCollection(LinkedHashSet::new));
    assertThat(upstream).hasSize(28);
    Set<String> ours = scenarios().keySet().stream().map(k -> k.replace(" [variant: intermediates without paths]", ""))
        .collect(Collectors.toSet());
    assertThat(ours).containsExactlyInAnyOrderElementsOf(upstream);
  }

  @TestFactory
  Stream<DynamicTest> x509SvidScenarios() {
    return scenarios().entrySet().stream().map(e -> dynamicTest(e.getKey(), e.getValue()));
  }

  // ------------------------------------------------------------ fixtures (INDEX.md A, E, F, G, derived chains)

  static final String LOCAL_ROOT = J + "workloadapi/federated-bundle.pem";

  @Test
  void indexA_goodLeafOnlyValidatesAgainstItselfWhileValid() throws Exception {
    for (String p : new String[] {GO + "good-leaf-only.pem", J + "x509svid/good-leaf-only.pem"}) {
      List<X509Certificate> c = certs(p);
      BundleSet self = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("example.org")).x509Authority(c.get(0)).build());
      IdentityResult r = verify(c, self, "2021-01-01T00:00:00Z");
      assertThat(((IdentityResult.Verified) r).identity().id()).isEqualTo("spiffe://example.org/workload-1");
      assertThat(reason(verify(c, self, "2025-03-30T00:00:00Z"))).contains("has expired (not after ");
    }
  }

  @Test
  void indexA_goodLeafAndIntermediateChainsToTheLocalRootAtItsTime() throws Exception {
    BundleSet local = pemBundle("example.org", LOCAL_ROOT);
    for (String p : new String[] {GO + "good-leaf-and-intermediate.pem", J + "x509svid/good-leaf-and-intermediate.pem"}) {
      List<X509Certificate> c = certs(p);
      assertThat(c).hasSize(2);
      assertThat(verify(c, local, "2020-03-24T14:30:00Z")).isInstanceOf(IdentityResult.Verified.class);
      assertThat(reason(verify(c, local, "2020-03-24T15:08:00Z"))).contains("certificate 0 has expired (not after ");
      assertThat(reason(verify(c, local, "2020-03-24T14:00:00Z"))).contains("is not yet valid (not before ");
    }
    // the same root read from the SPIFFE bundle JSON
    BundleSet json = BundleSet.of(SpiffeBundle.parse(TrustDomain.parse("example.org"),
        ConformanceData.bytes("files/go-spiffe/bundle/spiffebundle/testdata/spiffebundle_valid_2.json")));
    assertThat(verify(certs(GO + "good-leaf-and-intermediate.pem"), json, "2020-03-24T14:30:00Z"))
        .isInstanceOf(IdentityResult.Verified.class);
  }

  @Test
  void indexA_certAndKeyFilesHoldAProfileValidLeaf() throws Exception {
    BundleSet local = pemBundle("example.org", LOCAL_ROOT);
    for (String p : new String[] {GO + "good-cert-and-key.pem", GO + "good-key-and-cert.pem"}) {
      List<X509Certificate> c = certs(p);
      assertThat(c).hasSize(1);
      // every profile check passes; its issuing intermediate is not in the fixture, so path validation fails
      assertThat(reason(verify(c, local, "2020-03-24T14:30:00Z"))).startsWith("C13:");
    }
  }

  @Test
  void indexA_wrongFixturesAreRejectedByTheirRule() throws Exception {
    Map<String, String> expect = new LinkedHashMap<>();
    expect.put("wrong-leaf-empty-id.pem", "C1: leaf certificate has no URI SAN");
    expect.put("wrong-leaf-ca-true.pem", "C3:");
    expect.put("wrong-leaf-no-digital-signature.pem", "C5: leaf certificate has keyCertSign"); // it also has keyCertSign
    expect.put("wrong-leaf-cert-sign.pem", "C5: leaf certificate has keyCertSign");
    expect.put("wrong-leaf-crl-sign.pem", "C5: leaf certificate has cRLSign");
    expect.put("wrong-intermediate-no-ca.pem", "C10: signing certificate 1 has cA=false");
    expect.put("wrong-intermediate-no-key-cert-sign.pem", "C10: signing certificate 1 lacks keyCertSign");
    BundleSet any = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("example.org"))
        .x509Authority(certs(GO + "good-leaf-only.pem").get(0)).build());
    for (Map.Entry<String, String> e : expect.entrySet()) {
      for (String dir : new String[] {GO, J + "x509svid/"}) {
        assertThat(reason(verify(certs(dir + e.getKey()), any, "2021-01-01T00:00:00Z")))
            .as(dir + e.getKey()).startsWith(e.getValue());
      }
    }
  }

  @Test
  void indexA_nonCertificateInputsAreNotCertificates() {
    for (String p : new String[] {GO + "not-pem", GO + "corrupt-cert.pem", GO + "corrupt-key.pem", GO + "key-pkcs8-rsa.pem",
        GO + "key-pkcs8-ecdsa.pem", J + "x509svid/corrupted", J + "x509svid/key-ecdsa-other.pem",
        J + "x509svid/key-rsa-other.pem", J + "x509svid/keyEC.der", J + "x509svid/key-pkcs8-rsa.pem",
        J + "x509svid/key-pkcs8-ecdsa.pem", J + "internal/privateKeyRsa.pem", JP + "key.pem", JP + "key2.pem",
        J + "workloadapi/svid.key.der", J + "workloadapi/corrupted"}) {
      assertThatThrownBy(() -> SpiffeBundle.parsePem(TrustDomain.parse("example.org"), ConformanceData.bytes(p)))
          .as(p).isInstanceOf(InvalidBundleException.class);
    }
    for (char c : "abcde".toCharArray()) {
      assertThatThrownBy(() -> SpiffeBundle.parsePem(TrustDomain.parse("test"),
          ConformanceData.bytes(J + "certs/leaf-" + c + ".key.der"))).isInstanceOf(InvalidBundleException.class);
    }
  }

  @Test
  void indexA_javaDerLeafIsProfileValid() throws Exception {
    List<X509Certificate> c = certs(J + "x509svid/cert.der");
    assertThat(reason(verify(c, pemBundle("example.org", LOCAL_ROOT), "2020-06-22T14:00:00Z"))).startsWith("C13:");
  }

  @Test
  void indexE_internalCertValidatesAgainstProviderBundleAndCert2OnlyInItsHour() throws Exception {
    BundleSet provider = pemBundle("example.org", JP + "bundle.pem");
    for (String p : new String[] {J + "internal/cert.pem", JP + "cert.pem"}) {
      IdentityResult r = verify(certs(p), provider, "2020-03-20T12:00:00Z");
      assertThat(((IdentityResult.Verified) r).identity().id()).isEqualTo("spiffe://example.org/test");
      assertThat(reason(verify(certs(p), provider, "2020-03-24T00:00:00Z"))).contains("has expired (not after ");
    }
    BundleSet other = pemBundle("other.org", J + "internal/bundle.pem");
    for (String p : new String[] {J + "internal/cert2.pem", JP + "cert2.pem"}) {
      assertThat(verify(certs(p), other, "2020-03-19T20:00:00Z")).isInstanceOf(IdentityResult.Verified.class);
      assertThat(reason(verify(certs(p), other, "2020-03-20T12:00:00Z"))).contains("certificate 0 has expired (not after ");
    }
  }

  @Test
  void indexF_workloadApiSvidIsNotSignedByTheWorkloadApiBundle() throws Exception {
    BundleSet bundle = pemBundle("example.org", J + "workloadapi/bundle.der");
    assertThat(reason(verify(certs(J + "workloadapi/svid.der"), bundle, "2020-05-20T00:00:00Z")))
        .startsWith("C13:");
    // and its SPIFFE ID does not match a response claiming spiffe://wrong/domain/workload-server
    assertThat(SpiffeIdMatcher.exact(SpiffeId.parse("spiffe://wrong/domain/workload-server"))
        .matches("spiffe://example.org/workload-server")).isFalse();
  }

  @Test
  void indexF_selfSignedLeavesAreValidUntil2035() throws Exception {
    for (char c : "abcde".toCharArray()) {
      List<X509Certificate> leaf = certs(J + "certs/leaf-" + c + ".crt.der");
      BundleSet self = BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("test")).x509Authority(leaf.get(0)).build());
      IdentityResult r = verify(leaf, self, "2030-01-01T00:00:00Z");
      assertThat(((IdentityResult.Verified) r).identity().id()).isEqualTo("spiffe://test/" + c);
      assertThat(reason(verify(leaf, self, "2035-12-15T00:00:00Z"))).contains("has expired (not after ");
    }
  }

  @Test
  void indexF_spiffeIdFilesParse() {
    Set<SpiffeId> ids = new LinkedHashSet<>();
    for (String line : new String(ConformanceData.bytes(J + "spiffeid/spiffeIds.txt"), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        ids.add(SpiffeId.parse(line.trim()));
      }
    }
    assertThat(ids).hasSize(3);
    for (String line : new String(ConformanceData.bytes(JP + "spiffeIds.txt"), StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        assertThat(SpiffeId.parse(line.trim()).trustDomain().name()).startsWith("example");
      }
    }
  }
}
