package dev.jitaccess.spring.boot;

import dev.jitaccess.spiffe.BundleListener;
import dev.jitaccess.spiffe.RefreshingBundleSource;
import dev.jitaccess.spiffe.SpiffeBundle;
import dev.jitaccess.spiffe.TrustDomain;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The starter's trust bundle source and when its bundle was last replaced, for the health indicator and
 * the bundle-age gauge. Internal to the starter.
 */
final class SpiffeBundleState implements BundleListener, AutoCloseable {
  private final Clock clock;
  /** The source's retry interval after a failed refresh, set by the starter so that a streak can be told. */
  static final Duration RETRY = Duration.ofSeconds(30);

  private final AtomicReference<@Nullable Instant> lastUpdated = new AtomicReference<>();
  private volatile @Nullable RefreshingBundleSource source;
  /** The first and the latest failure of the current streak of failed refreshes; guarded by this. */
  private @Nullable Instant failingSince;
  private @Nullable Instant lastFailure;

  SpiffeBundleState(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void onUpdate(SpiffeBundle bundle) {
    lastUpdated.set(clock.instant());
    synchronized (this) {
      failingSince = null;
      lastFailure = null;
    }
  }

  @Override
  public synchronized void onFailure(TrustDomain trustDomain, Exception cause) {
    Instant now = clock.instant();
    if (failingSince == null || lastFailure == null || !streakGoesOn(lastFailure, now)) {
      failingSince = now;
    }
    lastFailure = now;
  }

  /**
   * How long refreshes have been failing without pause: a failure is retried every {@link #RETRY}, so a
   * streak whose last failure is more than two retries old has ended (a refresh succeeded, possibly with
   * an unchanged bundle, which the source does not report). Empty when refreshes succeed.
   */
  synchronized Optional<Duration> failingFor() {
    Instant now = clock.instant();
    Instant since = failingSince;
    Instant last = lastFailure;
    if (since == null || last == null || !streakGoesOn(last, now)) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(since, now));
  }

  private static boolean streakGoesOn(Instant lastFailure, Instant now) {
    return !now.isAfter(lastFailure.plus(RETRY.multipliedBy(2)));
  }

  void attach(RefreshingBundleSource source) {
    this.source = source;
  }

  /** When the bundle in use was last replaced; empty before the first one. */
  Optional<Instant> lastUpdated() {
    return Optional.ofNullable(lastUpdated.get());
  }

  /** The source; throws before {@link #attach}. */
  RefreshingBundleSource source() {
    RefreshingBundleSource s = source;
    if (s == null) {
      throw new IllegalStateException("no bundle source attached");
    }
    return s;
  }

  /** The trust domain, once attached. */
  Optional<TrustDomain> trustDomain() {
    RefreshingBundleSource s = source;
    return s == null ? Optional.empty() : Optional.of(s.trustDomain());
  }

  /** Whether a bundle is in use. */
  boolean hasBundle() {
    RefreshingBundleSource s = source;
    return s != null && s.current().isPresent();
  }

  @Override
  public void close() {
    RefreshingBundleSource s = source;
    if (s != null) {
      s.close();
    }
  }
}
