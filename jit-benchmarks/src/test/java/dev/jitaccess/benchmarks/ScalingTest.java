package dev.jitaccess.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Scaling's arithmetic: a fork's figures are medians of its windows, the verdict is on the median of the forks. */
class ScalingTest {

  @Test
  void aForkIsTheMedianOfItsWindowsSoOneDisturbedWindowDoesNotMoveIt() {
    Scaling.ForkResult r = Scaling.result(List.of("100.0 200.0 1.000 0.980", "40.0 198.0 0.990 0.700",
        "102.0 204.0 0.995 0.990"));
    assertThat(r.one()).isEqualTo(100.0);
    assertThat(r.two()).isEqualTo(200.0);
    assertThat(r.ratio()).isEqualTo(2.0);
    assertThat(r.cpuShare()).as("the least share of a two-thread window").isEqualTo(0.7);
  }

  @Test
  void theVerdictIsOnTheMedianOfTheForksAndEveryForkIsShown() {
    Scaling.Bench[] benches = {Scaling.Bench.VERIFY_FLOOR, Scaling.Bench.VERIFY_HIT};
    List<Scaling.ForkResult> floor = List.of(new Scaling.ForkResult(10, 20, 0.98));
    List<Scaling.ForkResult> hit = List.of(new Scaling.ForkResult(100, 195, 0.98), new Scaling.ForkResult(100, 160, 0.97),
        new Scaling.ForkResult(100, 190, 0.96));
    String table = Scaling.table("ES256", benches, List.of(floor, hit));
    assertThat(table).contains("| VerifyBenchmark.brokerVerifier | 100 | 190 | 1.95, 1.60, 1.90 | 1.90 | >= 1.8 | yes | 0.96 |")
        .contains("| VerifyBenchmark.floor | 10 | 20 | 2.00 | 2.00 | (machine) | - | 0.98 |");
    List<Scaling.ForkResult> twoBad = List.of(new Scaling.ForkResult(100, 195, 0.98), new Scaling.ForkResult(100, 160, 0.97),
        new Scaling.ForkResult(100, 165, 0.96));
    assertThat(Scaling.table("ES256", benches, List.of(floor, twoBad))).contains("| 1.65 | >= 1.8 | **no** |");
  }

  @Test
  void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Scaling.median(new double[] {3, 1, 2})).isEqualTo(2.0);
    assertThat(Scaling.median(new double[] {4, 1, 2, 3})).isEqualTo(2.5);
    assertThatThrownBy(() -> Scaling.median(new double[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
