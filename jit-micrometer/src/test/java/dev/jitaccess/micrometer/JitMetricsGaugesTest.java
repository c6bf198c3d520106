package dev.jitaccess.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.jitaccess.testkit.ManualClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The gauges fed from outside the broker: pending approvals and bundle age. */
class JitMetricsGaugesTest {
  private final ManualClock clock = ManualClock.at("2030-01-15T09:00:00Z");
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final JitMetrics metrics = JitMetrics.register(registry, clock);

  @Test
  void pendingApprovalsIsReadAtEachScrape() {
    AtomicInteger pending = new AtomicInteger(2);
    metrics.pendingApprovals(pending::get);
    assertThat(registry.get(JitMetrics.APPROVALS_PENDING).gauge().value()).isEqualTo(2);
    pending.set(0);
    assertThat(registry.get(JitMetrics.APPROVALS_PENDING).gauge().value()).isZero();
  }

  @Test
  void aFailingOrNegativePendingSourceShowsUnknownNotZero() {
    AtomicInteger pending = new AtomicInteger(-1);
    metrics.pendingApprovals(() -> {
      if (pending.get() == 99) {
        throw new IllegalStateException("database down");
      }
      return pending.get();
    });
    assertThat(registry.get(JitMetrics.APPROVALS_PENDING).gauge().value()).isNaN();
    pending.set(99);
    assertThat(registry.get(JitMetrics.APPROVALS_PENDING).gauge().value()).isNaN();
  }

  @Test
  void bundleAgeCountsSecondsSinceTheLastUpdateByTheClock() {
    AtomicReference<Optional<Instant>> updated = new AtomicReference<>(Optional.empty());
    metrics.bundleAge("prod.example.org", updated::get);
    var gauge = registry.get(JitMetrics.BUNDLE_AGE).tags("trust_domain", "prod.example.org").gauge();
    assertThat(gauge.value()).as("no bundle yet").isNaN();
    updated.set(Optional.of(clock.instant()));
    clock.advance(Duration.ofSeconds(90));
    assertThat(gauge.value()).isEqualTo(90);
    updated.set(Optional.of(clock.instant()));
    assertThat(gauge.value()).isZero();
  }

  @Test
  void aFailingBundleSourceShowsUnknown() {
    metrics.bundleAge("prod.example.org", () -> {
      throw new IllegalStateException("boom");
    });
    assertThat(registry.get(JitMetrics.BUNDLE_AGE).gauge().value()).isNaN();
  }

  @Test
  void gaugeArgumentsAreChecked() {
    assertThatNullPointerException().isThrownBy(() -> metrics.pendingApprovals(null)).withMessage("pending");
    assertThatNullPointerException().isThrownBy(() -> metrics.bundleAge(null, Optional::empty))
        .withMessage("trustDomain");
    assertThatNullPointerException().isThrownBy(() -> metrics.bundleAge("d", null)).withMessage("lastUpdated");
    assertThatIllegalArgumentException().isThrownBy(() -> metrics.bundleAge(" ", Optional::empty))
        .withMessageContaining("' '");
  }
}
