package dev.jitaccess.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.jitaccess.SigningAlgorithm;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.UUID;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Bare Nimbus signers and verifiers for the floor, built the way jit-core builds its own: ES256 with an
 * unregistered Bouncy Castle provider instance (or the JDK's, for reference), RS256 with the JDK's
 * SunRsaSign, EdDSA with Bouncy Castle's lightweight Ed25519 (as jit-core).
 */
final class Crypto {
  /** One unregistered Bouncy Castle provider for the benchmark side (jit-core keeps its own). */
  static final Provider BC = new BouncyCastleProvider();

  /** Which JCA provider an ECDSA key uses. */
  enum Ecdsa {
    /** Bouncy Castle, as jit-core. */
    BOUNCY_CASTLE,
    /** The JDK's SunEC. */
    JDK
  }

  /** A signing key with its verifier. */
  record KeyPairJws(JWSAlgorithm algorithm, String kid, JWSSigner signer, JWSVerifier verifier) {}

  private Crypto() {}

  static JWSAlgorithm jws(SigningAlgorithm algorithm) {
    switch (algorithm) {
      case ES256:
        return JWSAlgorithm.ES256;
      case EDDSA:
        return JWSAlgorithm.EdDSA;
      case RS256:
        return JWSAlgorithm.RS256;
      default:
        throw new IllegalArgumentException("unknown algorithm " + algorithm);
    }
  }

  /** A fresh key for {@code algorithm}. */
  static KeyPairJws generate(SigningAlgorithm algorithm, Ecdsa ecdsa) {
    String kid = UUID.randomUUID().toString();
    try {
      switch (algorithm) {
        case ES256: {
          ECKey key = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
          ECDSASigner signer = new ECDSASigner(key);
          if (ecdsa == Ecdsa.BOUNCY_CASTLE) {
            signer.getJCAContext().setProvider(BC);
          }
          return new KeyPairJws(JWSAlgorithm.ES256, kid, signer, verifier(key.toPublicJWK(), ecdsa));
        }
        case RS256: {
          JWK key = new RSAKeyGenerator(2048).keyID(kid).generate();
          return new KeyPairJws(JWSAlgorithm.RS256, kid, new RSASSASigner(key.toRSAKey()),
              verifier(key.toPublicJWK(), ecdsa));
        }
        case EDDSA: {
          Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
          return new KeyPairJws(JWSAlgorithm.EdDSA, kid, new BcEd25519.Signer(key),
              new BcEd25519.Verifier(key.generatePublicKey()));
        }
        default:
          throw new IllegalArgumentException("unknown algorithm " + algorithm);
      }
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }

  /** A verifier for a public JWK (EC P-256, RSA or OKP Ed25519). */
  static JWSVerifier verifier(JWK publicJwk, Ecdsa ecdsa) {
    try {
      switch (publicJwk.getKeyType().getValue()) {
        case "EC": {
          ECDSAVerifier v = new ECDSAVerifier(publicJwk.toECKey());
          if (ecdsa == Ecdsa.BOUNCY_CASTLE) {
            v.getJCAContext().setProvider(BC);
          }
          return v;
        }
        case "RSA":
          return new RSASSAVerifier(publicJwk.toRSAKey());
        case "OKP":
          return new BcEd25519.Verifier(new Ed25519PublicKeyParameters(publicJwk.toOctetKeyPair().getX().decode()));
        default:
          throw new IllegalArgumentException("unsupported key type " + publicJwk.getKeyType());
      }
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot build a verifier for key " + publicJwk.getKeyID(), e);
    }
  }
}
