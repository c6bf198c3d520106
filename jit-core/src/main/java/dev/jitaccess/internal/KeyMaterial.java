package dev.jitaccess.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.jitaccess.SigningAlgorithm;
import java.security.GeneralSecurityException;
import org.jspecify.annotations.Nullable;

/**
 * The one place where signing-key material is generated, parsed and checked against the broker's
 * algorithm. No message or exception from here quotes key material: a parse failure names only the
 * format that failed.
 */
public final class KeyMaterial {
  /**
   * The shortest RSA modulus accepted anywhere, in bits (RFC 7518 section 3.3): the broker's own keys and the
   * keys of DPoP proofs.
   */
  public static final int MIN_RSA_BITS = 2048;

  private KeyMaterial() {}

  /** The JWS algorithm of a signing algorithm. */
  public static JWSAlgorithm jws(SigningAlgorithm algorithm) {
    return switch (algorithm) {
      case ES256 -> JWSAlgorithm.ES256;
      case RS256 -> JWSAlgorithm.RS256;
      case EDDSA -> JWSAlgorithm.EdDSA;
      default -> throw new IllegalArgumentException("unknown algorithm " + algorithm);
    };
  }

  /** A fresh private key for {@code algorithm}, kid from its thumbprint, use {@code sig}, alg set. */
  public static JWK generate(SigningAlgorithm algorithm) {
    try {
      return switch (algorithm) {
        case ES256 -> new ECKeyGenerator(Curve.P_256)
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(JWSAlgorithm.ES256)
            .keyIDFromThumbprint(true)
            .generate();
        case RS256 -> new RSAKeyGenerator(2048)
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(JWSAlgorithm.RS256)
            .keyIDFromThumbprint(true)
            .generate();
        case EDDSA -> Ed25519Bc.generate();
        default -> throw new IllegalArgumentException("unknown algorithm " + algorithm);
      };
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }

  /**
   * Parses a JWK JSON object or PEM text (PKCS#8, SEC1, PKCS#1, or a public key / certificate), giving
   * it a kid (its own, or its RFC 7638 thumbprint) and use {@code sig}.
   *
   * @param what names the option in messages, for example {@code signingKey}
   * @param requirePrivate whether the key must hold its private part
   * @throws IllegalArgumentException naming {@code what} and the format, never quoting the material
   */
  public static JWK parse(String material, String what, boolean requirePrivate) {
    String text = material.strip();
    if (!text.startsWith("{") && !text.startsWith("-----BEGIN")) {
      throw new IllegalArgumentException(what + " must be a JWK JSON object or PEM text");
    }
    JWK jwk;
    try {
      jwk = text.startsWith("{") ? JWK.parse(text) : JWK.parseFromPEMEncodedObjects(text);
    } catch (java.text.ParseException | JOSEException | RuntimeException e) {
      // the message of a parse failure can quote the key material: never pass it on
      throw new IllegalArgumentException(what + " cannot be parsed as " + (text.startsWith("{") ? "JWK" : "PEM"));
    }
    if (requirePrivate && !jwk.isPrivate()) {
      throw new IllegalArgumentException(what + " must contain a private key");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new IllegalArgumentException(what + " is not a signature key (use " + jwk.getKeyUse() + ")");
    }
    try {
      String kid = jwk.getKeyID() != null && !jwk.getKeyID().isBlank() ? jwk.getKeyID() : jwk.computeThumbprint().toString();
      if (jwk instanceof ECKey ecKey) {
        return new ECKey.Builder(ecKey).keyID(kid).keyUse(KeyUse.SIGNATURE).build();
      }
      if (jwk instanceof RSAKey rsaKey) {
        return new RSAKey.Builder(rsaKey).keyID(kid).keyUse(KeyUse.SIGNATURE).build();
      }
      if (jwk instanceof OctetKeyPair okp) {
        return new OctetKeyPair.Builder(okp).keyID(kid).keyUse(KeyUse.SIGNATURE).build();
      }
    } catch (JOSEException | RuntimeException e) {
      throw new IllegalArgumentException("cannot compute the thumbprint of " + what);
    }
    throw new IllegalArgumentException(what + " of type " + jwk.getKeyType() + " is not a signing key type");
  }

  /**
   * The one rule for RSA key length, of the broker's keys and of proof-of-possession keys: returns what is
   * wrong ("an RSA key of N bits; at least 2048 are required") when {@code jwk} is an RSA key shorter than
   * {@link #MIN_RSA_BITS}, or null when it is not RSA or long enough. A shorter key can be factored, and a
   * token bound to it could be presented by anyone who steals it.
   */
  public static @Nullable String shortRsaKey(JWK jwk) {
    if (jwk instanceof RSAKey rsa && rsa.size() < MIN_RSA_BITS) {
      return "an RSA key of " + rsa.size() + " bits; at least " + MIN_RSA_BITS + " are required";
    }
    return null;
  }

  /**
   * Checks that a key fits {@code algorithm} (ES256: EC P-256, RS256: RSA of at least 2048 bits, EDDSA:
   * OKP Ed25519, and an {@code alg} member, if any, naming that algorithm) and sets its {@code alg}.
   *
   * @throws IllegalArgumentException naming {@code what}, the key's kid and type, never its material
   */
  public static JWK fit(JWK jwk, SigningAlgorithm algorithm, String what) {
    JWSAlgorithm expected = jws(algorithm);
    boolean typeFits =
        (expected.equals(JWSAlgorithm.ES256) && jwk instanceof ECKey ecKey && Curve.P_256.equals(ecKey.getCurve()))
            || (expected.equals(JWSAlgorithm.RS256) && jwk instanceof RSAKey && shortRsaKey(jwk) == null)
            || (expected.equals(JWSAlgorithm.EdDSA)
                && jwk instanceof OctetKeyPair octetKeyPair
                && Curve.Ed25519.equals(octetKeyPair.getCurve()));
    boolean algFits = jwk.getAlgorithm() == null || expected.getName().equals(jwk.getAlgorithm().getName());
    if (!typeFits || !algFits) {
      throw new IllegalArgumentException(
          what + " " + jwk.getKeyID() + " of type " + jwk.getKeyType()
              + (jwk.getAlgorithm() == null ? "" : " (alg " + jwk.getAlgorithm() + ")")
              + " does not fit algorithm " + algorithm
              + " (ES256: EC P-256, RS256: RSA >= 2048 bits, EDDSA: OKP Ed25519)");
    }
    if (jwk instanceof ECKey ecKey) {
      return new ECKey.Builder(ecKey).algorithm(expected).build();
    }
    if (jwk instanceof RSAKey rsaKey) {
      return new RSAKey.Builder(rsaKey).algorithm(expected).build();
    }
    return new OctetKeyPair.Builder((OctetKeyPair) jwk).algorithm(expected).build();
  }

  /** The signer of a private key that {@link #fit fits} {@code algorithm}. */
  public static KeyRing.ActiveKey activate(JWK key, SigningAlgorithm algorithm) {
    JWSAlgorithm alg = jws(algorithm);
    try {
      JWSSigner signer;
      if (key instanceof ECKey ecKey) {
        ECDSASigner s = new ECDSASigner(ecKey);
        s.getJCAContext().setProvider(Providers.bouncyCastle());
        signer = s;
      } else if (key instanceof RSAKey rsaKey) {
        signer = new RSASSASigner(rsaKey);
      } else {
        signer = new Ed25519Bc.Signer(Ed25519Bc.privateKey((OctetKeyPair) key));
      }
      return new KeyRing.ActiveKey(key.getKeyID(), alg, signer);
    } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("cannot sign with the " + algorithm + " key " + key.getKeyID());
    }
  }
}
