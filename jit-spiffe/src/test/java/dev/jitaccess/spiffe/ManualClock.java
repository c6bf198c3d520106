package dev.jitaccess.spiffe;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.PriorityQueue;

/**
 * A test clock that moves only when told and is also a {@link Scheduler}: advancing it runs due tasks,
 * in time order, on the calling thread (the idea of jit-core's test ManualClock).
 */
final class ManualClock extends Clock implements Scheduler {
  private final Object lock = new Object();
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private Instant now;
  private long sequence;

  ManualClock(Instant start) {
    this.now = start;
  }

  static ManualClock at(String isoInstant) {
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
    throw new UnsupportedOperationException("always UTC");
  }

  void advance(Duration d) {
    Instant target;
    synchronized (lock) {
      target = now.plus(d);
    }
    while (true) {
      Task next;
      synchronized (lock) {
        next = tasks.peek();
        if (next == null || next.at.isAfter(target)) {
          now = target;
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

  int pendingTasks() {
    synchronized (lock) {
      return (int) tasks.stream().filter(t -> !t.cancelled).count();
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
