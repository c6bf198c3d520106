package dev.jitaccess.internal;

import com.nimbusds.jose.jwk.JWK;
import dev.jitaccess.JitException;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.spi.KeyDirectory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's own signing key, generated in this JVM and never leaving it, with its public key registered
 * in a shared {@link KeyDirectory}; the verifier trusts the directory's set ({@link TrustedKeys}).
 *
 * <p>The rules, which keep every token this replica signs verifiable on every replica until it expires:
 * <ul>
 *   <li><b>Publish first, then sign.</b> A key is registered (notBefore = now, retireAfter = the end of
 *       its signing window + the retention) before the first token is signed with it; if the directory
 *       refuses or fails, the key is not used.
 *   <li><b>A bounded signing window.</b> A key signs only before {@code activation + lifetime}; a token
 *       signed at {@code t} expires by {@code t + maxTtl}, so the registered {@code retireAfter} (window
 *       end + maxTtl + skew) outlives every token the key signed, even when this replica dies. A
 *       signature asked for past the window rotates (and publishes) first; when that fails nothing is
 *       signed.
 *   <li><b>Retire early.</b> On rotation and on close the old key's {@code retireAfter} is brought
 *       forward to now + retention (best effort: when it fails the registered window still holds).
 * </ul>
 */
public final class DirectoryKeyRing implements BrokerKeys {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryKeyRing.class);

  private record Own(KeyRing.ActiveKey key, Instant since, Instant signUntil) {}

  private final SigningAlgorithm algorithm;
  private final KeyDirectory directory;
  private final Clock clock;
  private final Duration lifetime;
  private final Duration retention;
  private final TrustedKeys trusted;
  private volatile @Nullable Own own;
  private volatile boolean closed;

  /**
   * Generates and publishes the first key.
   *
   * @param lifetime how long a key signs (the rotation interval)
   * @param retention how long after its last signature a key stays trusted: the longest token lifetime
   *     plus the clock skew
   * @param skew the clock skew the verifier tolerates on {@code notBefore}
   * @throws JitException if the first key cannot be published
   */
  public DirectoryKeyRing(SigningAlgorithm algorithm, KeyDirectory directory, Clock clock, Duration lifetime,
      Duration retention, Duration skew) {
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.trusted = new TrustedKeys(directory, KeyMaterial.jws(algorithm), clock, skew);
    rotateAt(clock.instant());
  }

  @Override
  public KeyRing.ActiveKey signingKey() {
    Own o = own;
    Instant now = clock.instant();
    if (o != null && now.isBefore(o.signUntil())) {
      return o.key();
    }
    synchronized (this) {
      o = own;
      if (o == null || !now.isBefore(o.signUntil())) {
        if (closed) {
          throw new IllegalStateException("the key ring is closed");
        }
        rotateAt(now); // publish first; throws when the directory fails, and nothing is signed
        o = Objects.requireNonNull(own, "own");
      }
      return o.key();
    }
  }

  @Override
  public Instant activeSince() {
    return Objects.requireNonNull(own, "own").since();
  }

  @Override
  public Optional<KeyRing.PublicKeyEntry> find(String kid) {
    return trusted.apply(kid);
  }

  @Override
  public String publicJwks() {
    return trusted.publicJwks();
  }

  @Override
  public synchronized void rotate() {
    if (closed) {
      throw new IllegalStateException("the key ring is closed");
    }
    rotateAt(clock.instant());
  }

  /** The kid this ring signs with now (for logs and tests), or empty before the first key. */
  public Optional<String> activeKid() {
    Own o = own;
    return o == null ? Optional.empty() : Optional.of(o.key().kid());
  }

  private synchronized void rotateAt(Instant now) {
    JWK key = KeyMaterial.generate(algorithm);
    Instant signUntil = now.plus(lifetime);
    KeyDirectory.PublishedKey published = new KeyDirectory.PublishedKey(
        key.getKeyID(), key.toPublicJWK().toJSONString(), now, signUntil.plus(retention));
    try {
      directory.publish(published);
    } catch (RuntimeException e) {
      LOG.error("keys: publishing the new key {} failed with {}; it is not used", key.getKeyID(), e.getClass().getName());
      throw new JitException("keys: the new signing key could not be registered in the key directory", e);
    }
    trusted.invalidate();
    Own old = own;
    own = new Own(KeyMaterial.activate(key, algorithm), now, signUntil);
    LOG.info("keys: signing with key {} until {}, registered until {}", key.getKeyID(), signUntil,
        published.retireAfter());
    if (old != null) {
      retireQuietly(old.key().kid(), now.plus(retention));
    }
  }

  private void retireQuietly(String kid, Instant retireAfter) {
    try {
      directory.retire(kid, retireAfter);
      trusted.invalidate();
    } catch (RuntimeException e) {
      LOG.warn("keys: retiring key {} early failed with {}; it stays trusted until its registered retireAfter",
          kid, e.getClass().getName());
    }
  }

  /** Retires the signing key (now + retention) and stops listening to the directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Own o = own;
    if (o != null) {
      retireQuietly(o.key().kid(), clock.instant().plus(retention));
    }
    trusted.close();
  }

  @Override
  public String toString() {
    Own o = own;
    return "DirectoryKeyRing[kid=" + (o == null ? "none" : o.key().kid()) + ", " + trusted + "]";
  }
}
