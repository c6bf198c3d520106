package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Fuzzes {@link X509SvidVerifier#verify} with arbitrary DER: the input is first parsed by the JDK's
 * {@link CertificateFactory} (one or more concatenated certificates; input it refuses is skipped, that is
 * the JDK's parser, not ours), then the chain is presented as is and with the bundle root appended. The
 * bundle of {@code example.org} holds one fixed root ({@code fuzz-x509-root.der}, made by
 * {@link TestPki}). The contract: verify never throws and never returns null, and a {@code Verified}
 * result is backed by an independent check: the leaf carries exactly one URI SAN, a SPIFFE ID of
 * {@code example.org} with a path by the reference grammar, is not a CA, is valid at the fixed clock,
 * and the presented chain verifies link by link up to the bundle root. The seed leaf must verify.
 */
class X509SvidVerifierFuzzTest {
  static final X509Certificate ROOT = root();
  static final X509SvidVerifier VERIFIER = X509SvidVerifier.builder()
      .bundleSource(BundleSet.of(SpiffeBundle.builder(TrustDomain.parse("example.org")).x509Authority(ROOT).build()))
      .clock(Clock.fixed(FuzzJwt.NOW, ZoneOffset.UTC))
      .build();

  static X509Certificate root() {
    try (InputStream in = X509SvidVerifierFuzzTest.class.getResourceAsStream("fuzz-x509-root.der")) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void x509SvidsVerifyOnlyWhenTheyChainToTheBundle(byte[] input) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      Collection<? extends java.security.cert.Certificate> parsed =
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(input));
      for (java.security.cert.Certificate c : parsed) {
        chain.add((X509Certificate) c);
      }
    } catch (CertificateException | RuntimeException e) {
      return; // the JDK refuses the DER: nothing reaches the verifier
    }
    if (chain.isEmpty()) {
      return;
    }
    check(chain);
    List<X509Certificate> withRoot = new ArrayList<>(chain);
    withRoot.add(ROOT);
    check(withRoot);
  }

  static void check(List<X509Certificate> chain) {
    IdentityResult result;
    try {
      result = VERIFIER.verify(Credential.x509Svid(chain));
    } catch (RuntimeException | Error e) {
      throw new AssertionError("X509SvidVerifier.verify threw " + e, e);
    }
    assertThat(result).as("verify returned null").isNotNull();
    X509Certificate leaf = chain.get(0);
    if (result instanceof IdentityResult.Rejected r) {
      assertThat(r.reason()).isNotBlank();
      boolean seedAlone = isSeedLeaf(leaf) && (chain.size() == 1 || (chain.size() == 2 && chain.get(1).equals(ROOT)));
      assertThat(seedAlone).as("the seed leaf was refused: %s", r.reason()).isFalse();
      return;
    }
    WorkloadIdentity id = ((IdentityResult.Verified) result).identity();
    List<String> uris = new ArrayList<>();
    try {
      if (leaf.getSubjectAlternativeNames() != null) {
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
          if (Integer.valueOf(6).equals(san.get(0))) {
            uris.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      throw new AssertionError("verified a leaf whose SANs cannot be read", e);
    }
    assertThat(uris).as("URI SANs of a verified leaf").hasSize(1);
    Optional<SpiffeIdFuzzTest.Reference.Id> ref = SpiffeIdFuzzTest.Reference.parseId(uris.get(0));
    assertThat(ref).as("verified a URI SAN that is not a SPIFFE ID").isPresent();
    assertThat(ref.get().trustDomain()).isEqualTo("example.org");
    assertThat(ref.get().path()).isNotEmpty();
    assertThat(id.id()).isEqualTo(uris.get(0));
    assertThat(leaf.getBasicConstraints()).as("verified a CA leaf").isEqualTo(-1);
    Date now = Date.from(FuzzJwt.NOW);
    assertThat(leaf.getNotBefore()).isBeforeOrEqualTo(now);
    assertThat(leaf.getNotAfter()).isAfterOrEqualTo(now);
    assertThat(chainsToRoot(chain)).as("verified a chain that does not lead to the bundle root").isTrue();
  }

  /** Each certificate is signed by the next one, and the last one by the root (or is the root). */
  static boolean chainsToRoot(List<X509Certificate> chain) {
    try {
      for (int i = 0; i < chain.size(); i++) {
        X509Certificate c = chain.get(i);
        if (c.equals(ROOT)) {
          return i > 0;
        }
        c.verify((i + 1 < chain.size() ? chain.get(i + 1) : ROOT).getPublicKey());
      }
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The seed leaf ({@code leaf} in the corpus), issued by the root for {@code spiffe://example.org/workload}. */
  static final byte[] SEED_LEAF = seedLeaf();

  static byte[] seedLeaf() {
    try (InputStream in = X509SvidVerifierFuzzTest.class.getResourceAsStream(
        "X509SvidVerifierFuzzTestInputs/x509SvidsVerifyOnlyWhenTheyChainToTheBundle/leaf")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean isSeedLeaf(X509Certificate leaf) {
    try {
      return java.util.Arrays.equals(leaf.getEncoded(), SEED_LEAF);
    } catch (java.security.cert.CertificateEncodingException e) {
      return false;
    }
  }
}
