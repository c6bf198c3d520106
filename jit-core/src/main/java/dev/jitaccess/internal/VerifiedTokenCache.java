package dev.jitaccess.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.jitaccess.GrantInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Grant tokens whose signature, issuer and claims a {@link TokenVerifier} has already checked, so that a
 * task presenting the same token on every call pays for the signature once (Envoy's {@code jwt_cache_config}
 * does the same). Keyed by the exact token, it holds what the token says, parsed, which key signed it and the
 * token's SHA-256 for the audit record (when the verifier has an audit sink). A digest as the key would cost a SHA-256 of the whole token on every
 * call, most of a hit's time; the tokens held here are ones the verifier was just given, and none is kept
 * past its {@code exp}.
 *
 * <p>What a cache hit does not repeat is only what cannot change for the same characters: the parse, the
 * header checks, the signature and the issuer. The caller still checks, on every call, whether the signing
 * key is still trusted ({@link Entry#key()} against the current key lookup), the audience,
 * {@code exp}/{@code nbf}/{@code iat} against the clock, task, actions, proof of possession and the store's
 * record. An entry is never kept past the token's {@code exp} plus the skew (on the injected clock); an entry
 * whose key left the trusted set is dropped at its next lookup ({@link #invalidate}). Only tokens whose
 * signature verified are ever put, so an attacker cannot fill the cache. Thread-safe.
 */
final class VerifiedTokenCache {

  /**
   * A checked token: the key that verified it, its claims and its hash.
   *
   * @param kid the {@code kid} of the signing key
   * @param key the published key the signature verified with
   * @param claims the claims that the verifier checks on every call
   * @param tokenSha256 the token's SHA-256, base64url, as audit records carry it; null for a verifier
   *     without an audit sink
   */
  record Entry(String kid, KeyRing.PublicKeyEntry key, TokenVerifier.Claims claims, @Nullable String tokenSha256) {
    Entry {
      Objects.requireNonNull(kid, "kid");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(claims, "claims");
      Objects.requireNonNull(claims.info(), "claims.info");
    }

    GrantInfo info() {
      return Objects.requireNonNull(claims.info(), "info");
    }

    @Override
    public String toString() {
      return "Entry[kid=" + kid + ", grant=" + info().grantId() + "]";
    }
  }

  /**
   * A token as a key: equal when the tokens are equal; hashed over its last characters (the signature of a
   * JWS, random for every token; a lookup of a crafted token that shares them costs a string comparison per
   * cached token that does too, and only verified tokens are ever cached) instead of all of them, which a
   * fresh string from the network would compute on every call. {@code toString()} never shows the token.
   */
  static final class Key {
    private static final int HASHED_CHARS = 24;
    private final String token;
    private final int hash;

    Key(String token) {
      this.token = token;
      int h = token.length();
      for (int i = Math.max(0, token.length() - HASHED_CHARS); i < token.length(); i++) {
        h = 31 * h + token.charAt(i);
      }
      this.hash = h;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Key other && hash == other.hash && token.equals(other.token);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return "Key[" + token.length() + " chars]";
    }
  }

  private final Clock clock;
  private final Duration skew;
  private final Instant origin;
  private final Cache<Key, Entry> cache;

  /**
   * Creates a cache of at most {@code maxEntries} tokens.
   *
   * @param skew the verifier's clock skew: an entry is dropped once {@code exp + skew} has passed
   */
  VerifiedTokenCache(Clock clock, Duration skew, int maxEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.origin = clock.instant();
    this.cache = Caffeine.newBuilder()
        .ticker(this::nanos)
        .executor(Runnable::run)
        .maximumSize(maxEntries)
        .expireAfter(new Expiry<Key, Entry>() {
          @Override
          public long expireAfterCreate(Key key, Entry value, long currentTime) {
            return Math.max(0, nanosAt(deadline(value)) - currentTime);
          }

          @Override
          public long expireAfterUpdate(Key key, Entry value, long currentTime, long currentDuration) {
            return Math.max(0, nanosAt(deadline(value)) - currentTime);
          }

          @Override
          public long expireAfterRead(Key key, Entry value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** The entry of exactly this token, if cached. The caller still checks every claim against the clock. */
  @Nullable Entry get(String token) {
    return cache.getIfPresent(new Key(token));
  }

  /** Remembers a token whose signature and claims checked, unless it is already past its deadline. */
  void put(String token, Entry entry, Instant now) {
    if (now.isBefore(deadline(entry))) {
      cache.put(new Key(token), entry);
    }
  }

  /** Drops a token, for example because its key is no longer trusted. */
  void invalidate(String token) {
    cache.invalidate(new Key(token));
  }

  /** How many tokens are cached (approximately). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  private Instant deadline(Entry e) {
    Instant exp = e.info().expiresAt();
    try {
      return exp.plus(skew);
    } catch (java.time.DateTimeException | ArithmeticException ex) {
      return Instant.MAX;
    }
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
