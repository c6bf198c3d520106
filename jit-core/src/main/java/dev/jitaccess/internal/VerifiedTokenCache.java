package dev.jitaccess.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.jitaccess.GrantInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Grant tokens whose signature, issuer and claims a {@link TokenVerifier} has already checked, so that a
 * task presenting the same token on every call pays for the signature once (Envoy's {@code jwt_cache_config}
 * does the same). Keyed by the SHA-256 of the exact token (never the token itself: a heap dump of the cache
 * holds no bearer token), it holds what the token says, parsed, and which key signed it.
 *
 * <p>What a cache hit does not repeat is only what cannot change for the same bytes: the parse, the header
 * checks, the signature and the issuer. The caller still checks, on every call, whether the signing key is
 * still trusted ({@link Entry#key()} against the current key lookup), the audience, {@code exp}/{@code nbf}/
 * {@code iat} against the clock, task, actions, proof of possession and the store's record. An entry is
 * never kept past the token's {@code exp} plus the skew (on the injected clock); an entry whose key left the
 * trusted set is dropped at its next lookup ({@link #invalidate}). Thread-safe.
 */
final class VerifiedTokenCache {

  /**
   * A checked token: the key that verified it and its claims.
   *
   * @param kid the {@code kid} of the signing key
   * @param key the published key the signature verified with
   * @param claims the claims that the verifier checks on every call
   */
  record Entry(String kid, KeyRing.PublicKeyEntry key, TokenVerifier.Claims claims) {
    Entry {
      Objects.requireNonNull(kid, "kid");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(claims, "claims");
      Objects.requireNonNull(claims.info(), "claims.info");
    }

    GrantInfo info() {
      return Objects.requireNonNull(claims.info(), "info");
    }
  }

  /** The SHA-256 of a token as four longs: 32 bytes compared in four steps, no array per key. */
  static final class Digest {
    private final long a;
    private final long b;
    private final long c;
    private final long d;
    private final byte[] bytes;

    private Digest(byte[] sha256) {
      ByteBuffer buf = ByteBuffer.wrap(sha256);
      this.a = buf.getLong();
      this.b = buf.getLong();
      this.c = buf.getLong();
      this.d = buf.getLong();
      this.bytes = sha256;
    }

    /** The digest of a token made of ASCII characters only (the caller checked the compact JWS alphabet). */
    static Digest of(String asciiToken) {
      MessageDigest md = Sha256.digest();
      return new Digest(md.digest(asciiToken.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The digest as base64url without padding, as audit records carry it. */
    String base64url() {
      return Sha256.base64urlOfDigest(bytes);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Digest other && a == other.a && b == other.b && c == other.c && d == other.d;
    }

    @Override
    public int hashCode() {
      return (int) (a ^ (a >>> 32));
    }

    @Override
    public String toString() {
      return "Digest[" + base64url() + "]";
    }
  }

  private final Clock clock;
  private final Duration skew;
  private final Instant origin;
  private final Cache<Digest, Entry> cache;

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
        .expireAfter(new Expiry<Digest, Entry>() {
          @Override
          public long expireAfterCreate(Digest key, Entry value, long currentTime) {
            return Math.max(0, nanosAt(deadline(value)) - currentTime);
          }

          @Override
          public long expireAfterUpdate(Digest key, Entry value, long currentTime, long currentDuration) {
            return Math.max(0, nanosAt(deadline(value)) - currentTime);
          }

          @Override
          public long expireAfterRead(Digest key, Entry value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** The entry of this token, if cached. The caller still checks every claim against the clock. */
  @Nullable Entry get(Digest token) {
    return cache.getIfPresent(token);
  }

  /** Remembers a token whose signature and claims checked, unless it is already past its deadline. */
  void put(Digest token, Entry entry, Instant now) {
    if (now.isBefore(deadline(entry))) {
      cache.put(token, entry);
    }
  }

  /** Drops a token, for example because its key is no longer trusted. */
  void invalidate(Digest token) {
    cache.invalidate(token);
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
