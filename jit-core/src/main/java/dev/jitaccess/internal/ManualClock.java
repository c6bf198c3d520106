package dev.jitaccess.internal;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one manual clock of the project: a {@link Clock} that moves only when told and is also a
 * {@link Scheduler}; {@link #advance(Duration)} moves time forward and runs every task that came due, in
 * time order (ties in scheduling order), on the calling thread, with the clock reading each task's due
 * instant while it runs.
 *
 * <p>Used by no main code. It lives here, and not in a test source set, because it has two kinds of users
 * that no test-scoped artifact could serve without a build cycle: the tests of jit-core, jit-spiffe,
 * jit-policy and jit-oauth (patched into their modules, which read this package through the qualified
 * export), and jit-testkit, whose public {@code dev.jitaccess.testkit.ManualClock} delegates to it.
 *
 * <p>Thread-safe: reading and scheduling may happen from any thread; advances are serialised, so due
 * tasks never run concurrently with each other. A task scheduled at or before the current instant runs
 * at the next advance (even {@code advance(Duration.ZERO)}, or {@link #runDueTasks()}). If tasks throw,
 * the remaining due tasks still run and the first exception is rethrown at the end of the advance, with
 * the others suppressed. Always in UTC; {@link #withZone(ZoneId)} returns a read-only view.
 */
public final class ManualClock extends Clock implements Scheduler {
  private final Object lock = new Object();
  private final ReentrantLock advancing = new ReentrantLock();
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private Instant now;
  private long sequence;

  private ManualClock(Instant start) {
    this.now = start;
  }

  /** A clock standing at {@code start}. */
  public static ManualClock at(Instant start) {
    return new ManualClock(Objects.requireNonNull(start, "start"));
  }

  /**
   * A clock standing at an ISO-8601 instant such as {@code 2030-01-01T00:00:00Z}.
   *
   * @throws java.time.format.DateTimeParseException if the text is not an instant
   */
  public static ManualClock at(String isoInstant) {
    return at(Instant.parse(Objects.requireNonNull(isoInstant, "isoInstant")));
  }

  @Override
  public Instant instant() {
    synchronized (lock) {
      return now;
    }
  }

  /** Always {@link ZoneOffset#UTC}. */
  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** A view of this clock in another zone; it reads the same instant and cannot be advanced itself. */
  @Override
  public Clock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(ZoneOffset.UTC) ? this : zonedView(zone, this);
  }

  /**
   * A read-only view of this clock in {@code zone} whose own {@code withZone} goes back through
   * {@code face} (the public clock a caller holds, which may wrap this one).
   */
  public Clock zonedView(ZoneId zone, Clock face) {
    return new ZonedView(this, Objects.requireNonNull(face, "face"), Objects.requireNonNull(zone, "zone"));
  }

  /**
   * Moves time forward by {@code duration} and runs every task due at or before the new instant.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a ManualClock cannot go back in time, got " + duration);
    }
    advancing.lock();
    try {
      runUntil(instant().plus(duration));
    } finally {
      advancing.unlock();
    }
  }

  /**
   * Moves time to {@code target} and runs every task due at or before it.
   *
   * @throws IllegalArgumentException if {@code target} is before the current instant
   */
  public void advanceTo(Instant target) {
    Objects.requireNonNull(target, "target");
    advancing.lock();
    try {
      if (target.isBefore(instant())) {
        throw new IllegalArgumentException(
            "a ManualClock cannot go back in time: it is " + instant() + ", asked for " + target);
      }
      runUntil(target);
    } finally {
      advancing.unlock();
    }
  }

  /** Runs the tasks already due without moving time; the same as {@code advance(Duration.ZERO)}. */
  public void runDueTasks() {
    advance(Duration.ZERO);
  }

  /** How many scheduled tasks have neither run nor been cancelled. */
  public int pendingTasks() {
    synchronized (lock) {
      return (int) tasks.stream().filter(t -> !t.cancelled).count();
    }
  }

  /** When the next pending task is due, if there is one. */
  public java.util.Optional<Instant> nextDue() {
    synchronized (lock) {
      return tasks.stream().filter(t -> !t.cancelled).map(t -> t.at).min(Instant::compareTo);
    }
  }

  /** Schedules {@code task} to run when the clock is advanced to or past {@code at}. */
  @Override
  public Cancellable schedule(Runnable task, Instant at) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(at, "at");
    Task t;
    synchronized (lock) {
      t = new Task(at, sequence++, task);
      tasks.add(t);
    }
    return () -> {
      t.cancelled = true;
      synchronized (lock) {
        tasks.remove(t);
      }
    };
  }

  private void runUntil(Instant target) {
    RuntimeException failure = null;
    while (true) {
      Task next;
      synchronized (lock) {
        next = tasks.peek();
        if (next == null || next.at.isAfter(target)) {
          if (target.isAfter(now)) {
            now = target;
          }
          break;
        }
        tasks.poll();
        if (next.at.isAfter(now)) {
          now = next.at;
        }
      }
      if (!next.cancelled) {
        try {
          next.runnable.run();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + ", pending=" + pendingTasks() + "]";
  }

  private static final class Task implements Comparable<Task> {
    final Instant at;
    final long seq;
    final Runnable runnable;
    volatile boolean cancelled;

    Task(Instant at, long seq, Runnable runnable) {
      this.at = at;
      this.seq = seq;
      this.runnable = runnable;
    }

    @Override
    public int compareTo(Task o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  /** A read-only view of a ManualClock in another zone. */
  private static final class ZonedView extends Clock {
    private final ManualClock clock;
    private final Clock face;
    private final ZoneId zone;

    ZonedView(ManualClock clock, Clock face, ZoneId zone) {
      this.clock = clock;
      this.face = face;
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
      return face.withZone(newZone);
    }

    @Override
    public Instant instant() {
      return clock.instant();
    }
  }
}
