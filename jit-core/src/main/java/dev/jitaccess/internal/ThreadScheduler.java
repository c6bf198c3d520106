package dev.jitaccess.internal;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on one daemon thread.
 *
 * <p>The delay of a task is computed once, when it is scheduled, as {@code at} minus the injected
 * clock's now (a past instant runs at once); the thread then waits that long in real time. A clock that
 * jumps after a task was scheduled does not move the task. A task that throws is logged at WARN (its
 * exception type and the frame that threw, never the message, which might carry caller data) and does
 * not stop the thread. {@link #shutdown()} drops every waiting task and lets a running one finish.
 */
public final class ThreadScheduler implements Scheduler.Threaded {
  private static final Logger DEFAULT_LOGGER = LoggerFactory.getLogger(ThreadScheduler.class);

  private final Clock clock;
  private final String name;
  private final Logger logger;
  private final ScheduledThreadPoolExecutor executor;

  /**
   * Creates it and its thread.
   *
   * @param clock the clock {@link #schedule} instants are read against
   * @param name the thread's name
   */
  public ThreadScheduler(Clock clock, String name) {
    this(clock, name, DEFAULT_LOGGER);
  }

  ThreadScheduler(Clock clock, String name, Logger logger) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.name = Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    this.logger = Objects.requireNonNull(logger, "logger");
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, name);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if the scheduler was shut down
   */
  @Override
  public Cancellable schedule(Runnable task, Instant at) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(at, "at");
    if (executor.isShutdown()) {
      throw new IllegalStateException("scheduler " + name + " is shut down");
    }
    long delay = delayNanos(clock.instant(), at);
    ScheduledFuture<?> future;
    try {
      future = executor.schedule(() -> runGuarded(task), delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("scheduler " + name + " is shut down", e);
    }
    return () -> future.cancel(false);
  }

  /** Stops the thread: waiting tasks are dropped, a running one finishes. Idempotent. */
  public void shutdown() {
    executor.shutdown();
  }

  /** Same as {@link #shutdown()}. */
  @Override
  public void close() {
    shutdown();
  }

  /** Waits for the thread to end after {@link #shutdown()}; for tests. */
  boolean awaitTermination(Duration timeout) throws InterruptedException {
    return executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** How many tasks wait in the queue (cancelled ones are removed at once); for tests. */
  int queuedTasks() {
    return executor.getQueue().size();
  }

  @Override
  public String toString() {
    return "ThreadScheduler[" + name + (executor.isShutdown() ? ", shut down]" : "]");
  }

  /** Nanoseconds from {@code now} to {@code at}: zero if past, saturated instead of overflowing. */
  static long delayNanos(Instant now, Instant at) {
    if (!at.isAfter(now)) {
      return 0L;
    }
    Duration delay = Duration.between(now, at);
    if (delay.toSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
      return Long.MAX_VALUE;
    }
    return delay.toNanos();
  }

  private void runGuarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      StackTraceElement[] trace = e.getStackTrace();
      String where = trace.length == 0 ? "unknown" : trace[0].toString();
      logger.warn(
          "scheduled task on {} failed with {} at {}; the scheduler goes on",
          name,
          e.getClass().getName(),
          where);
    }
  }
}
