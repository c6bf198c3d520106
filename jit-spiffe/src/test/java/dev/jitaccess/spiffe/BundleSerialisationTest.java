package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SpiffeBundle#toJson()} writes the SPIFFE bundle format, and parsing it gives the bundle back. */
class BundleSerialisationTest {
  private static final TrustDomain TD = TrustDomain.parse("example.org");

  @Test
  void aBundleWithEveryKindOfEntryRoundTrips() throws Exception {
    TestPki pki = new TestPki("example.org");
    RSAKey rsa = new RSAKeyGenerator(2048).keyID("r1").generate();
    SpiffeBundle bundle = SpiffeBundle.builder(TD)
        .x509Authority(pki.root)
        .jwtAuthority("e1", BundleTest.gen("e1").toECPublicKey())
        .jwtAuthority("r1", rsa.toRSAPublicKey())
        .sequence(42)
        .refreshHint(Duration.ofSeconds(300))
        .build();

    SpiffeBundle back = SpiffeBundle.parse(TD, bundle.toJson());

    assertThat(back).isEqualTo(bundle);
    assertThat(back.x509Authorities()).containsExactly(pki.root);
    assertThat(back.jwtAuthorities()).isEqualTo(bundle.jwtAuthorities());
    assertThat(back.sequence()).hasValue(42);
    assertThat(back.refreshHint()).contains(Duration.ofSeconds(300));
  }

  @Test
  void theDocumentHasTheSpiffeShapeAndNoPrivateMaterial() throws Exception {
    TestPki pki = new TestPki("example.org");
    SpiffeBundle bundle = SpiffeBundle.builder(TD).x509Authority(pki.root)
        .jwtAuthority("e1", BundleTest.gen("e1").toECPublicKey()).build();

    Map<String, Object> doc = JSONObjectUtils.parse(new String(bundle.toJson(), StandardCharsets.UTF_8));

    assertThat(doc).containsOnlyKeys("keys");
    List<Object> keys = JSONObjectUtils.getJSONArray(doc, "keys");
    assertThat(keys).hasSize(2);
    @SuppressWarnings("unchecked")
    Map<String, Object> x509 = (Map<String, Object>) keys.get(0);
    @SuppressWarnings("unchecked")
    Map<String, Object> jwt = (Map<String, Object>) keys.get(1);
    assertThat(x509).containsEntry("use", "x509-svid").containsEntry("kty", "EC").containsKey("x5c")
        .doesNotContainKey("d");
    assertThat(jwt).containsEntry("use", "jwt-svid").containsEntry("kid", "e1").containsEntry("kty", "EC")
        .doesNotContainKey("d");
  }

  @Test
  void anEmptyBundleIsAnEmptyKeySet() {
    SpiffeBundle empty = SpiffeBundle.builder(TD).build();
    assertThat(new String(empty.toJson(), StandardCharsets.UTF_8)).isEqualTo("{\"keys\":[]}");
    assertThat(SpiffeBundle.parse(TD, empty.toJson())).isEqualTo(empty);
  }

  @Test
  void anAuthorityKeyWithoutAJwkFormIsRefusedNamingTheEntry() throws Exception {
    var ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    var edRoot = TestPki.Spec.ca("spiffe://example.org").issue(null, ed, ed).cert;
    SpiffeBundle bundle = SpiffeBundle.builder(TD).x509Authority(edRoot).build();
    assertThatIllegalStateException().isThrownBy(bundle::toJson)
        .withMessageContaining("an X.509 authority").withMessageContaining("RSA and EC only");
  }
}
