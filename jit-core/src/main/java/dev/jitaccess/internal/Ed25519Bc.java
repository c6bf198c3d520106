package dev.jitaccess.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * JWS {@code EdDSA} with Ed25519 through Bouncy Castle's lightweight API (no provider is registered or
 * even created), so that neither Tink nor global state is needed; Nimbus' own Ed25519 classes require
 * Tink.
 *
 * <p>Bouncy Castle rather than the JDK's {@code Ed25519} {@link java.security.Signature}: on JDK 17 the
 * JDK signer recomputes the public key on every signature and uses generic field arithmetic, and
 * measured 791 µs of CPU per signature against 53 µs for Bouncy Castle on the same machine and run
 * (BENCHMARKS.md, issue 7). Verification rejects a non-canonical {@code S} and invalid point encodings,
 * as RFC 8032 section 5.1.7 requires, and public keys of small order.
 */
final class Ed25519Bc {
  private static final int KEY_BYTES = 32;
  private static final int SIGNATURE_BYTES = 64;

  private Ed25519Bc() {}

  /** Generates an Ed25519 key pair as an OKP JWK with a thumbprint key id. */
  static OctetKeyPair generate() {
    Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
    byte[] d = key.getEncoded();
    try {
      OctetKeyPair jwk =
          new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(key.generatePublicKey().getEncoded()))
              .d(Base64URL.encode(d))
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.EdDSA)
              .build();
      return new OctetKeyPair.Builder(jwk).keyIDFromThumbprint().build();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot compute the Ed25519 key's thumbprint", e);
    } finally {
      Arrays.fill(d, (byte) 0);
    }
  }

  /**
   * The public key of an OKP JWK; refuses other curves, wrong lengths, non-canonical or invalid point
   * encodings and points of small order.
   */
  static Ed25519PublicKeyParameters publicKey(OctetKeyPair jwk) throws GeneralSecurityException {
    requireEd25519(jwk);
    byte[] x = jwk.getX().decode();
    if (x.length != KEY_BYTES) {
      throw new GeneralSecurityException("Ed25519 public key must be 32 bytes, got " + x.length);
    }
    // Full validation: a canonical encoding of a point on the curve, of the prime order; a small-order key
    // would accept forged signatures on some messages.
    Ed25519.PublicPoint point = Ed25519.validatePublicKeyFullExport(x, 0);
    if (point == null) {
      throw new GeneralSecurityException("the Ed25519 public key is not a valid point of prime order");
    }
    return new Ed25519PublicKeyParameters(point);
  }

  /** The private key of an OKP JWK; refuses other curves, a missing private part and wrong lengths. */
  static Ed25519PrivateKeyParameters privateKey(OctetKeyPair jwk) throws GeneralSecurityException {
    requireEd25519(jwk);
    if (jwk.getD() == null) {
      throw new GeneralSecurityException("the OKP key has no private part");
    }
    byte[] d = jwk.getD().decode();
    try {
      if (d.length != KEY_BYTES) {
        throw new GeneralSecurityException("Ed25519 private key must be 32 bytes");
      }
      Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(d, 0);
      key.generatePublicKey(); // computed once here and cached by the key, not on every signature
      return key;
    } finally {
      Arrays.fill(d, (byte) 0);
    }
  }

  private static void requireEd25519(OctetKeyPair jwk) throws GeneralSecurityException {
    if (!Curve.Ed25519.equals(jwk.getCurve())) {
      throw new GeneralSecurityException("only the Ed25519 curve is supported, got " + jwk.getCurve());
    }
  }

  /** Signs with an Ed25519 private key; thread-safe (one Bouncy Castle signer per signature). */
  static final class Signer implements JWSSigner {
    private final Ed25519PrivateKeyParameters key;
    private final JCAContext context = new JCAContext();

    Signer(Ed25519PrivateKeyParameters key) {
      this.key = key;
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        throw new JOSEException("Ed25519 signer cannot sign " + header.getAlgorithm());
      }
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
      return context;
    }

    @Override
    public String toString() {
      return "Ed25519Signer[key=<redacted>]";
    }
  }

  /** Verifies with an Ed25519 public key; thread-safe (one Bouncy Castle verifier per call). */
  static final class Verifier implements JWSVerifier {
    private final Ed25519PublicKeyParameters key;
    private final JCAContext context = new JCAContext();

    Verifier(Ed25519PublicKeyParameters key) {
      this.key = key;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
      if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        return false;
      }
      byte[] sig = signature.decode();
      if (sig.length != SIGNATURE_BYTES) {
        return false;
      }
      Ed25519Signer s = new Ed25519Signer();
      s.init(false, key);
      s.update(signingInput, 0, signingInput.length);
      return s.verifySignature(sig);
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
