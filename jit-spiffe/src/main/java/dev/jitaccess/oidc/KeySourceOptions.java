package dev.jitaccess.oidc;

import dev.jitaccess.internal.Arguments;
import dev.jitaccess.spiffe.internal.Endpoints;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The key options of an {@link OidcIdentityVerifier.Builder} (a JWKS URL or a static JWK Set, and how a
 * fetched JWKS is cached and refreshed), their checks and defaults, and the {@link KeySource} they make.
 * The builder's setters delegate here; their javadoc states the rules. Not thread-safe; {@link #keySource}
 * never changes the options.
 */
final class KeySourceOptions {
  static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(5);
  static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(2);
  static final Duration MAX_OUTAGE_TOLERANCE = Duration.ofDays(7);

  private @Nullable String jwksUrl;
  private @Nullable String jwks;
  private @Nullable Boolean plainHttpForLoopback;
  private @Nullable Duration jwksCacheTtl;
  private @Nullable Duration jwksOutageTolerance;
  private @Nullable Duration httpTimeout;
  private @Nullable Executor refreshExecutor;

  void jwksUrl(String url) {
    Arguments.requireNonNull(url, "jwksUrl");
    Arguments.requireUnset(jwksUrl, "jwksUrl");
    checkUrl(url);
    this.jwksUrl = url;
  }

  void jwks(String jwkSetJson) {
    Arguments.requireNonNull(jwkSetJson, "jwks");
    Arguments.requireUnset(jwks, "jwks");
    StaticKeySource.parse(jwkSetJson);
    this.jwks = jwkSetJson;
  }

  void allowPlainHttpForLoopback() {
    Arguments.requireUnset(plainHttpForLoopback, "allowPlainHttpForLoopback");
    this.plainHttpForLoopback = Boolean.TRUE;
  }

  void jwksCacheTtl(Duration ttl) {
    this.jwksCacheTtl = once(jwksCacheTtl, ttl, Duration.ofMinutes(1), Duration.ofHours(24), "jwksCacheTtl");
  }

  void jwksOutageTolerance(Duration tolerance) {
    this.jwksOutageTolerance =
        once(jwksOutageTolerance, tolerance, Duration.ZERO, MAX_OUTAGE_TOLERANCE, "jwksOutageTolerance");
  }

  void httpTimeout(Duration timeout) {
    this.httpTimeout = once(httpTimeout, timeout, Duration.ofMillis(100), Duration.ofSeconds(60), "httpTimeout");
  }

  /** A duration option set once, not null, within {@code [min, max]}. */
  private static Duration once(@Nullable Duration current, Duration value, Duration min, Duration max, String name) {
    Arguments.requireNonNull(value, name);
    Arguments.requireUnset(current, name);
    return Arguments.requireInRange(value, min, max, name);
  }

  void refreshExecutor(Executor executor) {
    Arguments.requireNonNull(executor, "refreshExecutor");
    Arguments.requireUnset(refreshExecutor, "refreshExecutor");
    this.refreshExecutor = executor;
  }

  /**
   * The key source these options describe, every default resolved: the static JWK Set, or the JWKS URL
   * (the one set, else {@code presetJwksUrl}).
   *
   * @throws IllegalStateException if no keys are configured or the options contradict each other
   */
  KeySource keySource(String issuer, @Nullable String presetJwksUrl) {
    if (jwks != null && jwksUrl != null) {
      throw new IllegalStateException("set either jwksUrl or jwks, not both");
    }
    String url = jwks != null ? null : jwksUrl != null ? jwksUrl : presetJwksUrl;
    if (url == null) {
      if (jwks == null) {
        throw new IllegalStateException("jwksUrl or jwks is required");
      }
      List<String> remoteOnly = remoteOnlyOptionsSet();
      if (!remoteOnly.isEmpty()) {
        throw new IllegalStateException(remoteOnly + " apply only to keys fetched from a jwksUrl");
      }
      return StaticKeySource.parse(jwks);
    }
    URL parsedUrl = checkUrl(url);
    if (parsedUrl.getProtocol().equals("http") && plainHttpForLoopback == null) {
      throw new IllegalStateException(
          "jwksUrl uses plain http; call allowPlainHttpForLoopback() to accept that (tests only): " + url);
    }
    Duration ttl = jwksCacheTtl == null ? DEFAULT_CACHE_TTL : jwksCacheTtl;
    Duration tolerance = jwksOutageTolerance;
    if (tolerance == null) {
      Duration twelve = ttl.multipliedBy(12);
      tolerance = twelve.compareTo(MAX_OUTAGE_TOLERANCE) > 0 ? MAX_OUTAGE_TOLERANCE : twelve;
    } else if (!tolerance.isZero() && tolerance.compareTo(ttl) <= 0) {
      throw new IllegalStateException("jwksOutageTolerance (" + tolerance
          + ") must be zero (off) or longer than jwksCacheTtl (" + ttl + ")");
    }
    return new RemoteKeySource(issuer, parsedUrl, ttl, tolerance,
        httpTimeout == null ? DEFAULT_HTTP_TIMEOUT : httpTimeout,
        refreshExecutor == null ? RefreshExecutors.defaultExecutor() : RefreshExecutors.adapt(refreshExecutor),
        true);
  }

  private List<String> remoteOnlyOptionsSet() {
    List<String> set = new ArrayList<>();
    if (jwksCacheTtl != null) {
      set.add("jwksCacheTtl");
    }
    if (jwksOutageTolerance != null) {
      set.add("jwksOutageTolerance");
    }
    if (httpTimeout != null) {
      set.add("httpTimeout");
    }
    if (refreshExecutor != null) {
      set.add("refreshExecutor");
    }
    if (plainHttpForLoopback != null) {
      set.add("allowPlainHttpForLoopback");
    }
    return set;
  }

  /**
   * Checks a JWKS URL: absolute, with a host, no user information or fragment, {@code https} (or
   * {@code http} on a loopback host).
   *
   * @throws IllegalArgumentException naming the URL otherwise
   */
  static URL checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("jwksUrl is not a valid URL: " + url);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (!uri.isAbsolute() || host == null || host.isEmpty()) {
      throw new IllegalArgumentException("jwksUrl must be an absolute URL with a host: " + url);
    }
    if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("jwksUrl must not hold user information or a fragment: " + url);
    }
    if (!scheme.equals("https") && !(scheme.equals("http") && Endpoints.isLoopback(host))) {
      throw new IllegalArgumentException("jwksUrl must use https, got " + url);
    }
    try {
      return uri.toURL();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("jwksUrl is not a valid URL: " + url);
    }
  }
}
