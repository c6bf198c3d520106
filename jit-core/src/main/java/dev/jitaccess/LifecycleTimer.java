package dev.jitaccess;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's own timer for grant lifecycle events. One binary heap, one outstanding wake-up on the
 * {@link Scheduler} at the earliest due time: each event fires when it is due (never before), not in coarse
 * buckets, and a million pending grants cost a million small entries, not a million scheduled tasks.
 *
 * <h2>Wake-ups</h2>
 * Two wake-ups are at least {@link #COALESCE_NANOS} (5 ms) apart: when events fall due in quick
 * succession, those due within 5 ms of the last wake-up fire together at the end of that window, so an
 * event fires at most 5 ms late and a busy broker wakes its scheduler thread at most 200 times a second
 * instead of once per grant. A dead entry at the top of the heap is dropped before the next wake-up is
 * set, so ended grants cause none.
 *
 * <h2>One entry per grant</h2>
 * A grant's {@link Entry} (the broker's per-grant object extends it) has two slots: the {@link Kind#EXPIRY}
 * time and one earlier event, {@link Kind#EXPIRING} or {@link Kind#REMINT}. The entry sits in the heap once,
 * at the earlier of its set slots; when a slot fires it is cleared and the entry goes back at the other slot,
 * if set. A cancelled entry is never scheduled again and never fires.
 *
 * <h2>Cancelling is O(1)</h2>
 * {@link #cancel} only marks a queued entry dead; a dead entry leaves the heap when it reaches the top, or
 * when dead entries outnumber live ones and the heap is rebuilt without them (O(n), so O(1) amortised per
 * cancel). Removing it at once would cost a sift through ~17 levels of a 100,000-entry heap, each level a
 * cache miss on another grant's entry: a {@code revokeTask} of 10,000 grants spent more time there than in
 * the store. Memory stays bounded: dead entries never exceed the live ones (plus {@link #MIN_COMPACT}), so a
 * closed try-with-resources grant is dropped soon, not at its expiry.
 *
 * <h2>Time</h2>
 * Slots hold nanoseconds from the clock's instant when the timer was built (not from the epoch, which runs
 * out of {@code long} in 2262), saturated to about 292 years either way: no {@link Instant} per event.
 * A slot that saturated fires early at worst, and every handler re-checks the store, so early is safe.
 */
final class LifecycleTimer<E extends LifecycleTimer.Entry> {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleTimer.class);
  /** An unset slot. Real times are clamped below it. */
  private static final long NONE = Long.MAX_VALUE;
  private static final int NOT_QUEUED = -1;
  /** The index of an entry cancelled while not queued. */
  private static final int CANCELLED = -2;
  /** The early slot never holds an EXPIRY, so this value there marks a queued entry that was cancelled. */
  private static final Kind DEAD = Kind.EXPIRY;
  /**
   * The shortest interval between two wake-ups: 5 ms. Each wake-up of the scheduler thread costs a
   * context switch or two, which on the benchmark machine cost 40-130 µs of CPU per grant when every
   * grant had its own wake-up (BENCHMARKS.md, issue 7); with this window at most 200 wake-ups a second
   * serve any number of grants, and an event fires at most 5 ms after it is due.
   */
  static final long COALESCE_NANOS = 5_000_000L;
  /** Below this many dead entries the heap is not rebuilt. */
  static final int MIN_COMPACT = 64;

  /** What falls due. */
  enum Kind {
    /** The grant's deadline (expiry or idle deadline): end it if it has not been extended. */
    EXPIRY,
    /** Tell the listeners that the grant is about to expire. */
    EXPIRING,
    /** Re-mint a renewing grant's token. */
    REMINT
  }

  /**
   * A grant's place in the timer. Fields are guarded by the timer's lock; an entry belongs to one timer.
   * 40 bytes with compressed oops, instead of two queue entries and an {@link Instant} per event.
   */
  abstract static class Entry {
    private long expiryAt = NONE;
    private long earlyAt = NONE;
    private @Nullable Kind earlyKind;
    /** Tie-break among entries due at the same time: first scheduled, first fired (wraps harmlessly). */
    private int seq;
    private int index = NOT_QUEUED;

    /** The grant this entry is for, for log lines. */
    abstract String grantId();

    private long due() {
      return Math.min(expiryAt, earlyAt);
    }

    private boolean isDead() {
      return earlyKind == DEAD;
    }
  }

  private final GuardedScheduler scheduler;
  private final Clock clock;
  private final Instant origin;
  private final BiConsumer<E, Kind> handler;
  private Entry[] heap = new Entry[64];
  private int size;
  /** How many queued entries are dead (cancelled, still in the heap). */
  private int dead;
  private int seq;
  private Scheduler.@Nullable Cancellable wakeup;
  private long wakeupAt = NONE;
  /** No wake-up before this time: the last wake-up plus {@link #COALESCE_NANOS}. */
  private long notBefore = Long.MIN_VALUE;
  private boolean stopped;

  LifecycleTimer(Scheduler scheduler, Clock clock, BiConsumer<E, Kind> handler) {
    this.scheduler = scheduler instanceof GuardedScheduler g ? g : new GuardedScheduler(scheduler);
    this.clock = clock;
    this.origin = clock.instant();
    this.handler = handler;
  }

  /**
   * Sets the {@code kind} slot of {@code entry} to {@code at}, replacing what that slot held (EXPIRING and
   * REMINT share one slot). Does nothing once the entry was cancelled or the timer stopped.
   */
  synchronized void schedule(E grant, Kind kind, Instant at) {
    Entry entry = grant; // private fields are not reachable through the type variable
    Objects.requireNonNull(kind, "kind");
    if (stopped || entry.index == CANCELLED || entry.isDead()) {
      return;
    }
    long t = Math.min(NONE - 1, nanosSinceOrigin(at));
    if (kind == Kind.EXPIRY) {
      entry.expiryAt = t;
    } else {
      entry.earlyAt = t;
      entry.earlyKind = kind;
    }
    entry.seq = seq++;
    if (entry.index >= 0) {
      int i = entry.index;
      siftUp(i, entry);
      if (entry.index == i) {
        siftDown(i, entry);
      }
    } else {
      offer(entry);
    }
    if (wakeup == null) {
      // nothing pending (the heap was empty, or the scheduler failed last time): wake at the earliest entry
      reschedule(heap[0].due());
    } else if (t < wakeupAt) {
      reschedule(t);
    }
  }

  /**
   * Ends the entry for good: it will not fire (unless it is firing now) and cannot be scheduled again. A
   * queued entry is marked dead in O(1) and leaves the heap later (see the class comment).
   */
  synchronized void cancel(E grant) {
    markCancelled(grant);
    compactIfMostlyDead();
  }

  /**
   * {@link #cancel} for the first {@code count} entries of {@code grants} under one acquisition of the timer's lock (a {@code revokeTask} of ten
   * thousand grants takes it once, not ten thousand times against the scheduler thread and the granting
   * threads), with at most one rebuild of the heap at the end.
   */
  synchronized void cancelAll(E[] grants, int count) {
    for (int i = 0; i < count; i++) {
      markCancelled(grants[i]);
    }
    compactIfMostlyDead();
  }

  private void markCancelled(Entry entry) {
    if (entry.index >= 0) {
      if (!entry.isDead()) {
        entry.earlyKind = DEAD; // keeps its times: its place in the heap must stay valid
        dead++;
      }
    } else {
      entry.index = CANCELLED;
    }
  }

  private void compactIfMostlyDead() {
    if (dead >= MIN_COMPACT && dead > size / 2) {
      compact();
    }
  }

  /** How many grants have a pending event (dead entries not counted). */
  synchronized int size() {
    return size - dead;
  }

  /** How many entries the heap holds, dead ones included; for tests of the memory bound. */
  synchronized int queued() {
    return size;
  }

  /** Rebuilds the heap without its dead entries: O(n). */
  private void compact() {
    int n = 0;
    for (int i = 0; i < size; i++) {
      Entry e = heap[i];
      if (e.isDead()) {
        e.index = CANCELLED;
      } else {
        heap[n++] = e;
      }
    }
    Arrays.fill(heap, n, size, null);
    size = n;
    dead = 0;
    for (int i = 0; i < n; i++) {
      heap[i].index = i;
    }
    for (int i = (n >>> 1) - 1; i >= 0; i--) {
      siftDown(i, heap[i]);
    }
    if (heap.length > 64 && size < heap.length / 4) {
      heap = Arrays.copyOf(heap, Math.max(64, heap.length / 2));
    }
  }

  synchronized void stop() {
    stopped = true;
    if (wakeup != null) {
      wakeup.cancel();
      wakeup = null;
    }
    for (int i = 0; i < size; i++) {
      heap[i].index = heap[i].isDead() ? CANCELLED : NOT_QUEUED;
    }
    Arrays.fill(heap, 0, size, null);
    size = 0;
    dead = 0;
  }

  /**
   * Moves the one outstanding wake-up to {@code at}, but, unless {@code at} has already passed, never
   * earlier than {@link #COALESCE_NANOS} after the last one: events falling due in that window fire
   * together at its end (see the class comment).
   */
  private void reschedule(long at) {
    // an event already due fires at once; one still ahead waits for the end of the window
    long when = at <= nanosSinceOrigin(clock.instant()) ? at : Math.max(at, notBefore);
    if (wakeup != null) {
      if (when >= wakeupAt) {
        return; // already due to wake up by then
      }
      wakeup.cancel();
    }
    wakeup = scheduler.trySchedule(this::fire, toInstant(when));
    // a scheduler that failed leaves no wake-up pending: the next schedule() or fire() tries again
    wakeupAt = wakeup == null ? NONE : when;
  }

  @SuppressWarnings("unchecked")
  private void fire() {
    List<Entry> entries = new ArrayList<>();
    List<Kind> kinds = new ArrayList<>();
    synchronized (this) {
      wakeup = null;
      wakeupAt = NONE;
      long now = nanosSinceOrigin(clock.instant());
      notBefore = now >= NONE - COALESCE_NANOS ? now : now + COALESCE_NANOS;
      while (size > 0 && heap[0].due() <= now) {
        Entry e = heap[0];
        if (e.isDead()) {
          dropDeadTop();
          continue;
        }
        Kind kind;
        if (e.earlyAt <= e.expiryAt) { // at a tie the early event goes first, as it was always scheduled first
          kind = Objects.requireNonNull(e.earlyKind, "earlyKind");
          e.earlyAt = NONE;
          e.earlyKind = null;
        } else {
          kind = Kind.EXPIRY;
          e.expiryAt = NONE;
        }
        if (e.due() == NONE) {
          removeAt(0);
        } else {
          e.seq = seq++;
          siftDown(0, e);
        }
        entries.add(e);
        kinds.add(kind);
      }
      compactIfMostlyDead(); // live entries left by firing: keep dead ones from outnumbering them
    }
    for (int i = 0; i < entries.size(); i++) {
      E e = (E) entries.get(i);
      Kind kind = kinds.get(i);
      try {
        handler.accept(e, kind);
      } catch (RuntimeException ex) {
        LOG.warn("lifecycle event {} for grant {} failed: {}", kind, e.grantId(), ex.getClass().getName());
      }
    }
    synchronized (this) {
      while (size > 0 && heap[0].isDead()) { // no wake-up for a grant that has already ended
        dropDeadTop();
      }
      if (!stopped && size > 0 && heap[0].due() < wakeupAt) {
        reschedule(heap[0].due());
      }
    }
  }

  // ---------------------------------------------------------------- time

  /** Nanoseconds from the origin to {@code at}, clamped to the long range instead of overflowing. */
  private long nanosSinceOrigin(Instant at) {
    long seconds = at.getEpochSecond() - origin.getEpochSecond(); // cannot overflow: |Instant| < 2^55 s
    if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
      return Long.MAX_VALUE;
    }
    if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
      return Long.MIN_VALUE;
    }
    return seconds * 1_000_000_000L + (at.getNano() - origin.getNano());
  }

  /** The instant {@code nanos} after the origin; {@link Instant#MAX} for a saturated (too distant) time. */
  private Instant toInstant(long nanos) {
    if (nanos >= NONE - 1) {
      return Instant.MAX;
    }
    Duration headroom = Duration.between(origin, Instant.MAX);
    if (headroom.compareTo(Duration.ofNanos(nanos)) <= 0) {
      return Instant.MAX;
    }
    return origin.plusNanos(nanos);
  }

  // ---------------------------------------------------------------- binary heap with indexes

  private static boolean before(Entry a, Entry b) {
    long da = a.due();
    long db = b.due();
    return da != db ? da < db : a.seq - b.seq < 0;
  }

  private void offer(Entry e) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size + (size >> 1));
    }
    siftUp(size++, e);
  }

  private void removeAt(int i) {
    Entry gone = heap[i];
    gone.index = NOT_QUEUED;
    int last = --size;
    Entry moved = heap[last];
    heap[last] = null;
    if (i != last) {
      siftDown(i, moved);
      if (moved.index == i) { // it did not move down: it may have to move up
        siftUp(i, moved);
      }
    }
    if (heap.length > 64 && size < heap.length / 4) {
      heap = Arrays.copyOf(heap, Math.max(64, heap.length / 2));
    }
  }

  /** Removes the dead entry at the top of the heap for good. */
  private void dropDeadTop() {
    Entry e = heap[0];
    removeAt(0);
    e.index = CANCELLED;
    dead--;
  }

  private void siftUp(int k, Entry e) {
    while (k > 0) {
      int parent = (k - 1) >>> 1;
      Entry p = heap[parent];
      if (!before(e, p)) {
        break;
      }
      heap[k] = p;
      p.index = k;
      k = parent;
    }
    heap[k] = e;
    e.index = k;
  }

  private void siftDown(int k, Entry e) {
    int half = size >>> 1;
    while (k < half) {
      int child = 2 * k + 1;
      Entry c = heap[child];
      int right = child + 1;
      if (right < size && before(heap[right], c)) {
        child = right;
        c = heap[child];
      }
      if (!before(c, e)) {
        break;
      }
      heap[k] = c;
      c.index = k;
      k = child;
    }
    heap[k] = e;
    e.index = k;
  }
}
