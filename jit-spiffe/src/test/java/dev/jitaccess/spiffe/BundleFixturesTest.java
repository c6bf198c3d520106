package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** files/INDEX.md sections B, C, D and F: every bundle fixture with the expectation INDEX.md gives. */
class BundleFixturesTest {
  static final String GO = "files/go-spiffe/bundle/";
  static final String JAVA = "files/java-spiffe/java-spiffe-core/src/test/resources/testdata/";
  static final TrustDomain DOMAIN_TEST = TrustDomain.parse("domain.test");
  static final TrustDomain EXAMPLE_ORG = TrustDomain.parse("example.org");

  private static SpiffeBundle pem(String path) {
    return SpiffeBundle.parsePem(EXAMPLE_ORG, ConformanceData.bytes(path));
  }

  // ---- B: PEM bundles (go x509bundle/testdata and the identical java copies)

  @Test
  void pemCertsHasTwoAuthorities() {
    assertThat(pem(GO + "x509bundle/testdata/certs.pem").x509Authorities()).hasSize(2);
    assertThat(pem(JAVA + "x509bundle/certs.pem").x509Authorities()).hasSize(2);
  }

  @Test
  void pemCertHasOneAuthority() {
    assertThat(pem(GO + "x509bundle/testdata/cert.pem").x509Authorities()).hasSize(1);
    assertThat(pem(JAVA + "x509bundle/cert.pem").x509Authorities()).hasSize(1);
  }

  @Test
  void pemEmptyIsAnEmptyBundleAsInGoSpiffe() {
    // DIFF: go valid (0 authorities), java invalid; we follow go (CONFORMANCE.md)
    SpiffeBundle b = pem(GO + "x509bundle/testdata/empty.pem");
    assertThat(b.x509Authorities()).isEmpty();
    assertThat(b.isEmpty()).isTrue();
    assertThat(pem(JAVA + "x509bundle/empty.pem").isEmpty()).isTrue();
  }

  @Test
  void pemNotPemIsRejected() {
    for (String p : new String[] {GO + "x509bundle/testdata/not-pem.pem", JAVA + "x509bundle/not-pem.pem"}) {
      assertThatThrownBy(() -> pem(p))
          .isInstanceOf(InvalidBundleException.class)
          .hasMessageContaining("no PEM blocks found");
    }
  }

  @Test
  void pemCorruptedIsRejected() {
    for (String p :
        new String[] {GO + "x509bundle/testdata/corrupted.pem", JAVA + "x509bundle/corrupted.pem"}) {
      assertThatThrownBy(() -> pem(p))
          .isInstanceOf(InvalidBundleException.class)
          .hasMessageContaining("cannot parse certificate");
    }
  }

  @Test
  void pemWithOnlyAPrivateKeyIsRejected() {
    for (String p : new String[] {GO + "x509bundle/testdata/key.pem", JAVA + "x509bundle/key.pem"}) {
      assertThatThrownBy(() -> pem(p))
          .isInstanceOf(InvalidBundleException.class)
          .hasMessageContaining("expected block type CERTIFICATE");
    }
  }

  @Test
  void derBundleAndFederatedPemLoad() {
    // F: workloadapi/bundle.der (1 authority), federated-bundle.pem used for domain.test (1 authority)
    assertThat(pem(JAVA + "workloadapi/bundle.der").x509Authorities()).hasSize(1);
    SpiffeBundle fed =
        SpiffeBundle.parsePem(DOMAIN_TEST, ConformanceData.bytes(JAVA + "workloadapi/federated-bundle.pem"));
    assertThat(fed.x509Authorities()).hasSize(1);
    assertThat(fed.trustDomain()).isEqualTo(DOMAIN_TEST);
  }

  @Test
  void corruptedWorkloadApiFileIsRejectedInEveryFormat() {
    byte[] bytes = ConformanceData.bytes(JAVA + "workloadapi/corrupted");
    for (BundleFormat f : BundleFormat.values()) {
      assertThatThrownBy(() -> SpiffeBundle.parse(EXAMPLE_ORG, bytes, f))
          .isInstanceOf(InvalidBundleException.class);
    }
  }

  // ---- C: plain JWKS

  private static SpiffeBundle jwks(String path) {
    return SpiffeBundle.parseJwks(EXAMPLE_ORG, ConformanceData.bytes(path));
  }

  @Test
  void jwksValidOneAndTwo() {
    assertThat(jwks(GO + "jwtbundle/testdata/jwks_valid_1.json").jwtAuthorities())
        .containsOnlyKeys("C6vs25welZOx6WksNYfbMfiw9l96pMnD");
    assertThat(jwks(JAVA + "jwtbundle/jwks_valid_EC_1.json").jwtAuthorities()).hasSize(1);
    assertThat(jwks(GO + "jwtbundle/testdata/jwks_valid_2.json").jwtAuthorities())
        .containsOnlyKeys("C6vs25welZOx6WksNYfbMfiw9l96pMnD", "gHTCunJbefYtnZnTctd84xeRWyMrEsWD");
  }

  @Test
  void jwksMissingKidRejectsTheWholeBundle() {
    for (String p :
        new String[] {GO + "jwtbundle/testdata/jwks_missing_kid.json", JAVA + "jwtbundle/jwks_missing_kid.json"}) {
      assertThatThrownBy(() -> jwks(p))
          .isInstanceOf(InvalidBundleException.class)
          .hasMessage("D8: jwt-svid entry 1 has no kid");
    }
  }

  @Test
  void jwksRsaWithUseSigAndRsaPlusEc() {
    SpiffeBundle rsa = SpiffeBundle.parseJwks(DOMAIN_TEST, ConformanceData.bytes(JAVA + "jwtbundle/jwks_valid_RSA_1.json"));
    assertThat(rsa.jwtAuthorities()).containsOnlyKeys("14cc39cd-838d-426d-9bb1-77f3468fba96");
    assertThat(rsa.jwtAuthorities().values()).allSatisfy(k -> assertThat(k.getAlgorithm()).isEqualTo("RSA"));
    assertThat(jwks(JAVA + "jwtbundle/jwks_valid_RSA_EC.json").jwtAuthorities()).hasSize(2);
  }

  @Test
  void jwksUnknownKeyTypeIsIgnoredNotFatal() {
    // java fails the whole bundle; the spec (TDB §4.2.1, D5) says ignore the JWK: we follow the spec
    SpiffeBundle b = jwks(JAVA + "jwtbundle/jwks_invalid_keytype.json");
    assertThat(b.jwtAuthorities()).isEmpty();
  }

  @Test
  void workloadApiBundleJsonHasThreeJwtAuthorities() {
    SpiffeBundle b = SpiffeBundle.parse(EXAMPLE_ORG, ConformanceData.bytes(JAVA + "workloadapi/bundle.json"));
    assertThat(b.jwtAuthorities()).hasSize(3);
    assertThat(SpiffeBundle.parseJwks(EXAMPLE_ORG, ConformanceData.bytes(JAVA + "workloadapi/bundle.json"))
            .jwtAuthorities())
        .hasSize(3);
  }

  // ---- D: SPIFFE bundles

  private static SpiffeBundle spiffe(String name) {
    return SpiffeBundle.parse(DOMAIN_TEST, ConformanceData.bytes(GO + "spiffebundle/testdata/" + name));
  }

  @Test
  void spiffeBundleValid1() {
    SpiffeBundle b = spiffe("spiffebundle_valid_1.json");
    assertThat(b.jwtAuthorities()).containsOnlyKeys("C6vs25welZOx6WksNYfbMfiw9l96pMnD");
    assertThat(b.x509Authorities()).hasSize(1);
    assertThat(b.sequence()).isEmpty();
    assertThat(b.refreshHint()).isEmpty();
  }

  @Test
  void spiffeBundleValid2() {
    SpiffeBundle b = spiffe("spiffebundle_valid_2.json");
    assertThat(b.jwtAuthorities()).hasSize(6);
    assertThat(b.x509Authorities()).hasSize(1);
    assertThat(b.refreshHint()).contains(Duration.ofSeconds(60));
    assertThat(b.sequence()).hasValue(1);
  }

  @Test
  void spiffeBundleMissingKidIsRejected() {
    assertThatThrownBy(() -> spiffe("spiffebundle_missing_kid.json"))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage("D8: jwt-svid entry 1 has no kid");
  }

  @Test
  void spiffeBundleWithoutKeysIsRejected() {
    assertThatThrownBy(() -> spiffe("spiffebundle_no_keys.json"))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessage("D1: bundle has no 'keys' member");
  }

  @Test
  void spiffeBundleWithTwoX5cUsesTheFirst() {
    // go fails the whole bundle; X509-SVID §6.2 says use the first and ignore the rest: we follow the spec
    SpiffeBundle b = spiffe("spiffebundle_multiple_x509.json");
    assertThat(b.x509Authorities()).hasSize(1);
    assertThat(b.jwtAuthorities()).hasSize(1);
  }

  @Test
  void spiffeBundleWithWitKeysIgnoresThem() {
    SpiffeBundle b = spiffe("spiffebundle_valid_with_wit.json");
    assertThat(b.jwtAuthorities()).hasSize(2);
    assertThat(b.x509Authorities()).hasSize(1);
    assertThat(b.refreshHint()).contains(Duration.ofSeconds(60));
    assertThat(b.sequence()).hasValue(1);
  }

  @Test
  void spiffeBundleRootMatchesTheFederatedPem() {
    SpiffeBundle fromJson = spiffe("spiffebundle_valid_1.json");
    SpiffeBundle fromPem =
        SpiffeBundle.parsePem(DOMAIN_TEST, ConformanceData.bytes(JAVA + "workloadapi/federated-bundle.pem"));
    assertThat(fromJson.x509Authorities()).isEqualTo(fromPem.x509Authorities());
  }
}
