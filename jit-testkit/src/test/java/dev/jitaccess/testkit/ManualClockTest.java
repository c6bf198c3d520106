package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  final ManualClock clock = ManualClock.at(T0);

  @Test
  void standsStillUntilAdvanced() {
    assertThat(clock.instant()).isEqualTo(T0);
    assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());
    clock.advance(Duration.ofSeconds(5));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(5));
    clock.advanceTo(T0.plusSeconds(60));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(60));
    assertThat(ManualClock.at("2030-01-01T00:00:00Z").instant()).isEqualTo(T0);
  }

  @Test
  void runsDueTasksInTimeOrderOnTheCallingThreadAtTheirInstant() {
    List<String> ran = new ArrayList<>();
    Thread caller = Thread.currentThread();
    clock.schedule(() -> ran.add("b@" + clock.instant()), T0.plusSeconds(20));
    clock.schedule(() -> ran.add("a@" + clock.instant()), T0.plusSeconds(10));
    clock.schedule(() -> ran.add("a2@" + clock.instant()), T0.plusSeconds(10));
    clock.schedule(() -> ran.add("c"), T0.plusSeconds(30));
    clock.schedule(() -> assertThat(Thread.currentThread()).isSameAs(caller), T0.plusSeconds(1));
    clock.advance(Duration.ofSeconds(10).minusNanos(1));
    assertThat(ran).isEmpty();
    clock.advance(Duration.ofSeconds(15).plusNanos(1));
    assertThat(ran).containsExactly("a@" + T0.plusSeconds(10), "a2@" + T0.plusSeconds(10), "b@" + T0.plusSeconds(20));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(25));
    assertThat(clock.pendingTasks()).isEqualTo(1);
    assertThat(clock.nextDue()).contains(T0.plusSeconds(30));
  }

  @Test
  void aTaskScheduledByATaskRunsInTheSameAdvanceIfDue() {
    List<String> ran = new ArrayList<>();
    clock.schedule(() -> {
      ran.add("first");
      clock.schedule(() -> ran.add("second"), clock.instant().plusSeconds(5));
      clock.schedule(() -> ran.add("later"), clock.instant().plusSeconds(500));
    }, T0.plusSeconds(1));
    clock.advance(Duration.ofSeconds(10));
    assertThat(ran).containsExactly("first", "second");
  }

  @Test
  void pastDueTasksRunAtTheNextAdvanceAndCancelledOnesNever() {
    List<String> ran = new ArrayList<>();
    clock.advance(Duration.ofMinutes(1));
    clock.schedule(() -> ran.add("past"), T0);
    Scheduler.Cancellable c = clock.schedule(() -> ran.add("cancelled"), T0.plusSeconds(61));
    c.cancel();
    c.cancel();
    assertThat(clock.pendingTasks()).isEqualTo(1);
    clock.runDueTasks();
    assertThat(ran).containsExactly("past");
    clock.advance(Duration.ofHours(1));
    assertThat(ran).containsExactly("past");
    assertThat(clock.nextDue()).isEmpty();
  }

  @Test
  void aThrowingTaskDoesNotStopTheOthersAndIsRethrown() {
    List<String> ran = new ArrayList<>();
    clock.schedule(() -> {
      throw new IllegalStateException("first");
    }, T0.plusSeconds(1));
    clock.schedule(() -> ran.add("ok"), T0.plusSeconds(2));
    clock.schedule(() -> {
      throw new IllegalArgumentException("second");
    }, T0.plusSeconds(3));
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(10)))
        .isInstanceOf(IllegalStateException.class).hasMessage("first")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    assertThat(ran).containsExactly("ok");
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(10));
  }

  @Test
  void refusesToGoBackInTime() {
    clock.advance(Duration.ofSeconds(10));
    assertThatThrownBy(() -> clock.advance(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.000000001S");
    assertThatThrownBy(() -> clock.advanceTo(T0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(T0.toString());
    assertThatThrownBy(() -> clock.advance(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("duration");
    assertThatThrownBy(() -> clock.schedule(null, T0)).isInstanceOf(NullPointerException.class).hasMessageContaining("task");
    assertThatThrownBy(() -> ManualClock.at((Instant) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void zoneViewReadsTheSameInstant() {
    var berlin = clock.withZone(ZoneId.of("Europe/Berlin"));
    clock.advance(Duration.ofHours(1));
    assertThat(berlin.instant()).isEqualTo(clock.instant());
    assertThat(berlin.getZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(clock.withZone(java.time.ZoneOffset.UTC)).isSameAs(clock);
    assertThat(berlin.withZone(java.time.ZoneOffset.UTC)).isSameAs(clock);
  }

  @Test
  void concurrentSchedulingAndAdvancingLosesNoTask() throws Exception {
    List<Integer> ran = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        int n = i;
        futures.add(pool.submit(() -> {
          start.await();
          clock.schedule(() -> ran.add(n), T0.plusSeconds(n % 7));
          if (n % 10 == 0) {
            clock.advance(Duration.ofMillis(1));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(ran).hasSize(200).doesNotHaveDuplicates();
    assertThat(clock.pendingTasks()).isZero();
  }
}
