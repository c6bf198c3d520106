package dev.jitaccess.internal;

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
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.jitaccess.SigningAlgorithm;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The broker's signing keys: one active private key, and the public keys of retired ones kept until
 * every token they signed has expired. Thread-safe: readers see an immutable snapshot.
 */
public final class KeyRing {

  /** The active signing key. {@code toString()} never shows the key. */
  public static final class ActiveKey {
    private final String kid;
    private final JWSAlgorithm algorithm;
    private final JWSSigner signer;

    ActiveKey(String kid, JWSAlgorithm algorithm, JWSSigner signer) {
      this.kid = kid;
      this.algorithm = algorithm;
      this.signer = signer;
    }

    /** The key id. */
    public String kid() {
      return kid;
    }

    /** The JWS algorithm. */
    public JWSAlgorithm algorithm() {
      return algorithm;
    }

    /** The signer. */
    public JWSSigner signer() {
      return signer;
    }

    @Override
    public String toString() {
      return "ActiveKey[kid=" + kid + ", alg=" + algorithm + "]";
    }
  }

  /**
   * A published public key.
   *
   * @param jwk the public JWK
   * @param algorithm the only algorithm it verifies
   * @param verifier the verifier
   * @param retireAt when it stops being published ({@link Instant#MAX} while active)
   */
  public record PublicKeyEntry(JWK jwk, JWSAlgorithm algorithm, JWSVerifier verifier, Instant retireAt) {}

  private record Snapshot(ActiveKey active, Map<String, PublicKeyEntry> published, String json) {}

  private final SigningAlgorithm algorithm;
  private final boolean shared;
  private final Clock clock;
  private final Duration retention;
  private volatile Snapshot snapshot;

  /**
   * Creates a ring with a generated key, or with {@code sharedKey} (a private JWK JSON or PEM).
   *
   * @param retention how long a retired public key stays published (the longest token lifetime plus skew)
   */
  public KeyRing(SigningAlgorithm algorithm, @Nullable String sharedKey, Clock clock, Duration retention) {
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.shared = sharedKey != null;
    JWK key = sharedKey == null ? generate(algorithm) : load(sharedKey, algorithm);
    ActiveKey active = activate(key, algorithm);
    Map<String, PublicKeyEntry> published = new LinkedHashMap<>();
    published.put(active.kid(), publicEntry(key.toPublicJWK(), Instant.MAX));
    this.snapshot = new Snapshot(active, published, toJson(published));
  }

  /** The key to sign with now. */
  public ActiveKey active() {
    return snapshot.active();
  }

  /** A published key by id, if it is still published at the clock's time. */
  public Optional<PublicKeyEntry> find(String kid) {
    PublicKeyEntry e = snapshot.published().get(kid);
    if (e == null || !clock.instant().isBefore(e.retireAt())) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /** The published public keys as a JWK Set JSON. */
  public String publicJwks() {
    prune();
    return snapshot.json();
  }

  /** Replaces the active key with a fresh one; the old public key stays published for the retention. */
  public synchronized void rotate() {
    if (shared) {
      throw new IllegalStateException(
          "a shared signing key cannot be rotated by one replica; rotate it where it is managed");
    }
    Snapshot old = snapshot;
    JWK key = generate(algorithm);
    ActiveKey active = activate(key, algorithm);
    Instant retireAt = clock.instant().plus(retention);
    Map<String, PublicKeyEntry> published = new LinkedHashMap<>();
    published.put(active.kid(), publicEntry(key.toPublicJWK(), Instant.MAX));
    for (PublicKeyEntry e : old.published().values()) {
      if (e.retireAt().equals(Instant.MAX)) {
        published.put(e.jwk().getKeyID(), new PublicKeyEntry(e.jwk(), e.algorithm(), e.verifier(), retireAt));
      } else if (clock.instant().isBefore(e.retireAt())) {
        published.put(e.jwk().getKeyID(), e);
      }
    }
    snapshot = new Snapshot(active, published, toJson(published));
  }

  private synchronized void prune() {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    if (s.published().values().stream().allMatch(e -> now.isBefore(e.retireAt()))) {
      return;
    }
    Map<String, PublicKeyEntry> published = new LinkedHashMap<>();
    s.published().forEach((k, e) -> {
      if (now.isBefore(e.retireAt())) {
        published.put(k, e);
      }
    });
    snapshot = new Snapshot(s.active(), published, toJson(published));
  }

  private static String toJson(Map<String, PublicKeyEntry> published) {
    List<JWK> keys = new ArrayList<>();
    published.values().forEach(e -> keys.add(e.jwk()));
    return new JWKSet(keys).toString(true);
  }

  /** The verification entry for a public JWK, inferring the algorithm from {@code alg} or the key type. */
  public static PublicKeyEntry publicEntry(JWK publicJwk, Instant retireAt) {
    if (publicJwk.isPrivate()) {
      throw new IllegalArgumentException("key " + publicJwk.getKeyID() + " is a private key; publish public keys only");
    }
    JWSAlgorithm alg = algorithmOf(publicJwk);
    try {
      JWSVerifier verifier;
      if (JWSAlgorithm.ES256.equals(alg)) {
        ECKey ec = publicJwk.toECKey();
        if (!Curve.P_256.equals(ec.getCurve())) {
          throw new IllegalArgumentException("ES256 needs a P-256 key, got " + ec.getCurve());
        }
        ECDSAVerifier v = new ECDSAVerifier(ec);
        v.getJCAContext().setProvider(Providers.bouncyCastle());
        verifier = v;
      } else if (JWSAlgorithm.RS256.equals(alg)) {
        verifier = new RSASSAVerifier(publicJwk.toRSAKey());
      } else if (JWSAlgorithm.EdDSA.equals(alg)) {
        verifier = new Ed25519Bc.Verifier(Ed25519Bc.publicKey(publicJwk.toOctetKeyPair()));
      } else {
        throw new IllegalArgumentException("unsupported algorithm " + alg);
      }
      return new PublicKeyEntry(publicJwk, alg, verifier, retireAt);
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use key " + publicJwk.getKeyID() + ": " + e.getMessage(), e);
    }
  }

  private static JWSAlgorithm algorithmOf(JWK jwk) {
    if (jwk.getKeyID() == null || jwk.getKeyID().isBlank()) {
      throw new IllegalArgumentException("every published key needs a kid");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new IllegalArgumentException("key " + jwk.getKeyID() + " is not a signature key");
    }
    if (jwk.getAlgorithm() != null) {
      JWSAlgorithm alg = JWSAlgorithm.parse(jwk.getAlgorithm().getName());
      if (!List.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256, JWSAlgorithm.EdDSA).contains(alg)) {
        throw new IllegalArgumentException("key " + jwk.getKeyID() + " has unsupported alg " + alg);
      }
      return alg;
    }
    if (KeyType.EC.equals(jwk.getKeyType())) {
      return JWSAlgorithm.ES256;
    }
    if (KeyType.RSA.equals(jwk.getKeyType())) {
      return JWSAlgorithm.RS256;
    }
    if (KeyType.OKP.equals(jwk.getKeyType())) {
      return JWSAlgorithm.EdDSA;
    }
    throw new IllegalArgumentException("key " + jwk.getKeyID() + " has unsupported type " + jwk.getKeyType());
  }

  private static JWSAlgorithm jws(SigningAlgorithm algorithm) {
    return switch (algorithm) {
      case ES256 -> JWSAlgorithm.ES256;
      case RS256 -> JWSAlgorithm.RS256;
      case EDDSA -> JWSAlgorithm.EdDSA;
      default -> throw new IllegalArgumentException("unknown algorithm " + algorithm);
    };
  }

  private static JWK generate(SigningAlgorithm algorithm) {
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

  private static JWK load(String material, SigningAlgorithm algorithm) {
    JWK jwk;
    String text = material.strip();
    if (!text.startsWith("{") && !text.startsWith("-----BEGIN")) {
      throw new IllegalArgumentException("signingKey must be a JWK JSON object or PEM text");
    }
    try {
      jwk = text.startsWith("{") ? JWK.parse(text) : JWK.parseFromPEMEncodedObjects(text);
    } catch (java.text.ParseException | JOSEException | RuntimeException e) {
      // the message of a parse failure can quote the key material: never pass it on
      throw new IllegalArgumentException("signingKey cannot be parsed as " + (text.startsWith("{") ? "JWK" : "PEM"));
    }
    if (!jwk.isPrivate()) {
      throw new IllegalArgumentException("signingKey must contain a private key");
    }
    JWSAlgorithm expected = jws(algorithm);
    boolean fits =
        (expected.equals(JWSAlgorithm.ES256) && jwk instanceof ECKey ecKey && Curve.P_256.equals(ecKey.getCurve()))
            || (expected.equals(JWSAlgorithm.RS256) && jwk instanceof RSAKey rsaKey && rsaKey.size() >= 2048)
            || (expected.equals(JWSAlgorithm.EdDSA)
                && jwk instanceof OctetKeyPair octetKeyPair
                && Curve.Ed25519.equals(octetKeyPair.getCurve()));
    if (!fits) {
      throw new IllegalArgumentException(
          "signingKey of type " + jwk.getKeyType() + " does not fit algorithm " + algorithm
              + " (ES256: EC P-256, RS256: RSA >= 2048 bits, EDDSA: OKP Ed25519)");
    }
    try {
      String kid = jwk.getKeyID() != null && !jwk.getKeyID().isBlank() ? jwk.getKeyID() : jwk.computeThumbprint().toString();
      if (jwk instanceof ECKey ecKey) {
        return new ECKey.Builder(ecKey).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(expected).build();
      }
      if (jwk instanceof RSAKey rsaKey) {
        return new RSAKey.Builder(rsaKey).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(expected).build();
      }
      return new OctetKeyPair.Builder((OctetKeyPair) jwk).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(expected).build();
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot compute the signingKey thumbprint");
    }
  }

  private static ActiveKey activate(JWK key, SigningAlgorithm algorithm) {
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
      return new ActiveKey(key.getKeyID(), alg, signer);
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with the " + algorithm + " key " + key.getKeyID());
    }
  }
}
