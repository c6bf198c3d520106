package dev.jitaccess.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.jitaccess.WorkloadIdentity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Remembers identities verified from bearer credentials, keyed by the SHA-256 of the credential (never
 * the credential itself), so a pipeline presenting the same SVID for many steps pays for its signature
 * check once. An entry never outlives the credential's own expiry nor the configured maximum age, and
 * {@link #forget(String)} drops every entry of an identity.
 */
public final class CredentialCache {
  private record Entry(WorkloadIdentity identity, long expiresAtNanos) {}

  private final Clock clock;
  private final Instant origin;
  private final Duration maxAge;
  private final Cache<String, Entry> cache;

  /** Creates a cache holding at most {@code maxEntries} identities for at most {@code maxAge} each. */
  public CredentialCache(Clock clock, Duration maxAge, int maxEntries) {
    this.clock = clock;
    this.origin = clock.instant();
    this.maxAge = maxAge;
    this.cache = Caffeine.newBuilder()
        .ticker(this::nanos)
        .executor(Runnable::run)
        .maximumSize(maxEntries)
        .expireAfter(new Expiry<String, Entry>() {
          @Override
          public long expireAfterCreate(String key, Entry value, long currentTime) {
            return Math.max(0, value.expiresAtNanos() - currentTime);
          }

          @Override
          public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
            return Math.max(0, value.expiresAtNanos() - currentTime);
          }

          @Override
          public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** The identity verified from this credential, if it is cached and still valid at the clock's time. */
  public Optional<WorkloadIdentity> get(String credential) {
    Entry e = cache.getIfPresent(GrantTokens.sha256(credential));
    if (e == null || !clock.instant().isBefore(e.identity().expiresAt())) {
      return Optional.empty();
    }
    return Optional.of(e.identity());
  }

  /** Remembers a verified identity until its credential expires or the maximum age passes. */
  public void put(String credential, WorkloadIdentity identity) {
    Instant now = clock.instant();
    Instant until = now.plus(maxAge);
    if (identity.expiresAt().isBefore(until)) {
      until = identity.expiresAt();
    }
    if (!now.isBefore(until)) {
      return;
    }
    cache.put(GrantTokens.sha256(credential), new Entry(identity, nanosAt(until)));
  }

  /** Drops every cached credential of this identity. */
  public void forget(String identityId) {
    cache.asMap().values().removeIf(e -> e.identity().id().equals(identityId));
  }

  private long nanos() {
    return nanosAt(clock.instant());
  }

  private long nanosAt(Instant t) {
    Duration d = Duration.between(origin, t);
    if (d.isNegative()) {
      return 0;
    }
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
