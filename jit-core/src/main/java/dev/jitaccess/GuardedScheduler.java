package dev.jitaccess;

import dev.jitaccess.spi.Scheduler;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's {@link Scheduler} behind a guard, as Caffeine guards its scheduler: a {@code schedule} that
 * throws, or returns null, is logged at WARN and reported to the caller as "nothing scheduled" (so the
 * lifecycle timer never believes in a wake-up that will not come), and a task that throws is logged and
 * does not reach the user's scheduler thread.
 */
final class GuardedScheduler implements Scheduler {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedScheduler.class);
  private static final Cancellable NOTHING = () -> {};

  private final Scheduler delegate;

  GuardedScheduler(Scheduler delegate) {
    this.delegate = Objects.requireNonNull(delegate, "scheduler");
  }

  /** The user's scheduler (for shutting down one the broker created). */
  Scheduler delegate() {
    return delegate;
  }

  /** Schedules {@code task}; null when the scheduler threw or returned nothing (logged at WARN). */
  @Nullable Cancellable trySchedule(Runnable task, Instant at) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(at, "at");
    Runnable guarded = () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("a scheduled broker task failed with {}; ignored", e.getClass().getName());
      }
    };
    Cancellable c;
    try {
      c = delegate.schedule(guarded, at);
    } catch (RuntimeException e) {
      LOG.warn("scheduler {} threw {} scheduling a task at {}; the broker retries at its next event",
          delegate.getClass().getName(), e.getClass().getName(), at);
      return null;
    }
    if (c == null) {
      LOG.warn("scheduler {} returned no Cancellable for a task at {}", delegate.getClass().getName(), at);
      return null;
    }
    return c;
  }

  /** Like {@link #trySchedule}, answering a no-op {@link Cancellable} when nothing was scheduled. */
  @Override
  public Cancellable schedule(Runnable task, Instant at) {
    Cancellable c = trySchedule(task, at);
    return c == null ? NOTHING : c;
  }

  @Override
  public String toString() {
    return "GuardedScheduler[" + delegate.getClass().getName() + "]";
  }
}
