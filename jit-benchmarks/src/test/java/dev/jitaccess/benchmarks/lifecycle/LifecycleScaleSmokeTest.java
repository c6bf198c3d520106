package dev.jitaccess.benchmarks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lifecycle run at a tiny scale: every phase completes and reports what it measured. */
class LifecycleScaleSmokeTest {

  @Test
  void allThreePhasesReportFigures() throws Exception {
    LifecycleScale.Config c = new LifecycleScale.Config(2_000, 10, 2, 1, 20, 300, 2, true);
    List<String> log = new ArrayList<>();
    LifecycleScale.Figures f = LifecycleScale.run(c, log::add);
    assertThat(f.grants()).isEqualTo(2_000);
    assertThat(f.bytesPerGrant()).isPositive();
    assertThat(f.latenessMillis()).hasSize(20);
    assertThat(f.latenessPercentile(50)).isGreaterThanOrEqualTo(0);
    assertThat(f.revoked()).containsExactly(300, 300);
    assertThat(f.revokeGcMillis()).hasSize(2);
    assertThat(java.util.Arrays.stream(f.revokeGcMillis()).min().orElseThrow()).isNotNegative();
    assertThat(f.histogram()).contains("#instances");
    String report = LifecycleScale.report(c, f);
    assertThat(report).contains("expiry-callback lateness p99").contains("revokeTask").contains("1,000,000")
        .contains("GC pauses within the round");
  }
}
