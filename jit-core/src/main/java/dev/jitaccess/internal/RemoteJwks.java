package dev.jitaccess.internal;

import dev.jitaccess.spi.JwksFetcher;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's public keys fetched from its JWKS URL for a stand-alone grant verifier, on the injected clock:
 * the set is fresh for the cache TTL after a successful fetch; a token whose {@code kid} is unknown
 * triggers a refresh (at most one fetch per minimum interval, so garbage {@code kid}s cannot make it
 * hammer the endpoint); while the endpoint fails, the last good set stays in use until the outage
 * tolerance after its fetch, and then no key is known (every token is refused: fail closed). Fetches run
 * under this object's lock, one at a time; a look-up of a known kid in a fresh set takes no lock (the set
 * and its fetch time are published together, immutable), so that concurrent verifications do not queue on
 * every call (issue 17).
 */
public final class RemoteJwks implements Function<String, Optional<KeyRing.PublicKeyEntry>> {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);

  private final URI uri;
  private final JwksFetcher fetcher;
  private final Clock clock;
  private final Duration ttl;
  private final Duration outageTolerance;
  private final Duration minInterval;
  /** The last good set and when it was fetched, or null before the first good fetch. */
  private volatile @Nullable Fetched fetched;
  private @Nullable Instant attemptedAt; // guarded by this

  private record Fetched(Map<String, KeyRing.PublicKeyEntry> keys, Instant at) {}

  /**
   * @param ttl how long a fetched set is used before it is fetched again
   * @param outageTolerance how long after its fetch a set is still used while the endpoint fails (at least {@code ttl})
   * @param minInterval the least time between two fetches
   */
  public RemoteJwks(URI uri, JwksFetcher fetcher, Clock clock, Duration ttl, Duration outageTolerance, Duration minInterval) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.outageTolerance = Objects.requireNonNull(outageTolerance, "outageTolerance");
    this.minInterval = Objects.requireNonNull(minInterval, "minInterval");
  }

  @Override
  public Optional<KeyRing.PublicKeyEntry> apply(String kid) {
    Instant now = clock.instant();
    Fetched f = fetched;
    if (f != null && now.isBefore(f.at().plus(ttl))) {
      KeyRing.PublicKeyEntry entry = f.keys().get(kid);
      if (entry != null) {
        return Optional.of(entry); // fresh and known: what the locked path would answer, without the lock
      }
    }
    return lookUpOrFetch(kid, now);
  }

  private synchronized Optional<KeyRing.PublicKeyEntry> lookUpOrFetch(String kid, Instant now) {
    Fetched f = fetched;
    if (f == null || !now.isBefore(f.at().plus(ttl))) {
      refresh(now);
    }
    Map<String, KeyRing.PublicKeyEntry> current = usable(now);
    KeyRing.PublicKeyEntry entry = current == null ? null : current.get(kid);
    if (entry == null && mayFetch(now)) {
      // perhaps the broker rotated its keys since the last fetch
      refresh(now);
      current = usable(now);
      entry = current == null ? null : current.get(kid);
    }
    return Optional.ofNullable(entry);
  }

  private @Nullable Map<String, KeyRing.PublicKeyEntry> usable(Instant now) {
    Fetched f = fetched;
    return f != null && now.isBefore(f.at().plus(outageTolerance)) ? f.keys() : null;
  }

  private boolean mayFetch(Instant now) {
    return attemptedAt == null || !now.isBefore(attemptedAt.plus(minInterval));
  }

  private void refresh(Instant now) {
    if (!mayFetch(now)) {
      return;
    }
    attemptedAt = now;
    Fetched last = fetched;
    String text;
    try {
      text = fetcher.fetch(uri);
    } catch (Exception e) {
      LOG.warn("fetching the broker's JWKS from {} failed with {}; keeping the last good keys, fetched at {}",
          uri, e.getClass().getName(), last == null ? "never" : last.at());
      return;
    }
    try {
      fetched = new Fetched(TokenVerifier.parseJwks(Objects.requireNonNull(text, "JWKS text")), now);
    } catch (RuntimeException e) {
      // no detail: the text might hold key material
      LOG.warn("the JWKS fetched from {} is not a usable public JWK Set; keeping the last good keys", uri);
    }
  }
}
