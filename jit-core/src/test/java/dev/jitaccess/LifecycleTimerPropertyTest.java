package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The timer's indexed heap against a plain model: random schedules, cancels and clock advances; every
 * event fires exactly when due (never early, never twice, never after a cancel), in time order, and the
 * timer holds exactly the entries that still have a pending slot.
 */
class LifecycleTimerPropertyTest {
  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  static final class E extends LifecycleTimer.Entry {
    final String id;

    E(String id) {
      this.id = id;
    }

    @Override
    String grantId() {
      return id;
    }
  }

  record Op(int kind, int entry, int slot, int seconds) {}

  record Fired(String id, LifecycleTimer.Kind kind, Instant at) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 9),
            Arbitraries.integers().between(0, 199),
            Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 60))
        .as(Op::new)
        .list()
        .ofMaxSize(400);
  }

  @Property(tries = 200)
  void firesExactlyTheDueSlotsOfLiveEntries(@ForAll("ops") List<Op> ops) {
    ManualClock clock = ManualClock.at(T0.toString());
    List<Fired> fired = new ArrayList<>();
    LifecycleTimer<E> timer = new LifecycleTimer<>(clock, clock,
        (e, kind) -> fired.add(new Fired(e.id, kind, clock.instant())));
    Map<Integer, E> entries = new HashMap<>();
    // model: entry -> {expiry instant or null, early instant or null, early kind}
    Map<Integer, Instant[]> slots = new HashMap<>();
    Map<Integer, LifecycleTimer.Kind> earlyKind = new HashMap<>();
    Map<Integer, Boolean> cancelled = new HashMap<>();
    for (Op op : ops) {
      E e = entries.computeIfAbsent(op.entry(), i -> new E("g" + i));
      Instant[] s = slots.computeIfAbsent(op.entry(), i -> new Instant[2]);
      if (op.kind() < 6) {
        LifecycleTimer.Kind kind = LifecycleTimer.Kind.values()[op.slot()];
        Instant at = clock.instant().plusSeconds(op.seconds() - 5); // a few already due
        timer.schedule(e, kind, at);
        // with a manual clock an event fires exactly at its time, or at once if that is already past
        Instant fires = at.isBefore(clock.instant()) ? clock.instant() : at;
        if (!cancelled.getOrDefault(op.entry(), false)) {
          if (kind == LifecycleTimer.Kind.EXPIRY) {
            s[0] = fires;
          } else {
            s[1] = fires;
            earlyKind.put(op.entry(), kind);
          }
        }
      } else if (op.kind() < 8) {
        timer.cancel(e);
        cancelled.put(op.entry(), true);
        s[0] = null;
        s[1] = null;
      } else {
        fired.clear();
        Instant target = clock.instant().plusSeconds(op.seconds());
        clock.advanceTo(target);
        List<Fired> expected = new ArrayList<>();
        for (Map.Entry<Integer, Instant[]> m : slots.entrySet()) {
          Instant[] v = m.getValue();
          if (v[1] != null && !v[1].isAfter(target)) {
            expected.add(new Fired("g" + m.getKey(), earlyKind.get(m.getKey()), v[1]));
            v[1] = null;
          }
          if (v[0] != null && !v[0].isAfter(target)) {
            expected.add(new Fired("g" + m.getKey(), LifecycleTimer.Kind.EXPIRY, v[0]));
            v[0] = null;
          }
        }
        assertThat(fired).extracting(f -> f.id() + "/" + f.kind())
            .containsExactlyInAnyOrderElementsOf(expected.stream().map(f -> f.id() + "/" + f.kind()).toList());
        for (int i = 1; i < fired.size(); i++) {
          assertThat(fired.get(i).at()).isAfterOrEqualTo(fired.get(i - 1).at());
        }
        for (Fired f : fired) {
          Instant due = expected.stream().filter(x -> x.id().equals(f.id()) && x.kind() == f.kind())
              .findFirst().orElseThrow().at();
          assertThat(f.at()).isEqualTo(due); // neither early nor late
        }
      }
      long pending = slots.values().stream().filter(v -> v[0] != null || v[1] != null).count();
      assertThat(timer.size()).isEqualTo((int) pending);
      assertThat(timer.queued()).isLessThanOrEqualTo(2 * timer.size() + LifecycleTimer.MIN_COMPACT);
    }
  }

  /** Many entries, most cancelled: the heap is rebuilt without the dead ones and still fires in order. */
  @Property(tries = 50)
  void compactionKeepsTheHeapValid(@ForAll("times") List<Integer> seconds, @ForAll long seed) {
    ManualClock clock = ManualClock.at(T0.toString());
    List<Fired> fired = new ArrayList<>();
    LifecycleTimer<E> timer = new LifecycleTimer<>(clock, clock,
        (e, kind) -> fired.add(new Fired(e.id, kind, clock.instant())));
    java.util.Random random = new java.util.Random(seed);
    Map<String, Instant> expected = new HashMap<>();
    List<E> all = new ArrayList<>();
    for (int i = 0; i < seconds.size(); i++) {
      E e = new E("g" + i);
      Instant at = T0.plusSeconds(seconds.get(i));
      timer.schedule(e, LifecycleTimer.Kind.EXPIRY, at);
      all.add(e);
      expected.put(e.id, at);
    }
    for (E e : all) {
      if (random.nextInt(10) < 8) {
        timer.cancel(e);
        expected.remove(e.id);
      }
    }
    assertThat(timer.size()).isEqualTo(expected.size());
    assertThat(timer.queued()).isLessThanOrEqualTo(2 * timer.size() + LifecycleTimer.MIN_COMPACT);
    clock.advance(Duration.ofHours(2));
    assertThat(fired).hasSize(expected.size());
    for (Fired f : fired) {
      assertThat(f.at()).isEqualTo(expected.get(f.id()));
    }
    assertThat(timer.queued()).isZero();
  }

  @Provide
  Arbitrary<List<Integer>> times() {
    return Arbitraries.integers().between(1, 3_600).list().ofMinSize(100).ofMaxSize(600);
  }

  @Test
  void exactlyAtTheDueInstantItFiresAndOneNanosecondBeforeItDoesNot() {
    ManualClock clock = ManualClock.at(T0.toString());
    List<String> fired = new ArrayList<>();
    LifecycleTimer<E> timer = new LifecycleTimer<>(clock, clock, (e, kind) -> fired.add(e.id + "/" + kind));
    E e = new E("g");
    Instant due = T0.plus(Duration.ofMinutes(5)).plusNanos(7);
    timer.schedule(e, LifecycleTimer.Kind.EXPIRY, due);
    clock.advanceTo(due.minusNanos(1));
    assertThat(fired).isEmpty();
    clock.advanceTo(due);
    assertThat(fired).containsExactly("g/EXPIRY");
    assertThat(timer.size()).isZero();
  }

  @Test
  void aTimeCenturiesAwayNeitherFiresNorSpins() {
    ManualClock clock = ManualClock.at(T0.toString());
    List<String> fired = new ArrayList<>();
    LifecycleTimer<E> timer = new LifecycleTimer<>(clock, clock, (e, kind) -> fired.add(e.id + "/" + kind));
    timer.schedule(new E("far"), LifecycleTimer.Kind.EXPIRY, Instant.MAX);
    timer.schedule(new E("near"), LifecycleTimer.Kind.EXPIRY, T0.plusSeconds(1));
    clock.advance(Duration.ofDays(1));
    assertThat(fired).containsExactly("near/EXPIRY");
    assertThat(timer.size()).isEqualTo(1);
    assertThat(clock.pendingTasks()).isEqualTo(1);
  }

  @Test
  void aCancelledEntryIsNeverScheduledAgain() {
    ManualClock clock = ManualClock.at(T0.toString());
    List<String> fired = new ArrayList<>();
    LifecycleTimer<E> timer = new LifecycleTimer<>(clock, clock, (e, kind) -> fired.add(e.id + "/" + kind));
    E e = new E("g");
    timer.cancel(e);
    timer.schedule(e, LifecycleTimer.Kind.EXPIRY, T0.plusSeconds(1));
    clock.advance(Duration.ofSeconds(2));
    assertThat(fired).isEmpty();
    assertThat(timer.size()).isZero();
  }
}
