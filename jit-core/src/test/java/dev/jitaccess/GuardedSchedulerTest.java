package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Guards of the wrapper around the user's {@link Scheduler}: a scheduler that throws or returns null once
 * cannot stop the lifecycle timer, and a task that throws is logged, not passed on to the scheduler.
 */
class GuardedSchedulerTest {
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();

  /** A scheduler that throws on its first {@code schedule} call, then delegates to the manual clock. */
  static final class ThrowsOnce implements Scheduler {
    final Scheduler delegate;
    final AtomicInteger calls = new AtomicInteger();

    ThrowsOnce(Scheduler delegate) {
      this.delegate = delegate;
    }

    @Override
    public Cancellable schedule(Runnable task, Instant at) {
      if (calls.getAndIncrement() == 0) {
        throw new IllegalStateException("scheduler queue full");
      }
      return delegate.schedule(task, at);
    }
  }

  @Test
  void guardedSchedulerKeepsTheTimerRunningAfterAThrow() {
    ThrowsOnce scheduler = new ThrowsOnce(clock);
    try (GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(scheduler).listener(listener)
        .build()) {
      // the first grant's wake-up is the one that throws: the request still succeeds
      Grant first = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      clock.advance(Duration.ofMinutes(1));
      Grant second = broker.request(Fixtures.request(DEPLOYER).taskId("t2").ttl(Duration.ofMinutes(5)).build());
      clock.advance(Duration.ofMinutes(10));
      assertThat(scheduler.calls.get()).isGreaterThan(1);
      assertThat(listener.calls).contains("expired:" + first.id(), "expired:" + second.id());
      assertThat(audit.of(AuditEventType.EXPIRED)).hasSize(2);
    }
  }

  @Test
  void guardedSchedulerTreatsANullCancellableAsNothingScheduled() {
    AtomicInteger calls = new AtomicInteger();
    Scheduler nullOnce = (task, at) -> calls.getAndIncrement() == 0 ? null : clock.schedule(task, at);
    try (GrantBroker broker = Fixtures.minimalBroker(audit).clock(clock).scheduler(nullOnce).listener(listener).build()) {
      Grant first = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build());
      Grant second = broker.request(Fixtures.request(DEPLOYER).taskId("t2").ttl(Duration.ofMinutes(5)).build());
      clock.advance(Duration.ofMinutes(10));
      assertThat(listener.calls).contains("expired:" + first.id(), "expired:" + second.id());
    }
  }

  @Test
  void guardedSchedulerLogsATaskThatThrowsInsteadOfPassingItOn() {
    AtomicInteger ran = new AtomicInteger();
    GuardedScheduler guarded = new GuardedScheduler(clock);
    guarded.schedule(() -> {
      ran.incrementAndGet();
      throw new IllegalStateException("boom");
    }, clock.instant().plusSeconds(1));
    assertThatCode(() -> clock.advance(Duration.ofSeconds(2))).doesNotThrowAnyException();
    assertThat(ran.get()).isEqualTo(1);
  }
}
