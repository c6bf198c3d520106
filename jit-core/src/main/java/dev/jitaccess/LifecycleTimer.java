package dev.jitaccess;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's own timer for grant lifecycle events. One priority queue, one outstanding wake-up on
 * the {@link Scheduler} at the earliest due time: each event fires when it is due, not in coarse
 * buckets, and a million pending events cost a million small entries, not a million scheduled tasks.
 */
final class LifecycleTimer {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleTimer.class);

  enum Kind {
    EXPIRY,
    EXPIRING,
    REMINT
  }

  record Entry(Instant at, String grantId, Kind kind, long seq) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final Scheduler scheduler;
  private final Clock clock;
  private final Consumer<Entry> handler;
  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private long seq;
  private Scheduler.@Nullable Cancellable wakeup;
  private @Nullable Instant wakeupAt;
  private boolean stopped;

  LifecycleTimer(Scheduler scheduler, Clock clock, Consumer<Entry> handler) {
    this.scheduler = scheduler;
    this.clock = clock;
    this.handler = handler;
  }

  synchronized void add(Instant at, String grantId, Kind kind) {
    if (stopped) {
      return;
    }
    queue.add(new Entry(at, grantId, kind, seq++));
    if (wakeupAt == null || at.isBefore(wakeupAt)) {
      reschedule(at);
    }
  }

  synchronized void stop() {
    stopped = true;
    if (wakeup != null) {
      wakeup.cancel();
    }
    queue.clear();
  }

  private void reschedule(Instant at) {
    if (wakeup != null) {
      wakeup.cancel();
    }
    wakeupAt = at;
    wakeup = scheduler.schedule(this::fire, at);
  }

  private void fire() {
    List<Entry> due = new ArrayList<>();
    synchronized (this) {
      wakeup = null;
      wakeupAt = null;
      Instant now = clock.instant();
      while (!queue.isEmpty() && !queue.peek().at().isAfter(now)) {
        due.add(queue.poll());
      }
    }
    for (Entry e : due) {
      try {
        handler.accept(e);
      } catch (RuntimeException ex) {
        LOG.warn("lifecycle event {} for grant {} failed: {}", e.kind(), e.grantId(), ex.getClass().getName());
      }
    }
    synchronized (this) {
      if (!stopped && !queue.isEmpty() && (wakeupAt == null || queue.peek().at().isBefore(wakeupAt))) {
        reschedule(queue.peek().at());
      }
    }
  }
}
