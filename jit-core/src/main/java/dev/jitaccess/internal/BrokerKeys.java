package dev.jitaccess.internal;

import java.time.Instant;
import java.util.Optional;

/**
 * A broker's keys: the one it signs with and the public keys its verifier trusts. Either a {@link KeyRing}
 * in this JVM's memory (a generated key, or keys the user supplies) or a {@link DirectoryKeyRing} whose
 * public keys are shared through a {@link dev.jitaccess.spi.KeyDirectory}. Thread-safe.
 */
public interface BrokerKeys {
  /**
   * The key to sign with now; a ring whose key is due for rotation rotates (and publishes) first.
   *
   * @throws RuntimeException when no key may sign now (a new key could not be published): sign nothing
   */
  KeyRing.ActiveKey signingKey();

  /** A trusted public key by id, if it is trusted at the clock's time. */
  Optional<KeyRing.PublicKeyEntry> find(String kid);

  /** When the current signing key started signing for this broker (its key age is measured from here). */
  Instant activeSince();

  /** The trusted public keys as a JWK Set JSON. */
  String publicJwks();

  /** Replaces the signing key with a fresh one; the old public key stays trusted until its tokens expired. */
  void rotate();

  /** Releases what the ring holds (a subscription); retires its key where that is shared. Idempotent. */
  default void close() {}
}
