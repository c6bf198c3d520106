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
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Set;

/**
 * JWS {@code EdDSA} with Ed25519 through the JDK's own implementation (JDK 15+), so that neither Tink
 * nor a registered provider is needed. Nimbus' own Ed25519 classes require Tink.
 */
final class Ed25519Jdk {
  private static final byte[] SPKI_PREFIX = hex("302a300506032b6570032100");
  private static final byte[] PKCS8_PREFIX = hex("302e020100300506032b657004220420");

  private Ed25519Jdk() {}

  /** Generates an Ed25519 key pair as an OKP JWK with a thumbprint key id. */
  static OctetKeyPair generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] x = tail(pair.getPublic().getEncoded(), 32);
      byte[] d = tail(pair.getPrivate().getEncoded(), 32);
      OctetKeyPair jwk =
          new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x))
              .d(Base64URL.encode(d))
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.EdDSA)
              .build();
      Arrays.fill(d, (byte) 0);
      return new OctetKeyPair.Builder(jwk).keyIDFromThumbprint().build();
    } catch (GeneralSecurityException | JOSEException e) {
      throw new IllegalStateException("the JDK cannot generate Ed25519 keys", e);
    }
  }

  static PublicKey publicKey(OctetKeyPair jwk) throws GeneralSecurityException {
    requireEd25519(jwk);
    byte[] x = jwk.getX().decode();
    if (x.length != 32) {
      throw new GeneralSecurityException("Ed25519 public key must be 32 bytes, got " + x.length);
    }
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(SPKI_PREFIX, x)));
  }

  static PrivateKey privateKey(OctetKeyPair jwk) throws GeneralSecurityException {
    requireEd25519(jwk);
    if (jwk.getD() == null) {
      throw new GeneralSecurityException("the OKP key has no private part");
    }
    byte[] d = jwk.getD().decode();
    try {
      if (d.length != 32) {
        throw new GeneralSecurityException("Ed25519 private key must be 32 bytes");
      }
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, d)));
    } finally {
      Arrays.fill(d, (byte) 0);
    }
  }

  private static void requireEd25519(OctetKeyPair jwk) throws GeneralSecurityException {
    if (!Curve.Ed25519.equals(jwk.getCurve())) {
      throw new GeneralSecurityException("only the Ed25519 curve is supported, got " + jwk.getCurve());
    }
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
      if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
        throw new JOSEException("Ed25519 signer cannot sign " + header.getAlgorithm());
      }
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

    @Override
    public String toString() {
      return "Ed25519Signer[key=<redacted>]";
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
      byte[] sig = signature.decode();
      if (sig.length != 64) {
        return false;
      }
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(signingInput);
        return s.verify(sig);
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

  private static byte[] tail(byte[] encoded, int n) {
    return Arrays.copyOfRange(encoded, encoded.length - n, encoded.length);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] hex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
