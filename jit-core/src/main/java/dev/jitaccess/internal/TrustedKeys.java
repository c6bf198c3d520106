package dev.jitaccess.internal;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.KeyDirectory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys a {@link KeyDirectory} registers, as a verifier trusts them, on the injected clock.
 *
 * <ul>
 *   <li><b>Cached.</b> The set read from the directory is used for {@link #REFRESH} and then read again
 *       at the next lookup; a lookup that hits the cache takes no lock and never waits for the directory.
 *   <li><b>Unknown kid.</b> A token whose kid is not in the set makes the cache re-read the directory, at
 *       most once per {@link #MIN_REREAD} (so garbage kids cannot hammer the database), or at once after
 *       the directory announced a change (its subscription) or this JVM published a key.
 *   <li><b>Windows.</b> A key is trusted from {@code notBefore} minus the clock skew up to (not
 *       including) {@code retireAfter}; the window is checked at every lookup, not only when read.
 *   <li><b>Refused entries.</b> An entry whose JWK is not a public key of the broker's algorithm, whose
 *       kid differs from the JWK's, or which cannot be parsed is never trusted; it is logged once at WARN
 *       with its kid, never its material.
 *   <li><b>Outage.</b> While the directory cannot be read, the last good set serves until {@link
 *       #MAX_STALENESS} after it was read; past that bound no key is trusted (every token is refused,
 *       {@code UNKNOWN_KEY}) and {@link #publicJwks()} throws, until a read succeeds again: fail closed.
 * </ul>
 */
public final class TrustedKeys implements Function<String, Optional<KeyRing.PublicKeyEntry>> {
  /** How long a read set is used before the directory is read again. */
  public static final Duration REFRESH = Duration.ofSeconds(30);
  /** The least time between two re-reads caused by unknown kids. */
  public static final Duration MIN_REREAD = Duration.ofSeconds(1);
  /** How long after its read the last good set serves while the directory cannot be read. */
  public static final Duration MAX_STALENESS = Duration.ofMinutes(5);


  private record Trusted(KeyRing.PublicKeyEntry entry, Instant notBefore, KeyDirectory.PublishedKey source) {}

  private record Snapshot(Map<String, Trusted> keys, @Nullable Instant readAt) {}

  private final Logger log;
  private final KeyDirectory directory;
  private final JWSAlgorithm algorithm;
  private final Clock clock;
  private final Duration skew;
  private final KeyDirectory.Subscription subscription;
  private final Set<String> refusedLogged = Collections.synchronizedSet(new HashSet<>());
  private volatile Snapshot snapshot = new Snapshot(Map.of(), null);
  private volatile boolean changed = true;
  private @Nullable Instant attemptedAt;

  /**
   * Subscribes to the directory's changes; nothing is read until the first lookup.
   *
   * @param algorithm the only algorithm a trusted key may have (the broker's)
   * @param skew tolerated on {@code notBefore}
   */
  public TrustedKeys(KeyDirectory directory, JWSAlgorithm algorithm, Clock clock, Duration skew) {
    this(directory, algorithm, clock, skew, LoggerFactory.getLogger(TrustedKeys.class));
  }

  /** As above, logging to {@code log} (for tests). */
  TrustedKeys(KeyDirectory directory, JWSAlgorithm algorithm, Clock clock, Duration skew, Logger log) {
    this.log = Objects.requireNonNull(log, "log");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.subscription = directory.subscribe(this::invalidate);
  }

  /** Marks the set as out of date: the next lookup of an unknown kid, or the next refresh, reads at once. */
  public void invalidate() {
    changed = true;
  }

  /** The trusted key with this kid at the clock's time, re-reading the directory as the class says. */
  @Override
  public Optional<KeyRing.PublicKeyEntry> apply(String kid) {
    Objects.requireNonNull(kid, "kid");
    Instant now = clock.instant();
    Snapshot s = snapshot;
    if (s.readAt() == null || !now.isBefore(s.readAt().plus(REFRESH))) {
      s = read(now, false);
    }
    Trusted t = usable(s, now) ? s.keys().get(kid) : null;
    if (t == null) {
      s = read(now, true);
      t = usable(s, now) ? s.keys().get(kid) : null;
    }
    if (t == null || now.isBefore(t.notBefore().minus(skew)) || !now.isBefore(t.entry().retireAt())) {
      return Optional.empty();
    }
    return Optional.of(t.entry());
  }

  /**
   * The keys trusted now as a JWK Set JSON, ordered by kid: the same text on every replica that read the
   * same directory. Re-reads the directory when the set is older than {@link #MIN_REREAD}.
   *
   * @throws JitException when the directory has not been read for longer than {@link #MAX_STALENESS}
   */
  public String publicJwks() {
    Instant now = clock.instant();
    Snapshot s = read(now, true);
    if (!usable(s, now)) {
      throw new JitException("keys: the key directory could not be read for longer than " + MAX_STALENESS
          + (s.readAt() == null ? " (never read)" : " (last read at " + s.readAt() + ")")
          + "; no key is trusted until it can be read again");
    }
    List<JWK> keys = new ArrayList<>();
    for (Trusted t : s.keys().values()) {
      if (!now.isBefore(t.notBefore().minus(skew)) && now.isBefore(t.entry().retireAt())) {
        keys.add(t.entry().jwk());
      }
    }
    return new JWKSet(keys).toString(true);
  }

  /** Stops listening to the directory's changes. */
  public void close() {
    subscription.close();
  }

  private boolean usable(Snapshot s, Instant now) {
    return s.readAt() != null && now.isBefore(s.readAt().plus(MAX_STALENESS));
  }

  /**
   * Reads the directory unless another thread just did: for a re-read ({@code reread}), at most once per
   * {@link #MIN_REREAD} unless a change was announced; for a refresh, at most once per {@link #MIN_REREAD}
   * while the directory fails. Keeps the last good set when the read fails.
   */
  private synchronized Snapshot read(Instant now, boolean reread) {
    Snapshot s = snapshot;
    boolean fresh = s.readAt() != null && now.isBefore(s.readAt().plus(REFRESH));
    boolean recentlyTried = attemptedAt != null && now.isBefore(attemptedAt.plus(MIN_REREAD));
    if (!changed && (recentlyTried || (fresh && !reread))) {
      return s;
    }
    attemptedAt = now;
    changed = false;
    List<KeyDirectory.PublishedKey> published;
    try {
      published = directory.keys(now);
    } catch (RuntimeException e) {
      log.warn("keys: reading the key directory failed with {}; keeping the set read at {} (trusted until {})",
          e.getClass().getName(), s.readAt() == null ? "never" : s.readAt(),
          s.readAt() == null ? "never" : s.readAt().plus(MAX_STALENESS));
      return s;
    }
    Map<String, Trusted> keys = new TreeMap<>();
    for (KeyDirectory.PublishedKey k : published) {
      Trusted before = s.keys().get(k.kid());
      Trusted t = before != null && before.source().equals(k) ? before : parse(k);   // unchanged: the same entry
      if (t != null && !keys.containsKey(k.kid())) {
        keys.put(k.kid(), t);
      }
    }
    snapshot = new Snapshot(Collections.unmodifiableMap(keys), now);
    return snapshot;
  }

  private @Nullable Trusted parse(KeyDirectory.PublishedKey k) {
    try {
      JWK jwk = JWK.parse(k.publicJwk());
      if (!k.kid().equals(jwk.getKeyID())) {
        return refused(k, "its JWK names another kid");
      }
      if (jwk.isPrivate()) {
        return refused(k, "it holds a private key");
      }
      KeyRing.PublicKeyEntry entry = KeyRing.publicEntry(jwk, k.retireAfter());
      if (!algorithm.equals(entry.algorithm())) {
        return refused(k, "its algorithm " + entry.algorithm() + " is not the broker's " + algorithm);
      }
      return new Trusted(entry, k.notBefore(), k);
    } catch (java.text.ParseException | RuntimeException e) {
      // never the exception's message: it could quote the material
      return refused(k, "it is not a usable public JWK (" + e.getClass().getSimpleName() + ")");
    }
  }

  private @Nullable Trusted refused(KeyDirectory.PublishedKey k, String why) {
    if (refusedLogged.add(k.kid())) {
      log.warn("keys: the key directory entry {} is refused: {}", UntrustedText.escape(k.kid()), why);
    }
    return null;
  }

  @Override
  public String toString() {
    Snapshot s = snapshot;
    return "TrustedKeys[" + s.keys().size() + " keys, read at " + s.readAt() + "]";
  }
}
