package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for two fuzzing findings (SpiffeBundleFuzzTest): bundle documents that must be
 * refused with {@link InvalidBundleException}, as documented, but made another exception escape. The
 * fuzzer's inputs are kept in {@code findings/}; the bug is fixed and this test keeps it fixed.
 */
class MalformedBundleIsRefusedTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");

  static byte[] finding(String name) {
    try (InputStream in = MalformedBundleIsRefusedTest.class.getResourceAsStream("findings/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void x509SvidEntryWithoutKtyIsIgnoredOrRefusedNotANullPointerException() {
    byte[] doc = "{\"keys\":[{\"use\":\"x509-svid\",\"x5c\":[\"AAAA\"]}]}".getBytes(StandardCharsets.UTF_8);
    // D5/D6: an entry without a usable kty is ignored; the parse must not fail with an NPE
    SpiffeBundle.parse(TD, doc);
    SpiffeBundle.parse(TD, finding("x509-svid-entry-without-kty.json"));
  }

  @Test
  void bundleMapWithAnX509SvidEntryWithoutKtyIsNotANullPointerException() {
    BundleSet.parseBundleMap("{\"trust_domains\":{\"example.org\":{\"keys\":[{\"use\":\"x509-svid\"}]}}}"
        .getBytes(StandardCharsets.UTF_8));
    BundleSet.parseBundleMap(finding("bundle-map-x509-svid-entry-without-kty.json"));
  }

  @Test
  void numberWithAHugeExponentIsInvalidBundleNotANumberFormatException() {
    for (BundleFormat format : new BundleFormat[] {BundleFormat.SPIFFE, BundleFormat.JWKS}) {
      assertThatThrownBy(() -> SpiffeBundle.parse(TD, finding("json-number-exponent-overflow.json"), format))
          .isInstanceOf(InvalidBundleException.class);
      assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{\"keys\":[],\"x\":1e99999999999999999}".getBytes(StandardCharsets.UTF_8), format))
          .isInstanceOf(InvalidBundleException.class);
    }
    assertThatThrownBy(() -> BundleSet.parseBundleMap("{\"trust_domains\":{},\"x\":1E-9999999999}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidBundleException.class);
  }
}
