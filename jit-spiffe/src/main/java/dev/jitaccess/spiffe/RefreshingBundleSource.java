package dev.jitaccess.spiffe;

import dev.jitaccess.spi.Scheduler;
import dev.jitaccess.spiffe.internal.Endpoints;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle of one trust domain, re-read from a file or fetched from an HTTPS bundle endpoint
 * (the {@code https_web} profile) whenever the bundle's {@code spiffe_refresh_hint} says so.
 *
 * <ul>
 *   <li>The first load happens in {@link Builder#build()}; if it fails, {@code build()} fails (a missing
 *       or broken bundle is a deployment error, found at start rather than by the first request).
 *       With {@link Builder#startDegraded()} the source starts without a bundle instead (so every SVID
 *       from the trust domain is rejected), says so in a WARN, and retries on the retry interval.
 *   <li>A failed refresh keeps the last good bundle and tells the listener. A bundle whose
 *       {@code spiffe_sequence} is lower than the current one is refused as a rollback (D2).
 *   <li>Refreshes run on the injected {@link Scheduler} at instants of the injected {@link Clock}.
 *   <li>Endpoints must be {@code https} unless plain {@code http} is explicitly allowed (tests only),
 *       and then only on loopback: the host must resolve to loopback addresses only, checked at
 *       {@code build()} and again before each fetch; redirects are not followed; responses over {@link SpiffeBundle#MAX_DOCUMENT_BYTES} are refused.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} cancels the schedule.
 */
public final class RefreshingBundleSource implements BundleSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RefreshingBundleSource.class);

  private final TrustDomain trustDomain;
  private final @Nullable Path file;
  private final @Nullable URI endpoint;
  private final BundleFormat format;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Scheduler.@Nullable Threaded ownScheduler;
  private final BundleListener listener;
  private final Duration defaultRefresh;
  private final Duration minRefresh;
  private final Duration retry;
  private final @Nullable HttpClient http;
  private final Duration requestTimeout;

  private final Object lock = new Object();
  private volatile @Nullable SpiffeBundle current;
  private Scheduler.@Nullable Cancellable next;
  private @Nullable Exception lastFailure;
  private boolean closed;

  /** Options with every default resolved by {@link Builder#build()}, which never changes its builder. */
  private record Resolved(BundleFormat format, Clock clock, BundleListener listener, Duration defaultRefresh,
      Duration minRefresh, Duration retry, Duration requestTimeout) {}

  private RefreshingBundleSource(Builder b, Resolved r) {
    this.trustDomain = b.trustDomain;
    this.file = b.file;
    this.endpoint = b.endpoint;
    this.format = r.format();
    this.clock = r.clock();
    Scheduler given = b.scheduler;
    this.ownScheduler = given == null ? Scheduler.threaded(clock, "jit-spiffe-bundle-" + trustDomain) : null;
    this.scheduler = ownScheduler != null ? ownScheduler : Objects.requireNonNull(given, "scheduler");
    this.listener = r.listener();
    this.defaultRefresh = r.defaultRefresh();
    this.minRefresh = r.minRefresh();
    this.retry = r.retry();
    this.requestTimeout = r.requestTimeout();
    this.http =
        endpoint == null
            ? null
            : b.httpClient != null
                ? b.httpClient
                : HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(requestTimeout)
                    .build();
  }

  /** A source re-reading {@code file}. */
  public static Builder fromFile(TrustDomain trustDomain, Path file) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(file, "file");
    return new Builder(trustDomain, file, null);
  }

  /** A source fetching a bundle endpoint; {@code https} only unless {@link Builder#allowPlainHttp()}. */
  public static Builder fromEndpoint(TrustDomain trustDomain, URI endpoint) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(endpoint, "endpoint");
    return new Builder(trustDomain, null, endpoint);
  }

  @Override
  public Optional<SpiffeBundle> bundleFor(TrustDomain trustDomain) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    return this.trustDomain.equals(trustDomain) ? Optional.ofNullable(current) : Optional.empty();
  }

  /** The last good bundle, if any. */
  public Optional<SpiffeBundle> current() {
    return Optional.ofNullable(current);
  }

  /** The trust domain this source serves. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /**
   * Loads the bundle now and reschedules the next refresh.
   *
   * @return whether the load succeeded; on failure the last good bundle stays in use
   */
  public boolean refresh() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      if (next != null) {
        next.cancel();
        next = null;
      }
      boolean ok;
      Duration delay;
      try {
        SpiffeBundle loaded = SpiffeBundle.parse(trustDomain, load(), format);
        SpiffeBundle previous = current;
        if (previous != null
            && previous.sequence().isPresent()
            && loaded.sequence().isPresent()
            && loaded.sequence().getAsLong() < previous.sequence().getAsLong()) {
          throw new InvalidBundleException("D2: spiffe_sequence went backwards from "
              + previous.sequence().getAsLong() + " to " + loaded.sequence().getAsLong());
        }
        current = loaded;
        lastFailure = null;
        ok = true;
        delay = loaded.refreshHint().orElse(defaultRefresh);
        if (delay.compareTo(minRefresh) < 0) {
          delay = minRefresh;
        }
        if (!loaded.equals(previous)) {
          notifyUpdate(loaded);
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        ok = false;
        delay = retry;
        lastFailure = e;
        LOG.warn(failureText(trustDomain, current, retry, e));
        notifyFailure(e);
      }
      next = scheduler.schedule(this::scheduledRefresh, clock.instant().plus(delay));
      return ok;
    }
  }

  /**
   * The WARN for a failed load: honest about whether a last good bundle is kept or there is none yet.
   * Names the trust domain, the retry delay and the cause; never key material.
   */
  static String failureText(TrustDomain trustDomain, @Nullable SpiffeBundle kept, Duration retry, Exception e) {
    String state = kept == null
        ? "there is no bundle yet, so every SVID of this trust domain is refused until a load succeeds"
        : "keeping the last good bundle"
            + (kept.sequence().isPresent() ? " (spiffe_sequence " + kept.sequence().getAsLong() + ")" : "");
    return "bundle load for trust domain " + trustDomain + " failed; " + state + "; retrying in " + retry
        + ": " + e;
  }

  private void scheduledRefresh() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warn("bundle refresh for trust domain {} failed unexpectedly", trustDomain, e);
    }
  }

  private byte[] load() throws IOException, InterruptedException {
    if (file != null) {
      return BundleSource.readLimited(file);
    }
    URI uri = endpoint;
    HttpClient client = http;
    if (uri == null || client == null) {
      throw new IllegalStateException("a bundle source has a file or an endpoint with its HTTP client");
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) && !Endpoints.isLoopback(uri.getHost())) {
      // the name was loopback at build(); a plain-http fetch goes nowhere else, even if it changed since
      throw new IOException("plain-http bundle endpoint host " + uri.getHost() + " no longer resolves to loopback only");
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build();
    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("bundle endpoint answered HTTP " + response.statusCode());
      }
      byte[] bytes = body.readNBytes(SpiffeBundle.MAX_DOCUMENT_BYTES + 1);
      SpiffeBundle.checkSize(bytes);
      return bytes;
    }
  }

  private void notifyUpdate(SpiffeBundle bundle) {
    try {
      listener.onUpdate(bundle);
    } catch (RuntimeException e) {
      LOG.warn("bundle listener failed on update for trust domain {}", trustDomain, e);
    }
  }

  private void notifyFailure(Exception cause) {
    try {
      listener.onFailure(trustDomain, cause);
    } catch (RuntimeException e) {
      LOG.warn("bundle listener failed on failure for trust domain {}", trustDomain, e);
    }
  }

  /** Cancels further refreshes; the last bundle stays readable. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (next != null) {
        next.cancel();
        next = null;
      }
    }
    if (ownScheduler != null) {
      ownScheduler.close();
    }
  }

  @Override
  public String toString() {
    return "RefreshingBundleSource[trustDomain=" + trustDomain + ", "
        + (file != null ? "file=" + file : "endpoint=" + endpoint) + "]";
  }

  /** Builds a {@link RefreshingBundleSource}. Not thread-safe. */
  public static final class Builder {
    private final TrustDomain trustDomain;
    private final @Nullable Path file;
    private final @Nullable URI endpoint;
    private @Nullable BundleFormat format;
    private @Nullable Clock clock;
    private @Nullable Scheduler scheduler;
    private @Nullable BundleListener listener;
    private @Nullable Duration defaultRefresh;
    private @Nullable Duration minRefresh;
    private @Nullable Duration retry;
    private @Nullable HttpClient httpClient;
    private @Nullable Duration requestTimeout;
    private boolean allowPlainHttp;
    private boolean startDegraded;

    private Builder(TrustDomain trustDomain, @Nullable Path file, @Nullable URI endpoint) {
      this.trustDomain = trustDomain;
      this.file = file;
      this.endpoint = endpoint;
    }

    /** The document format; default {@link BundleFormat#SPIFFE}. */
    public Builder format(BundleFormat format) {
      Objects.requireNonNull(format, "format");
      this.format = once(this.format, format, "format");
      return this;
    }

    /** The clock refreshes are scheduled by; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      this.clock = once(this.clock, clock, "clock");
      return this;
    }

    /** The scheduler; default a daemon thread owned (and stopped on close) by the source. */
    public Builder scheduler(Scheduler scheduler) {
      Objects.requireNonNull(scheduler, "scheduler");
      this.scheduler = once(this.scheduler, scheduler, "scheduler");
      return this;
    }

    /** Hears about updates and failures; default none. */
    public Builder listener(BundleListener listener) {
      Objects.requireNonNull(listener, "listener");
      this.listener = once(this.listener, listener, "listener");
      return this;
    }

    /** Refresh interval when the bundle has no refresh hint; default 5 minutes. */
    public Builder defaultRefreshInterval(Duration interval) {
      this.defaultRefresh = once(this.defaultRefresh, positive(interval, "defaultRefreshInterval"),
          "defaultRefreshInterval");
      return this;
    }

    /** The shortest refresh interval, whatever the hint says; default 10 seconds. */
    public Builder minRefreshInterval(Duration interval) {
      this.minRefresh = once(this.minRefresh, positive(interval, "minRefreshInterval"),
          "minRefreshInterval");
      return this;
    }

    /** The delay before retrying a failed refresh; default 30 seconds. */
    public Builder retryInterval(Duration interval) {
      this.retry = once(this.retry, positive(interval, "retryInterval"), "retryInterval");
      return this;
    }

    /** The HTTP client for an endpoint; default one that never follows redirects. */
    public Builder httpClient(HttpClient client) {
      Objects.requireNonNull(client, "httpClient");
      this.httpClient = once(this.httpClient, client, "httpClient");
      return this;
    }

    /** Timeout for connecting and for each request; default 10 seconds. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = once(this.requestTimeout, positive(timeout, "requestTimeout"), "requestTimeout");
      return this;
    }

    /**
     * Allows a plain {@code http} endpoint on loopback, for tests: bundles are trust anchors. The host must
     * resolve to loopback addresses only ({@code 127.0.0.0/8}, {@code ::1}); {@link #build()} refuses any
     * other host.
     */
    public Builder allowPlainHttp() {
      if (allowPlainHttp) {
        throw new IllegalStateException("allowPlainHttp already set");
      }
      this.allowPlainHttp = true;
      return this;
    }

    /**
     * Starts even when the first load fails: the source then has no bundle (every SVID of the trust
     * domain is refused), logs a WARN saying so, and retries on the retry interval. Default: a failed
     * first load fails {@link #build()}.
     */
    public Builder startDegraded() {
      if (startDegraded) {
        throw new IllegalStateException("startDegraded already set");
      }
      this.startDegraded = true;
      return this;
    }

    /**
     * Builds the source and loads the bundle once.
     *
     * @throws IllegalStateException if options conflict (an endpoint scheme that is not allowed, a
     *     plain-http endpoint that is not loopback, a minimum interval above the default)
     * @throws InvalidBundleException if the first load fails, unless {@link #startDegraded()}
     */
    public RefreshingBundleSource build() {
      if (endpoint != null) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowPlainHttp)) {
          throw new IllegalStateException("bundle endpoint must be https, was " + endpoint);
        }
        if (scheme.equals("http") && !Endpoints.isLoopback(endpoint.getHost())) {
          throw new IllegalStateException("allowPlainHttp() accepts only a loopback endpoint; host "
              + endpoint.getHost() + " does not resolve to loopback addresses only: " + endpoint);
        }
      } else if (httpClient != null || allowPlainHttp || requestTimeout != null) {
        throw new IllegalStateException("HTTP options apply only to an endpoint source");
      }
      Resolved resolved = new Resolved(
          format == null ? BundleFormat.SPIFFE : format,
          clock == null ? Clock.systemUTC() : clock,
          listener == null ? new BundleListener() {} : listener,
          defaultRefresh == null ? Duration.ofMinutes(5) : defaultRefresh,
          minRefresh == null ? Duration.ofSeconds(10) : minRefresh,
          retry == null ? Duration.ofSeconds(30) : retry,
          requestTimeout == null ? Duration.ofSeconds(10) : requestTimeout);
      if (resolved.minRefresh().compareTo(resolved.defaultRefresh()) > 0) {
        throw new IllegalStateException("minRefreshInterval " + resolved.minRefresh()
            + " exceeds defaultRefreshInterval " + resolved.defaultRefresh());
      }
      RefreshingBundleSource source = new RefreshingBundleSource(this, resolved);
      if (!source.refresh() && !startDegraded) {
        Exception cause = source.lastFailure;
        source.close();
        String message = "the first load of the bundle of trust domain " + trustDomain + " from "
            + (file != null ? file : endpoint) + " failed (" + cause + "); fix the source, or call startDegraded() "
            + "to start without a bundle, refusing every SVID of the trust domain until a load succeeds";
        throw cause == null ? new InvalidBundleException(message) : new InvalidBundleException(message, cause);
      }
      return source;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }

    private static <T> T once(@Nullable T current, T value, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " already set");
      }
      return value;
    }
  }
}
