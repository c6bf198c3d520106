package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.PublicKey;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Fuzzes bundle parsing: every input is read as a SPIFFE bundle, a plain JWK Set, PEM/DER roots and a
 * bundle map. The contract: each parser returns a bundle or throws {@link InvalidBundleException} with a
 * message (the documented refusal); no other exception or error escapes. An accepted bundle belongs to
 * the requested trust domain, holds only RSA or EC JWT authorities with non-blank key IDs, a non-negative
 * sequence and refresh hint, and nothing the format cannot carry (no JWT authorities from PEM, no X.509
 * authorities from a plain JWK Set); a bundle map's bundles carry their own key's trust domain and no
 * hints.
 */
class SpiffeBundleFuzzTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");

  @FuzzTest(maxDuration = "2m")
  void bundleParsersAcceptOrRefuseWithInvalidBundleException(byte[] input) {
    SpiffeBundle spiffe = parse("SPIFFE", () -> SpiffeBundle.parse(TD, input.clone(), BundleFormat.SPIFFE));
    if (spiffe != null) {
      checkBundle(spiffe, TD);
    }
    SpiffeBundle jwks = parse("JWKS", () -> SpiffeBundle.parse(TD, input.clone(), BundleFormat.JWKS));
    if (jwks != null) {
      checkBundle(jwks, TD);
      assertThat(jwks.x509Authorities()).as("X.509 authorities from a plain JWK Set").isEmpty();
      assertThat(jwks.sequence()).isEmpty();
    }
    SpiffeBundle pem = parse("PEM", () -> SpiffeBundle.parse(TD, input.clone(), BundleFormat.PEM));
    if (pem != null) {
      checkBundle(pem, TD);
      assertThat(pem.jwtAuthorities()).as("JWT authorities from PEM").isEmpty();
    }
    BundleSet map = parse("bundle map", () -> BundleSet.parseBundleMap(input.clone()));
    if (map != null) {
      for (TrustDomain td : map.trustDomains()) {
        SpiffeBundle b = map.bundleFor(td).orElseThrow();
        checkBundle(b, td);
        assertThat(b.sequence()).as("bundle-map entries drop spiffe_sequence").isEmpty();
        assertThat(b.refreshHint()).as("bundle-map entries drop spiffe_refresh_hint").isEmpty();
      }
    }
  }

  private static <T> T parse(String format, Supplier<T> parser) {
    try {
      T result = parser.get();
      assertThat(result).as("%s parser returned null", format).isNotNull();
      return result;
    } catch (InvalidBundleException e) {
      assertThat(e.getMessage()).as("%s refusal message", format).isNotBlank();
      return null;
    } catch (RuntimeException | Error e) {
      throw new AssertionError(format + " parser threw " + e + " instead of InvalidBundleException", e);
    }
  }

  private static void checkBundle(SpiffeBundle b, TrustDomain td) {
    assertThat(b.trustDomain()).isEqualTo(td);
    for (Map.Entry<String, PublicKey> e : b.jwtAuthorities().entrySet()) {
      assertThat(e.getKey()).as("JWT authority key ID").isNotBlank();
      assertThat(e.getValue().getAlgorithm()).as("JWT authority key type").isIn("RSA", "EC");
    }
    b.sequence().ifPresent(s -> assertThat(s).isNotNegative());
    b.refreshHint().ifPresent(h -> assertThat(h.isNegative()).isFalse());
    assertThat(b.x509Authorities()).doesNotContainNull();
    assertThat(b.toString()).doesNotContain("BEGIN");
  }
}
