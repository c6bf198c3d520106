package dev.jitaccess;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/**
 * A clock for tests that moves only when told and is also a {@link Scheduler}: advancing it runs every
 * task that has come due, in time order, on the calling thread. No sleeping, no flakiness.
 */
public final class ManualClock extends Clock implements Scheduler {
  private final Object lock = new Object();
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private Instant now;
  private long sequence;

  public ManualClock(Instant start) {
    this.now = start;
  }

  public static ManualClock at(String isoInstant) {
    return new ManualClock(Instant.parse(isoInstant));
  }

  @Override
  public Instant instant() {
    synchronized (lock) {
      return now;
    }
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("ManualClock is always UTC");
  }

  /** Moves time forward and runs every task due at or before the new time. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("cannot go back in time: " + duration);
    }
    Instant target;
    synchronized (lock) {
      target = now.plus(duration);
    }
    runUntil(target);
  }

  /** Moves time to {@code target} (not backwards) and runs due tasks. */
  public void advanceTo(Instant target) {
    runUntil(target);
  }

  /** How many tasks are waiting. */
  public int pendingTasks() {
    synchronized (lock) {
      return (int) tasks.stream().filter(t -> !t.cancelled).count();
    }
  }

  private void runUntil(Instant target) {
    while (true) {
      Task next;
      synchronized (lock) {
        next = tasks.peek();
        if (next == null || next.at.isAfter(target)) {
          if (target.isAfter(now)) {
            now = target;
          }
          return;
        }
        tasks.poll();
        if (next.at.isAfter(now)) {
          now = next.at;
        }
      }
      if (!next.cancelled) {
        next.runnable.run();
      }
    }
  }

  @Override
  public Cancellable schedule(Runnable task, Instant at) {
    Task t;
    synchronized (lock) {
      t = new Task(at, sequence++, task);
      tasks.add(t);
    }
    return () -> t.cancelled = true;
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
}
