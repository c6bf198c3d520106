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

  /** A scheduler that owns a thread, stopped by {@link #close()}; made by {@link Scheduler#threaded}. */
  interface Threaded extends Scheduler, AutoCloseable {
    /**
     * Stops the thread: waiting tasks are dropped, a running one finishes; later {@link #schedule} calls
     * throw {@link IllegalStateException}. Idempotent; never throws.
     */
    @Override
    void close();
  }

  /**
   * A scheduler running tasks on one daemon thread, reading time from {@code clock}. Close it when done
   * (try-with-resources works); a broker, watcher or bundle source that created its own closes it itself,
   * and one passed to them is never closed by them.
   *
   * @throws NullPointerException when an argument is null
   */
  static Threaded threaded(Clock clock, String threadName) {
    return new ThreadScheduler(clock, threadName);
  }
}
