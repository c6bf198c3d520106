package dev.jitaccess.spi;

import dev.jitaccess.internal.ThreadScheduler;
import java.time.Clock;
import java.time.Instant;

/**
 * Runs a task at an instant of the broker's {@link Clock}: expiry callbacks, key rotation, approval
 * timeouts, re-minting. The default runs on one daemon thread; tests pass a manual clock that also
 * implements this interface and runs due tasks when it is advanced.
 */
public interface Scheduler {

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not run; idempotent. */
    void cancel();
  }

  /** Runs {@code task} once, at or shortly after {@code at} as told by the scheduler's clock. */
  Cancellable schedule(Runnable task, Instant at);

  /**
   * A scheduler running tasks on one daemon thread, reading time from {@code clock}. Close it with
   * {@link #shutdown(Scheduler)} when done; a broker that created it closes it itself.
   */
  static Scheduler threaded(Clock clock, String threadName) {
    return new ThreadScheduler(clock, threadName);
  }

  /** Stops a scheduler made by {@link #threaded}; does nothing for others. */
  static void shutdown(Scheduler scheduler) {
    if (scheduler instanceof ThreadScheduler threadScheduler) {
      threadScheduler.shutdown();
    }
  }
}
