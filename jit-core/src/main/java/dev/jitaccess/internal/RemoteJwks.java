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
 * under this object's lock, one at a time.
 */
public final class RemoteJwks implements Function<String, Optional<KeyRing.PublicKeyEntry>> {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteJwks.class);

  private final URI uri;
  private final JwksFetcher fetcher;
  private final Clock clock;
  private final Duration ttl;
  private final Duration outageTolerance;
  private final Duration minInterval;
  private @Nullable Map<String, KeyRing.PublicKeyEntry> keys;
  private @Nullable Instant fetchedAt;
  private @Nullable Instant attemptedAt;

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
  public synchronized Optional<KeyRing.PublicKeyEntry> apply(String kid) {
    Instant now = clock.instant();
    if (fetchedAt == null || !now.isBefore(fetchedAt.plus(ttl))) {
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
    return fetchedAt != null && now.isBefore(fetchedAt.plus(outageTolerance)) ? keys : null;
  }

  private boolean mayFetch(Instant now) {
    return attemptedAt == null || !now.isBefore(attemptedAt.plus(minInterval));
  }

  private void refresh(Instant now) {
    if (!mayFetch(now)) {
      return;
    }
    attemptedAt = now;
    String text;
    try {
      text = fetcher.fetch(uri);
    } catch (Exception e) {
      LOG.warn("fetching the broker's JWKS from {} failed with {}; keeping the last good keys, fetched at {}",
          uri, e.getClass().getName(), fetchedAt == null ? "never" : fetchedAt);
      return;
    }
    try {
      keys = TokenVerifier.parseJwks(Objects.requireNonNull(text, "JWKS text"));
      fetchedAt = now;
    } catch (RuntimeException e) {
      // no detail: the text might hold key material
      LOG.warn("the JWKS fetched from {} is not a usable public JWK Set; keeping the last good keys", uri);
    }
  }
}
