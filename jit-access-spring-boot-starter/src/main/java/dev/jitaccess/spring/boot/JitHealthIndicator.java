package dev.jitaccess.spring.boot;

import com.nimbusds.jose.jwk.JWKSet;
import dev.jitaccess.GrantBroker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The broker's health for the actuator ({@code /actuator/health}, component {@code jit}): DOWN when the
 * signing keys cannot be published, the store does not answer, no policy is loaded, or the SPIFFE bundle
 * is missing or its refreshes have failed for longer than {@code jit.identity.spiffe.max-bundle-age} (the
 * last good bundle is still used meanwhile, but rotated keys are not seen). Details: the policy version, the
 * errors of a refused reload (the previous policy stays in force, so that alone is not DOWN), the number
 * of published keys, the bundle's age. Never a key, token or identity.
 */
public final class JitHealthIndicator implements HealthIndicator {
  private static final String PROBE_ID = "jit-health-probe";

  private final GrantBroker broker;
  private final @Nullable PolicyState policy;
  private final @Nullable SpiffeBundleState bundle;
  private final Duration maxBundleAge;
  private final Clock clock;

  JitHealthIndicator(GrantBroker broker, @Nullable PolicyState policy, @Nullable SpiffeBundleState bundle,
      Duration maxBundleAge, Clock clock) {
    this.broker = Objects.requireNonNull(broker, "broker");
    this.policy = policy;
    this.bundle = bundle;
    this.maxBundleAge = Objects.requireNonNull(maxBundleAge, "maxBundleAge");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Health health() {
    Health.Builder h = Health.up();
    boolean down = false;
    try {
      int keys = JWKSet.parse(broker.publicJwks()).getKeys().size();
      h.withDetail("keys", keys);
      if (keys == 0) {
        h.withDetail("keysProblem", "no public signing key");
        down = true;
      }
    } catch (Exception e) {
      h.withDetail("keysProblem", "the public keys cannot be read (" + e.getClass().getSimpleName() + ")");
      down = true;
    }
    try {
      broker.find(PROBE_ID);
      h.withDetail("store", "reachable");
    } catch (RuntimeException e) {
      h.withDetail("store", "unreachable (" + e.getClass().getSimpleName() + ")");
      down = true;
    }
    PolicyState p = policy;
    if (p != null) {
      Optional<String> version = p.policy().map(r -> r.version());
      h.withDetail("policyVersion", version.orElse("none"));
      down |= version.isEmpty();
      p.lastReloadErrors().ifPresent(errors -> h.withDetail("policyReloadRefused",
          errors.stream().map(Object::toString).toList()));
    }
    SpiffeBundleState b = bundle;
    if (b != null) {
      Optional<Instant> updated = b.lastUpdated();
      if (!b.hasBundle() || updated.isEmpty()) {
        h.withDetail("bundle", "none");
        down = true;
      } else {
        Duration age = Duration.between(updated.get(), clock.instant());
        h.withDetail("bundleAgeSeconds", Math.max(0, age.toSeconds()));
        Optional<Duration> failing = b.failingFor();
        failing.ifPresent(f -> h.withDetail("bundleRefreshFailingSeconds", f.toSeconds()));
        if (failing.isPresent() && failing.get().compareTo(maxBundleAge) > 0) {
          h.withDetail("bundle", "stale: refreshes have failed for longer than " + maxBundleAge);
          down = true;
        }
      }
    }
    return down ? h.down().build() : h.build();
  }

  /** The names of the checks, for documentation. */
  static List<String> checks() {
    return List.of("keys", "store", "policyVersion", "bundle");
  }

  @Override
  public String toString() {
    return "JitHealthIndicator";
  }
}
