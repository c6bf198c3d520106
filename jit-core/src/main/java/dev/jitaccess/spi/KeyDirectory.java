package dev.jitaccess.spi;

import dev.jitaccess.internal.InMemoryKeyDirectory;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Where the replicas of one service register the public keys they sign grant tokens with, so that every
 * replica's verifier trusts every replica's tokens while each private key stays in the JVM that made it.
 * A broker built with {@code GrantBroker.builder().keyDirectory(directory)} generates its own key,
 * publishes it here <em>before</em> it signs anything with it, rotates it, and trusts the keys it reads
 * here (see {@link dev.jitaccess.GrantBroker.Builder#keyDirectory}).
 *
 * <p>A directory stores what it is given: it never sees a private key, and it need not parse the JWK
 * (the broker refuses, and logs without the material, any entry it cannot use). Implementations must be
 * thread-safe; each method is one atomic step (one transaction). Any exception means "unavailable": the
 * broker then refuses to sign with a key it could not publish, and its verifier keeps its last good set
 * only within its documented bound.
 */
public interface KeyDirectory {

  /**
   * Registers a public key. Publishing the same kid again with the same JWK and window is a no-op; a kid
   * already registered with another JWK or window is refused (a kid names one key for ever).
   *
   * @throws IllegalStateException if the kid is registered with other material or another window
   * @throws RuntimeException if the directory is unavailable (nothing was registered)
   */
  void publish(PublishedKey key);

  /**
   * Brings a key's {@code retireAfter} forward to {@code retireAfter}; never moves it later (a later
   * value, or an unknown kid, changes nothing). A broker calls it when it stops signing with a key:
   * retirement plus the longest token lifetime.
   *
   * @return whether the key's window changed
   * @throws IllegalArgumentException if {@code retireAfter} is not after the key's {@code notBefore}
   * @throws RuntimeException if the directory is unavailable (nothing changed)
   */
  boolean retire(String kid, Instant retireAfter);

  /**
   * Every registered key still trusted at or after {@code at}: those whose {@code retireAfter} is after
   * {@code at}, including keys whose {@code notBefore} is still ahead (a verifier checks both bounds when
   * it uses a key), ordered by kid.
   *
   * @throws RuntimeException if the directory cannot be read
   */
  List<PublishedKey> keys(Instant at);

  /**
   * Calls {@code onChange} (on any thread) after a key was published or retired, by any replica, so that
   * caches re-read sooner than their refresh interval. A hint only: a directory may call it late, more
   * than once, or never (the default), and readers must still refresh on their own schedule.
   *
   * @return closing it stops further calls
   */
  default Subscription subscribe(Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    return () -> {};
  }

  /**
   * A directory in this JVM's memory, which several brokers of one JVM can share (tests, or several
   * brokers in one process). It calls subscribers synchronously, on the publishing thread.
   */
  static KeyDirectory inMemory() {
    return new InMemoryKeyDirectory();
  }

  /** A registration made by {@link #subscribe}; closing it stops further calls. Closing twice is harmless. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    /** Stops calling the listener (a call already running may finish). */
    @Override
    void close();
  }

  /**
   * A registered public key and the window in which tokens signed with it are trusted.
   *
   * @param kid the key id (as in the JWK and in the tokens' {@code kid} header): 1 to 200 printable ASCII
   *     characters
   * @param publicJwk the public JWK as JSON text (never a private key; checked by the broker when used)
   * @param notBefore the first instant a token signed with it is trusted
   * @param retireAfter the instant from which it is no longer trusted (after the last token it signed
   *     has expired); after {@code notBefore}
   */
  record PublishedKey(String kid, String publicJwk, Instant notBefore, Instant retireAfter) {
    /** The longest kid accepted. */
    public static final int MAX_KID_LENGTH = 200;
    /** The longest JWK text accepted, in characters. */
    public static final int MAX_JWK_LENGTH = 16 * 1024;

    /** Checks the values. */
    public PublishedKey {
      Objects.requireNonNull(kid, "kid");
      Objects.requireNonNull(publicJwk, "publicJwk");
      Objects.requireNonNull(notBefore, "notBefore");
      Objects.requireNonNull(retireAfter, "retireAfter");
      if (kid.isEmpty() || kid.length() > MAX_KID_LENGTH || !kid.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("kid must be 1 to " + MAX_KID_LENGTH
            + " printable ASCII characters without spaces, got a value of length " + kid.length());
      }
      if (publicJwk.isBlank() || publicJwk.length() > MAX_JWK_LENGTH) {
        throw new IllegalArgumentException("publicJwk of key " + kid + " must be 1 to " + MAX_JWK_LENGTH
            + " characters, got " + publicJwk.length());
      }
      if (!retireAfter.isAfter(notBefore)) {
        throw new IllegalArgumentException("retireAfter (" + retireAfter + ") of key " + kid
            + " must be after notBefore (" + notBefore + ")");
      }
    }

    /** Whether a token signed with this key is trusted at {@code at}: {@code notBefore <= at < retireAfter}. */
    public boolean trustedAt(Instant at) {
      return !at.isBefore(notBefore) && at.isBefore(retireAfter);
    }

    /** The kid and window; the JWK is left out (it is public, but long and not for logs). */
    @Override
    public String toString() {
      return "PublishedKey[kid=" + kid + ", notBefore=" + notBefore + ", retireAfter=" + retireAfter + "]";
    }
  }
}
