package dev.jitaccess.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * JWS {@code EdDSA} (Ed25519) for the floor, on the primitive jit-core uses: Bouncy Castle's lightweight
 * Ed25519 (plain Nimbus needs Tink for Ed25519, which neither side uses). The JDK 17 {@code Ed25519}
 * signature costs about 15 times as much per signature on the benchmark machine (BENCHMARKS.md), so a
 * JDK floor would hide the library's own cost behind a slow signer.
 */
final class BcEd25519 {
  private BcEd25519() {}

  /** A bare JWS signer: one Bouncy Castle signer per signature. */
  record Signer(Ed25519PrivateKeyParameters key) implements JWSSigner {
    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) {
      Ed25519Signer s = new Ed25519Signer();
      s.init(true, key);
      s.update(signingInput, 0, signingInput.length);
      return Base64URL.encode(s.generateSignature());
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return new JCAContext();
    }
  }

  /** A bare JWS verifier: one Bouncy Castle verifier per call. */
  record Verifier(Ed25519PublicKeyParameters key) implements JWSVerifier {
    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
      if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        throw new JOSEException("not EdDSA");
      }
      Ed25519Signer s = new Ed25519Signer();
      s.init(false, key);
      s.update(signingInput, 0, signingInput.length);
      return s.verifySignature(signature.decode());
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return new JCAContext();
    }
  }
}
