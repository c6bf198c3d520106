package dev.jitaccess;

import dev.jitaccess.internal.RemoteJwks;
import dev.jitaccess.internal.TokenVerifier;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.JwksFetcher;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a resource server uses to check a grant token: signature, {@code typ} ({@code at+jwt}), issuer,
 * audience, {@code exp}/{@code nbf}/{@code iat} with a skew, and, when it can read the broker's
 * {@link GrantStore}, revocation, idle timeout and single use. Thread-safe.
 *
 * <p>Get one from {@link GrantBroker#verifier()} in the broker's JVM, or build one anywhere with
 * {@link #builder()} from the broker's {@link GrantBroker#publicJwks()}, given as text or fetched from a URL
 * where the broker serves it.
 *
 * <p>Both remember the tokens they verified (a bounded cache of the exact tokens, see
 * {@link Builder#verifiedTokenCache(int)}), so a task presenting the same token on every call pays for the
 * signature once; what can change (the broker's record, revocation, expiry, audience, task, actions, proof of
 * possession, whether the signing key is still trusted) is checked on every call.
 */
public interface GrantVerifier {

  /**
   * Checks a token presented to the resource {@code audience}; the same as
   * {@code verify(token, VerificationRequest.builder(audience).build())}.
   *
   * @param token the compact JWT
   * @param audience the resource server's own audience value; the token's {@code aud} must contain it
   * @return {@link Verification.Verified} with the grant, or {@link Verification.Rejected} with a reason
   */
  default Verification verify(String token, String audience) {
    return verify(token, VerificationRequest.builder(audience).build());
  }

  /**
   * Checks a token against everything the resource server expects: audience, and optionally task,
   * actions and the holder's proof of possession. A sender-constrained token (one with {@code cnf}) is
   * refused without a matching proof.
   */
  Verification verify(String token, VerificationRequest request);

  /** Starts a builder for a verifier that runs apart from the broker. */
  static Builder builder() {
    return new Builder();
  }

  /** Builds a stand-alone {@link GrantVerifier}; each option may be set once. Not thread-safe. */
  final class Builder {
    private @Nullable String issuer;
    private @Nullable String jwks;
    private @Nullable Clock clock;
    private @Nullable Duration clockSkew;
    private @Nullable GrantStore store;
    private @Nullable AuditSink auditSink;
    private @Nullable Integer maxTokenBytes;
    private @Nullable URI jwksUri;
    private @Nullable JwksFetcher jwksFetcher;
    private @Nullable Duration jwksCacheTtl;
    private @Nullable Duration jwksOutageTolerance;
    private @Nullable Integer verifiedTokenCache;

    /** Default of {@link #jwksCacheTtl}. */
    private static final Duration DEFAULT_JWKS_CACHE_TTL = Duration.ofMinutes(5);
    /** Default of {@link #jwksOutageTolerance}. */
    private static final Duration DEFAULT_JWKS_OUTAGE_TOLERANCE = Duration.ofHours(1);
    /** The least time between two JWKS fetches, also for unknown {@code kid}s. */
    private static final Duration JWKS_MIN_INTERVAL = Duration.ofSeconds(30);

    private Builder() {}

    /** The broker's issuer; required. */
    public Builder issuer(String issuer) {
      Objects.requireNonNull(issuer, "issuer");
      check(this.issuer == null, "issuer");
      if (issuer.isBlank()) {
        throw new IllegalArgumentException("issuer must not be blank");
      }
      this.issuer = issuer;
      return this;
    }

    /** The broker's public keys, as returned by {@link GrantBroker#publicJwks()}; this or {@link #jwksUri} is required. */
    public Builder jwks(String jwks) {
      Objects.requireNonNull(jwks, "jwks");
      check(this.jwks == null, "jwks");
      this.jwks = jwks;
      return this;
    }

    /**
     * Where the broker serves its {@link GrantBroker#publicJwks()} (for example with jit-oauth's
     * {@code JwksEndpoint}); this or {@link #jwks} is required. {@code https}, or {@code http} only to a
     * loopback IP literal ({@code 127.0.0.1}, {@code [::1]}). The keys are fetched at the first
     * verification, not by {@code build()}; then cached for {@link #jwksCacheTtl}; a token with an unknown
     * {@code kid} makes the verifier fetch again, at most once every 30 seconds; while the URL fails, the
     * last good keys serve until {@link #jwksOutageTolerance} after their fetch, and then every token is
     * refused ({@code UNKNOWN_KEY}).
     */
    public Builder jwksUri(URI uri) {
      Objects.requireNonNull(uri, "jwksUri");
      check(this.jwksUri == null, "jwksUri");
      this.jwksUri = checkJwksUri(uri);
      return this;
    }

    /** How {@link #jwksUri} is fetched; defaults to {@link JwksFetcher#http(Duration)} with a 5-second timeout. */
    public Builder jwksFetcher(JwksFetcher fetcher) {
      Objects.requireNonNull(fetcher, "jwksFetcher");
      check(this.jwksFetcher == null, "jwksFetcher");
      this.jwksFetcher = fetcher;
      return this;
    }

    /** How long keys fetched from {@link #jwksUri} are used before they are fetched again; 1 second to 1 day, default 5 minutes. */
    public Builder jwksCacheTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "jwksCacheTtl");
      check(this.jwksCacheTtl == null, "jwksCacheTtl");
      if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("jwksCacheTtl must be between 1 second and 1 day, got " + ttl);
      }
      this.jwksCacheTtl = ttl;
      return this;
    }

    /**
     * How long after their fetch the last good keys from {@link #jwksUri} are still used while the URL
     * fails; at least the cache TTL, at most 7 days, default 1 hour.
     */
    public Builder jwksOutageTolerance(Duration tolerance) {
      Objects.requireNonNull(tolerance, "jwksOutageTolerance");
      check(this.jwksOutageTolerance == null, "jwksOutageTolerance");
      if (tolerance.isNegative() || tolerance.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("jwksOutageTolerance must be between 0 and 7 days, got " + tolerance);
      }
      this.jwksOutageTolerance = tolerance;
      return this;
    }

    /** The clock; defaults to the system UTC clock. */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      check(this.clock == null, "clock");
      this.clock = clock;
      return this;
    }

    /** The tolerated clock skew for {@code exp}, {@code nbf} and {@code iat}; 0 to 5 minutes, default 30 s. */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "clockSkew");
      check(this.clockSkew == null, "clockSkew");
      if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes, got " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    /** The broker's grant store, to honour revocation and single use; without it only the token is checked. */
    public Builder store(GrantStore store) {
      Objects.requireNonNull(store, "store");
      check(this.store == null, "store");
      this.store = store;
      return this;
    }

    /** Where VERIFIED / VERIFY_REJECTED / REPLAY_BLOCKED events go; none by default. */
    public Builder auditSink(AuditSink sink) {
      Objects.requireNonNull(sink, "auditSink");
      check(this.auditSink == null, "auditSink");
      this.auditSink = sink;
      return this;
    }

    /** The largest token accepted, in bytes; 1 KiB to 1 MiB, default 16 KiB. Checked before parsing. */
    public Builder maxTokenBytes(int bytes) {
      check(this.maxTokenBytes == null, "maxTokenBytes");
      if (bytes < 1024 || bytes > 1 << 20) {
        throw new IllegalArgumentException("maxTokenBytes must be between 1024 and 1048576, got " + bytes);
      }
      this.maxTokenBytes = bytes;
      return this;
    }

    /**
     * How many verified tokens to remember; 1 to 1,000,000, default 10,000. A
     * token seen before skips the parse, the header checks and the signature check, which cannot change for
     * the same bytes; its key must still be trusted, and every other check (audience, {@code exp}/{@code nbf}
     * against the clock, task, actions, proof of possession, and with a {@link #store} revocation, expiry,
     * idle time and single use) runs on every call. An entry never outlives the token's {@code exp} plus the
     * skew. Keyed by the exact token: the cache holds the tokens it verified (in this JVM's heap, which
     * already sees every token presented) until they expire. See {@link #noVerifiedTokenCache()}.
     */
    public Builder verifiedTokenCache(int maxEntries) {
      check(this.verifiedTokenCache == null, "verifiedTokenCache");
      if (maxEntries < 1 || maxEntries > 1_000_000) {
        throw new IllegalArgumentException("verifiedTokenCache must be between 1 and 1000000 entries, got " + maxEntries);
      }
      this.verifiedTokenCache = maxEntries;
      return this;
    }

    /** Turns the verified-token cache off: every call parses the token and checks its signature again. */
    public Builder noVerifiedTokenCache() {
      check(this.verifiedTokenCache == null, "verifiedTokenCache");
      this.verifiedTokenCache = 0;
      return this;
    }

    /**
     * Builds the verifier.
     *
     * @throws IllegalStateException if the issuer or the keys are missing
     * @throws IllegalArgumentException if the JWK Set cannot be parsed or holds a private key
     */
    public GrantVerifier build() {
      if (issuer == null) {
        throw new IllegalStateException("issuer is required");
      }
      if ((jwks == null) == (jwksUri == null)) {
        throw new IllegalStateException("exactly one of jwks and jwksUri is required");
      }
      if (jwksUri == null && (jwksFetcher != null || jwksCacheTtl != null || jwksOutageTolerance != null)) {
        throw new IllegalStateException("jwksFetcher, jwksCacheTtl and jwksOutageTolerance need jwksUri");
      }
      Clock c = clock == null ? Clock.systemUTC() : clock;
      Duration skew = clockSkew == null ? Duration.ofSeconds(30) : clockSkew;
      int max = maxTokenBytes == null ? 16 * 1024 : maxTokenBytes;
      int cacheSize = verifiedTokenCache == null ? TokenVerifier.DEFAULT_CACHE_SIZE : verifiedTokenCache;
      if (jwks != null) {
        return TokenVerifier.fromJwks(issuer, jwks, c, skew, store, auditSink, max, cacheSize);
      }
      Duration ttl = jwksCacheTtl == null ? DEFAULT_JWKS_CACHE_TTL : jwksCacheTtl;
      Duration tolerance = jwksOutageTolerance == null ? DEFAULT_JWKS_OUTAGE_TOLERANCE : jwksOutageTolerance;
      if (tolerance.compareTo(ttl) < 0) {
        throw new IllegalArgumentException("jwksOutageTolerance " + tolerance + " must be at least jwksCacheTtl " + ttl);
      }
      JwksFetcher fetcher = jwksFetcher == null ? JwksFetcher.http(Duration.ofSeconds(5)) : jwksFetcher;
      RemoteJwks keys = new RemoteJwks(Objects.requireNonNull(jwksUri, "jwksUri"), fetcher, c, ttl, tolerance,
          JWKS_MIN_INTERVAL);
      return TokenVerifier.fromJwksUri(issuer, keys, c, skew, store, auditSink, max, cacheSize);
    }

    private static URI checkJwksUri(URI uri) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      String host = uri.getHost();
      boolean ok = uri.isAbsolute() && !uri.isOpaque() && host != null && !host.isEmpty()
          && uri.getRawUserInfo() == null && uri.getRawFragment() == null
          && (scheme.equals("https") || (scheme.equals("http") && isLoopbackLiteral(host)));
      if (!ok) {
        throw new IllegalArgumentException(
            "jwksUri must be an https URL (http only to a loopback IP literal), without user info or fragment, got " + uri);
      }
      return uri;
    }

    /** A loopback IP literal; a name is never resolved here (it could resolve elsewhere later). */
    private static boolean isLoopbackLiteral(String host) {
      String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      boolean literal = h.contains(":") || h.chars().allMatch(ch -> ch == '.' || (ch >= '0' && ch <= '9'));
      if (!literal) {
        return false;
      }
      try {
        return InetAddress.getByName(h).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }

    private static void check(boolean unset, String name) {
      if (!unset) {
        throw new IllegalStateException(name + " was already set");
      }
    }
  }
}
