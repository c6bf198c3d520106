package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wake-ups at least {@link LifecycleTimer#COALESCE_NANOS} apart: events due soon after a wake-up fire
 * together at the end of the window (late by less than the window, never early); an event already due
 * fires at once; an event due after the window fires exactly on time; ended grants cause no wake-up.
 */
class LifecycleTimerCoalescingTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final Duration WINDOW = Duration.ofNanos(LifecycleTimer.COALESCE_NANOS);

  private final ManualClock clock = ManualClock.at(T0.toString());
  private final List<String> fired = new ArrayList<>();
  private final LifecycleTimer<LifecycleTimerPropertyTest.E> timer =
      new LifecycleTimer<>(clock, clock, (e, kind) -> fired.add(e.id + "@" + Duration.between(T0, clock.instant()).toNanos()));

  private LifecycleTimerPropertyTest.E at(String id, Duration offset) {
    LifecycleTimerPropertyTest.E e = new LifecycleTimerPropertyTest.E(id);
    timer.schedule(e, LifecycleTimer.Kind.EXPIRY, T0.plus(offset));
    return e;
  }

  @Test
  void eventsDueWithinTheWindowAfterAWakeUpFireTogetherAtItsEnd() {
    at("a", Duration.ofSeconds(1));
    at("b", Duration.ofSeconds(1).plusMillis(1));
    at("c", Duration.ofSeconds(1).plusMillis(3));
    at("d", Duration.ofSeconds(1).plus(WINDOW).plus(WINDOW).plusMillis(1)); // after the next window: on time

    clock.advanceTo(T0.plusSeconds(1));
    assertThat(fired).containsExactly("a@1000000000");
    clock.advanceTo(T0.plusSeconds(1).plusMillis(4)); // b and c are due, but within the window
    assertThat(fired).containsExactly("a@1000000000");
    assertThat(clock.pendingTasks()).isEqualTo(1); // one wake-up, not one per event
    clock.advanceTo(T0.plusSeconds(1).plus(WINDOW));
    assertThat(fired).containsExactly("a@1000000000", "b@1005000000", "c@1005000000");
    clock.advanceTo(T0.plusSeconds(2));
    assertThat(fired).containsExactly("a@1000000000", "b@1005000000", "c@1005000000", "d@1011000000");
  }

  @Test
  void anEventNeverFiresBeforeItIsDue() {
    at("a", Duration.ofSeconds(1));
    at("b", Duration.ofSeconds(1).plusMillis(4));
    clock.advanceTo(T0.plusSeconds(1).plusMillis(3)); // a's wake-up; b is not yet due
    assertThat(fired).containsExactly("a@1000000000");
    clock.advanceTo(T0.plusSeconds(1).plus(WINDOW));
    assertThat(fired).containsExactly("a@1000000000", "b@1005000000");
  }

  @Test
  void anEventAlreadyDueFiresAtOnceEvenRightAfterAWakeUp() {
    at("a", Duration.ofSeconds(1));
    clock.advanceTo(T0.plusSeconds(1));
    at("late", Duration.ofMillis(500)); // scheduled in the past, 0 ns after the last wake-up
    clock.advance(Duration.ZERO);
    assertThat(fired).containsExactly("a@1000000000", "late@1000000000");
  }

  @Test
  void endedGrantsAtTheTopOfTheHeapCauseNoWakeUp() {
    at("a", Duration.ofSeconds(1));
    LifecycleTimerPropertyTest.E b = at("b", Duration.ofSeconds(2));
    LifecycleTimerPropertyTest.E c = at("c", Duration.ofSeconds(3));
    timer.cancel(b);
    timer.cancel(c);
    clock.advanceTo(T0.plusSeconds(1));
    assertThat(fired).containsExactly("a@1000000000");
    assertThat(clock.pendingTasks()).isZero(); // b and c ended: nothing to wake up for
    assertThat(timer.queued()).isZero();
  }
}
