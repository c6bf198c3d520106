package dev.jitaccess.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** CpuPaired's figures are honest: a figure for a cheap operation, never Infinity, "n/a" when there is none. */
class CpuPairedTest {

  /**
   * The calibration runs cold, so a cheap operation used to be planned at far fewer ops than a warm round needs
   * to move the 10-ms process CPU clock: the round read 0 and the ratio printed Infinity. The round now goes on
   * until the clock has advanced.
   */
  @Test
  void aRoundRunsUntilTheProcessCpuClockAdvances() throws Exception {
    AtomicLong calls = new AtomicLong();
    Callable<Object> cheap = calls::incrementAndGet; // a few ns, and not something the JIT can drop
    CpuPaired.Series[] s = CpuPaired.measure(1, new int[] {1}, List.of(cheap));
    double perOp = CpuPaired.median(s[0].process());
    assertThat(perOp).isFinite().isPositive();
  }

  @Test
  void aSideWithoutAFigureIsReportedAsNotAvailableNotInfinity() {
    double nan = Double.NaN;
    CpuPaired.Series base = new CpuPaired.Series(new double[] {100, 110, 120}, new double[] {90, 95, 99});
    CpuPaired.Series none = new CpuPaired.Series(new double[] {nan, nan, 1}, new double[] {1, 1, 1});
    StringBuilder sb = new StringBuilder();
    CpuPaired.row(sb, "verify", "ES256", "floor", base, none, 50.0);
    assertThat(sb.toString()).contains("n/a: the process CPU clock did not advance").doesNotContain("Infinity")
        .doesNotContain("| yes |");
  }

  @Test
  void theMedianIsNaNOnlyWhenMostRoundsHaveNoFigure() {
    assertThat(CpuPaired.median(new double[] {3, Double.NaN, 1})).isEqualTo(3.0);
    assertThat(CpuPaired.median(new double[] {Double.NaN, Double.NaN, 1})).isNaN();
  }
}
