package dev.jitaccess.oidc;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.OutageTolerantJWKSetSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.events.EventListener;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's JWKS, fetched over HTTPS and cached by Nimbus' {@link JWKSourceBuilder} chain: a cache with
 * refresh ahead of expiry, a rate limit on fetches, and outage tolerance that keeps the last good key set
 * when the issuer is unreachable. Every cache decision uses the injected clock's time, passed in here,
 * because this class calls the {@link JWKSetSource} chain directly instead of Nimbus'
 * {@code JWKSetBasedJWKSource#get}, which reads the system clock.
 *
 * <p>A token whose {@code kid} is not in the cached set triggers one refresh (rate-limited), so keys the
 * issuer rotates in are picked up. While the issuer is unreachable, the last good set is used for at most
 * the outage tolerance after its last successful fetch (and at least that minus one cache TTL).
 */
final class RemoteKeySource implements KeySource {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeySource.class);
  /** Refresh this long before the cache expires (at most a tenth of the time to live). */
  private static final Duration REFRESH_AHEAD = Duration.ofSeconds(30);
  /** How long a request waits for another thread's fetch (at most a quarter of the time to live). */
  private static final Duration REFRESH_WAIT = Duration.ofSeconds(15);
  /** At most two fetches per interval (at most half the time to live). */
  private static final Duration RATE_LIMIT = Duration.ofSeconds(30);
  /** Largest JWKS document read. */
  static final int MAX_JWKS_BYTES = 64 * 1024;

  private final String url;
  private final JWKSetSource<SecurityContext> source;

  RemoteKeySource(
      String issuer,
      URL url,
      Duration cacheTtl,
      Duration outageTolerance,
      Duration httpTimeout,
      ExecutorService refreshExecutor,
      boolean shutdownExecutorOnClose) {
    this.url = url.toString();
    long ttl = cacheTtl.toMillis();
    int timeout = (int) Math.min(Integer.MAX_VALUE, httpTimeout.toMillis());
    EventListener<OutageTolerantJWKSetSource<SecurityContext>, SecurityContext> outageListener =
        event -> {
          if (event instanceof OutageTolerantJWKSetSource.OutageEvent) {
            OutageTolerantJWKSetSource.OutageEvent<SecurityContext> outage =
                (OutageTolerantJWKSetSource.OutageEvent<SecurityContext>) event;
            LOG.warn(
                "JWKS of OIDC issuer {} is unreachable ({}); using the last good keys for at most {} ms more",
                issuer, describe(outage.getException()), outage.getRemainingTime());
          }
        };
    JWKSourceBuilder<SecurityContext> builder =
        JWKSourceBuilder.<SecurityContext>create(url, new NoRedirectRetriever(timeout))
            .cache(ttl, Math.min(REFRESH_WAIT.toMillis(), ttl / 4))
            .refreshAheadCache(
                Math.min(REFRESH_AHEAD.toMillis(), ttl / 10),
                null,
                refreshExecutor,
                shutdownExecutorOnClose,
                null,
                false)
            .rateLimited(Math.min(RATE_LIMIT.toMillis(), ttl / 2));
    if (!outageTolerance.isZero()) {
      // A set the outage cache hands out is cached again for one TTL, so the outage cache keeps it for
      // (tolerance - TTL): last good keys are never used longer than the tolerance after their fetch.
      builder.outageTolerant(outageTolerance.toMillis() - ttl, outageListener);
    }
    JWKSource<SecurityContext> built = builder.build();
    if (!(built instanceof JWKSetBasedJWKSource)) {
      throw new IllegalStateException("unexpected JWK source " + built.getClass().getName());
    }
    this.source = ((JWKSetBasedJWKSource<SecurityContext>) built).getJWKSetSource();
  }

  @Override
  public Lookup find(JWKMatcher matcher, Instant now) {
    long millis = epochMillis(now);
    JWKSet cached;
    try {
      cached = source.getJWKSet(JWKSetCacheRefreshEvaluator.noRefresh(), millis, null);
    } catch (KeySourceException e) {
      return new Unavailable("the issuer's JWKS could not be fetched from " + url + ": " + describe(e));
    }
    JWKSelector selector = new JWKSelector(matcher);
    List<JWK> found = selector.select(cached);
    if (!found.isEmpty()) {
      return new Found(found);
    }
    // Perhaps the issuer rotated its keys: refresh once (the rate limit bounds how often).
    try {
      JWKSet fresh = source.getJWKSet(JWKSetCacheRefreshEvaluator.referenceComparison(cached), millis, null);
      found = selector.select(fresh);
      return found.isEmpty() ? new NoMatch(" (JWKS refreshed)") : new Found(found);
    } catch (RateLimitReachedException e) {
      return new NoMatch(" (JWKS refresh rate-limited)");
    } catch (KeySourceException e) {
      return new NoMatch(" (JWKS refresh failed: " + describe(e) + ")");
    }
  }

  @Override
  public void close() {
    try {
      source.close();
    } catch (IOException e) {
      LOG.warn("closing the JWKS source of {} failed: {}", url, e.toString());
    }
  }

  private static long epochMillis(Instant now) {
    try {
      return now.toEpochMilli();
    } catch (ArithmeticException e) {
      return now.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message.replaceAll("\\p{Cntrl}", "?");
  }

  /**
   * Nimbus' retriever with redirects refused: the JWKS must be served at the configured URL, so a redirect
   * is a failed fetch.
   */
  static final class NoRedirectRetriever extends DefaultResourceRetriever {
    NoRedirectRetriever(int timeoutMillis) {
      super(timeoutMillis, timeoutMillis, MAX_JWKS_BYTES, true);
    }

    @Override
    protected HttpURLConnection openHTTPConnection(URL url) throws IOException {
      HttpURLConnection connection = super.openHTTPConnection(url);
      connection.setInstanceFollowRedirects(false);
      connection.setUseCaches(false);
      return connection;
    }
  }
}
