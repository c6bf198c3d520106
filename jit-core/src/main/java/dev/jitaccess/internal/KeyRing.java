package dev.jitaccess.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
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
public final class KeyRing implements BrokerKeys {

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

  /**
   * A public key trusted besides the active one, never used to sign: the next key being rolled out to
   * every replica, or the previous one retiring.
   *
   * @param jwk the key (its private part, if any, is dropped)
   * @param retireAt when it stops being trusted and published ({@link Instant#MAX}: while configured)
   */
  public record VerifyOnly(JWK jwk, Instant retireAt) {
    /** Checks the values. */
    public VerifyOnly {
      Objects.requireNonNull(jwk, "jwk");
      Objects.requireNonNull(retireAt, "retireAt");
    }
  }

  private record Snapshot(ActiveKey active, Instant activeSince, Map<String, PublicKeyEntry> published, String json) {}

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
    this(algorithm,
        sharedKey == null ? KeyMaterial.generate(algorithm) : KeyMaterial.parse(sharedKey, "signingKey", true),
        List.of(), sharedKey != null, clock, retention);
  }

  /**
   * Creates a ring of keys the user manages: {@code active} signs, the {@code verifyOnly} keys are
   * published and trusted until their {@code retireAt}. Such a ring cannot rotate itself.
   *
   * @throws IllegalArgumentException if a key does not fit the algorithm or a kid appears twice
   */
  public KeyRing(SigningAlgorithm algorithm, JWK active, List<VerifyOnly> verifyOnly, Clock clock, Duration retention) {
    this(algorithm, active, verifyOnly, true, clock, retention);
  }

  private KeyRing(SigningAlgorithm algorithm, JWK activeKey, List<VerifyOnly> verifyOnly, boolean shared, Clock clock,
      Duration retention) {
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.shared = shared;
    JWK key = KeyMaterial.fit(activeKey, algorithm, shared ? "signingKey" : "generated key");
    if (!key.isPrivate()) {
      throw new IllegalArgumentException("the active signing key " + key.getKeyID() + " must contain a private key");
    }
    ActiveKey active = KeyMaterial.activate(key, algorithm);
    Map<String, PublicKeyEntry> published = new LinkedHashMap<>();
    published.put(active.kid(), publicEntry(key.toPublicJWK(), Instant.MAX));
    for (VerifyOnly v : verifyOnly) {
      JWK pub = KeyMaterial.fit(v.jwk(), algorithm, "verify-only key").toPublicJWK();
      if (published.containsKey(pub.getKeyID())) {
        throw new IllegalArgumentException("the kid " + pub.getKeyID() + " appears twice among the signing keys");
      }
      published.put(pub.getKeyID(), publicEntry(pub, v.retireAt()));
    }
    this.snapshot = new Snapshot(active, clock.instant(), published, toJson(published));
  }

  /** The key to sign with now. */
  public ActiveKey active() {
    return snapshot.active();
  }

  @Override
  public ActiveKey signingKey() {
    return active();
  }

  @Override
  public Instant activeSince() {
    return snapshot.activeSince();
  }

  /** A published key by id, if it is still published at the clock's time. */
  @Override
  public Optional<PublicKeyEntry> find(String kid) {
    PublicKeyEntry e = snapshot.published().get(kid);
    if (e == null || !clock.instant().isBefore(e.retireAt())) {
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /** The published public keys as a JWK Set JSON. */
  @Override
  public String publicJwks() {
    prune();
    return snapshot.json();
  }

  /** Replaces the active key with a fresh one; the old public key stays published for the retention. */
  @Override
  public synchronized void rotate() {
    if (shared) {
      throw new IllegalStateException(
          "a shared signing key cannot be rotated by one replica; rotate it where it is managed");
    }
    Snapshot old = snapshot;
    JWK key = KeyMaterial.generate(algorithm);
    ActiveKey active = KeyMaterial.activate(key, algorithm);
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
    snapshot = new Snapshot(active, clock.instant(), published, toJson(published));
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
    snapshot = new Snapshot(s.active(), s.activeSince(), published, toJson(published));
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
}
