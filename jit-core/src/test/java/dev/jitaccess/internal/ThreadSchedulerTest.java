package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class ThreadSchedulerTest {
  private static final Duration GENEROUS = Duration.ofSeconds(30);

  private final Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
  private final RecordingLogger logger = new RecordingLogger("test", Level.DEBUG);
  private final ThreadScheduler scheduler = new ThreadScheduler(clock, "jit-test-timer", logger);

  @AfterEach
  void stop() throws InterruptedException {
    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(GENEROUS)).isTrue();
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(GENEROUS.toSeconds(), TimeUnit.SECONDS)).as("task ran").isTrue();
  }

  @Test
  void runsATaskAfterAShortDelayOnItsNamedDaemonThread() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    AtomicReference<Thread> thread = new AtomicReference<>();
    scheduler.schedule(() -> {
      thread.set(Thread.currentThread());
      ran.countDown();
    }, clock.instant().plusMillis(20));

    await(ran);
    assertThat(thread.get().getName()).isEqualTo("jit-test-timer");
    assertThat(thread.get().isDaemon()).isTrue();
  }

  @Test
  void aTaskDueInThePastRunsNow() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    scheduler.schedule(ran::countDown, clock.instant().minus(Duration.ofHours(1)));
    await(ran);
  }

  @Test
  void aThrowingTaskIsLoggedWithoutItsMessageAndTheThreadGoesOn() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    scheduler.schedule(() -> {
      throw new IllegalStateException("token eyJhbGciOi.secret");
    }, clock.instant());
    scheduler.schedule(() -> {
      throw new AssertionError("also secret");
    }, clock.instant());
    scheduler.schedule(ran::countDown, clock.instant());

    await(ran);
    assertThat(logger.entries()).hasSize(2).allSatisfy(e -> {
      assertThat(e.level()).isEqualTo(Level.WARN);
      assertThat(e.message()).contains("jit-test-timer").doesNotContain("secret");
      assertThat(e.throwable()).isNull();
    });
    assertThat(logger.entries().get(0).message()).contains("java.lang.IllegalStateException", "ThreadSchedulerTest");
    assertThat(logger.entries().get(1).message()).contains("java.lang.AssertionError");
  }

  @Test
  void aCancelledTaskLeavesTheQueue() {
    Scheduler.Cancellable c = scheduler.schedule(() -> {}, clock.instant().plus(Duration.ofDays(1)));
    assertThat(scheduler.queuedTasks()).isEqualTo(1);
    c.cancel();
    c.cancel();
    assertThat(scheduler.queuedTasks()).isZero();
  }

  @Test
  void shutdownDropsWaitingTasksAndLaterSchedulesThrow() throws Exception {
    scheduler.schedule(() -> {}, clock.instant().plus(Duration.ofDays(1)));
    scheduler.shutdown();
    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(GENEROUS)).isTrue();
    assertThatThrownBy(() -> scheduler.schedule(() -> {}, clock.instant()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("jit-test-timer")
        .hasMessageContaining("shut down");
    assertThat(scheduler.toString()).contains("shut down");
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new ThreadScheduler(null, "x")).isInstanceOf(NullPointerException.class).hasMessage("clock");
    assertThatThrownBy(() -> new ThreadScheduler(clock, null)).isInstanceOf(NullPointerException.class).hasMessage("name");
    assertThatThrownBy(() -> new ThreadScheduler(clock, " ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> scheduler.schedule(null, clock.instant()))
        .isInstanceOf(NullPointerException.class).hasMessage("task");
    assertThatThrownBy(() -> scheduler.schedule(() -> {}, null))
        .isInstanceOf(NullPointerException.class).hasMessage("at");
  }

  @Test
  void delaysAreComputedFromTheInjectedClockAndSaturate() {
    Instant now = clock.instant();
    assertThat(ThreadScheduler.delayNanos(now, now.plusMillis(250))).isEqualTo(250_000_000L);
    assertThat(ThreadScheduler.delayNanos(now, now)).isZero();
    assertThat(ThreadScheduler.delayNanos(now, now.minusSeconds(5))).isZero();
    assertThat(ThreadScheduler.delayNanos(now, Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    assertThat(ThreadScheduler.delayNanos(Instant.MIN, Instant.MAX)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aTaskAtInstantMaxWaitsQuietly() {
    scheduler.schedule(() -> {}, Instant.MAX);
    assertThat(scheduler.queuedTasks()).isEqualTo(1);
  }

  @Test
  void theSpiFactoryMakesAndStopsOne() throws Exception {
    Scheduler.Threaded threaded = Scheduler.threaded(clock, "jit-spi-timer");
    CountDownLatch ran = new CountDownLatch(1);
    threaded.schedule(ran::countDown, clock.instant());
    await(ran);
    threaded.close();
    assertThatThrownBy(() -> threaded.schedule(() -> {}, clock.instant())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theThreadedSchedulerClosesByTryWithResourcesAndCloseIsIdempotent() {
    Scheduler.Threaded kept;
    try (Scheduler.Threaded threaded = Scheduler.threaded(clock, "jit-spi-timer-twr")) {
      kept = threaded;
    }
    kept.close();
    assertThatThrownBy(() -> kept.schedule(() -> {}, clock.instant())).isInstanceOf(IllegalStateException.class);
  }
}
