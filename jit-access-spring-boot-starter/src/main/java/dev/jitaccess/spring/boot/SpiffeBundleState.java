package dev.jitaccess.spring.boot;

import dev.jitaccess.spiffe.BundleListener;
import dev.jitaccess.spiffe.RefreshingBundleSource;
import dev.jitaccess.spiffe.SpiffeBundle;
import dev.jitaccess.spiffe.TrustDomain;
import java.time.Clock;
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
  private final AtomicReference<@Nullable Instant> lastUpdated = new AtomicReference<>();
  private volatile @Nullable RefreshingBundleSource source;

  SpiffeBundleState(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void onUpdate(SpiffeBundle bundle) {
    lastUpdated.set(clock.instant());
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
