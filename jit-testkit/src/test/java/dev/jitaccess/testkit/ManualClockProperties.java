package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ManualClockProperties {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  /** Whatever the scheduling order and however time is advanced, tasks run in (instant, schedule) order, each once. */
  @Property(tries = 200)
  void tasksRunInTimeOrderExactlyOnce(
      @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 1000) Integer> dueSeconds,
      @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 400) Integer> steps) {
    ManualClock clock = ManualClock.at(T0);
    List<int[]> ran = new ArrayList<>();
    for (int i = 0; i < dueSeconds.size(); i++) {
      int index = i;
      int due = dueSeconds.get(i);
      clock.schedule(() -> {
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(due));
        ran.add(new int[] {due, index});
      }, T0.plusSeconds(due));
    }
    for (int step : steps) {
      clock.advance(Duration.ofSeconds(step));
    }
    clock.advance(Duration.ofSeconds(1000));
    List<int[]> expected = new ArrayList<>();
    for (int i = 0; i < dueSeconds.size(); i++) {
      expected.add(new int[] {dueSeconds.get(i), i});
    }
    expected.sort(Comparator.<int[]>comparingInt(a -> a[0]).thenComparingInt(a -> a[1]));
    assertThat(ran).usingElementComparator(Comparator.<int[]>comparingInt(a -> a[0]).thenComparingInt(a -> a[1]))
        .containsExactlyElementsOf(expected);
    assertThat(clock.pendingTasks()).isZero();
  }
}
