package dev.jitaccess.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Set;

/**
 * JWS {@code EdDSA} (Ed25519) through the JDK, for the floor: plain Nimbus needs Tink for Ed25519, which
 * jit-access does not use. Like Nimbus' own signers it takes a fresh {@link Signature} per operation.
 */
final class JdkEd25519 {
  private static final byte[] SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  private JdkEd25519() {}

  /** The JDK public key of a public OKP JWK. */
  static PublicKey publicKey(OctetKeyPair jwk) throws GeneralSecurityException {
    byte[] x = jwk.getX().decode();
    byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + x.length);
    System.arraycopy(x, 0, spki, SPKI_PREFIX.length, x.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  /** Signs with an Ed25519 private key. */
  static final class Signer implements JWSSigner {
    private final PrivateKey key;
    private final JCAContext context = new JCAContext();

    Signer(PrivateKey key) {
      this.key = key;
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(signingInput);
        return Base64URL.encode(s.sign());
      } catch (GeneralSecurityException e) {
        throw new JOSEException("Ed25519 signing failed", e);
      }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return context;
    }
  }

  /** Verifies with an Ed25519 public key. */
  static final class Verifier implements JWSVerifier {
    private final PublicKey key;
    private final JCAContext context = new JCAContext();

    Verifier(PublicKey key) {
      this.key = key;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
      if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        return false;
      }
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(signingInput);
        return s.verify(signature.decode());
      } catch (SignatureException e) {
        return false;
      } catch (GeneralSecurityException e) {
        throw new JOSEException("Ed25519 verification failed", e);
      }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return context;
    }
  }
}
