package dev.jitaccess.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * In-memory {@link GrantStore} on Caffeine.
 *
 * <h2>Retention</h2>
 * Each record is kept until {@code info().expiresAt() + retention} and dropped at that instant (Caffeine
 * per-entry variable expiry, re-computed on every update, so a re-minted token moves the point). The
 * cache's ticker reads the injected {@link Clock} and its clean-up is paced by the injected
 * {@link Scheduler}, so dropping is prompt (within Caffeine's timer-wheel and pacing granularity of
 * about a second) rather than lazy; {@link #find} never returns a record past its drop point.
 *
 * <p>The ticker counts nanoseconds from the clock's instant when the store was built, not from the
 * epoch: nanoseconds since the epoch run out of {@code long} in 2262, which a test clock can easily
 * pass. All arithmetic saturates instead of overflowing, so a record whose expiry is near
 * {@link Instant#MAX} is simply kept for Caffeine's maximum (about 146 years).
 *
 * <h2>Live grants and indexes</h2>
 * "Live" here means {@code state() == LIVE} and present in the store. It does not look at the clock: a
 * grant whose deadline has passed counts as live (for quotas and {@link #liveByTask}) until the broker
 * moves it to {@link GrantState#EXPIRED}, which its timer does promptly; in the gap a quota errs on the
 * safe side. A record still {@code LIVE} when it is dropped leaves the indexes when Caffeine evicts it,
 * within about a second of its drop point through the scheduler (at once on a {@code cleanUp()}).
 *
 * <p>Each grant's entry is a {@link Slot}, a small mutable holder of its current record. A change goes
 * through Caffeine's per-key {@code computeIfPresent} and the slot's monitor ({@link #update}, which may move
 * the drop point); ending grants ({@link #endLive}) changes only the slot, under its monitor, and writes
 * nothing to the cache, since an end never moves the drop point. The indexes (ids by task, ids by identity =
 * {@code info().subject()}, and the live count) are changed only under a slot's monitor, by the one step
 * that takes its grant out of LIVE or out of the store (an end, a remove, the synchronous eviction listener),
 * so each live record is indexed exactly once and never disagrees with a stored record.
 * Ids enter them only through {@link #insert}, which holds a striped lock for the identity and one for
 * the task while it counts and stores: two inserts for the same identity or task serialise, others do
 * not. Updates only ever take ids out (a grant never becomes live again and never changes its identity,
 * task or id; an update trying to is refused with an exception and changes nothing), so they need no
 * lock beyond Caffeine's.
 *
 * <p>Caffeine maintenance runs on the calling thread (or the scheduler's thread), not on a pool, so
 * nothing here runs on {@code ForkJoinPool.commonPool()}.
 */
public final class InMemoryGrantStore implements GrantStore {
  private static final int STRIPES = 64;

  private final Instant origin;
  private final Duration retention;
  private final long retentionNanos;
  private final Cache<String, Slot> cache;
  /** One-time values (DPoP proof ids) seen by any verifier on this store, until their window ends. */
  private final Cache<String, Long> used;
  private static final int MAX_USED_VALUES = 1_000_000;
  /** The live grants by task, (owner, task) and identity, and their count. */
  private final LiveGrantIndex live = new LiveGrantIndex();
  /** Up to this many ids an index value is an immutable array, past it a set ({@link LiveGrantIndex#SMALL}). */
  static final int SMALL = LiveGrantIndex.SMALL;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  /**
   * Creates the store.
   *
   * @param clock the clock deciding when a record may be dropped
   * @param scheduler paces the prompt clean-up of dropped records
   * @param retention how long past its expiry a record is kept; not negative
   */
  public InMemoryGrantStore(Clock clock, Scheduler scheduler, Duration retention) {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(scheduler, "scheduler");
    this.retention = Objects.requireNonNull(retention, "retention");
    if (retention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative, got " + retention);
    }
    this.retentionNanos = saturatedNanos(retention);
    this.origin = clock.instant();
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    this.cache =
        Caffeine.newBuilder()
            .ticker(() -> nanosBetween(origin, clock.instant()))
            .executor(Runnable::run)
            .scheduler(new CaffeineScheduler(clock, scheduler))
            .expireAfter(new DropAfterExpiry())
            .evictionListener(this::onEvicted)
            .build();
    this.used =
        Caffeine.newBuilder()
            .ticker(() -> nanosBetween(origin, clock.instant()))
            .executor(Runnable::run)
            .maximumSize(MAX_USED_VALUES)
            .expireAfter(new Expiry<String, Long>() {
              @Override
              public long expireAfterCreate(String key, Long untilNanos, long currentTime) {
                return Math.max(0L, saturatedSubtract(untilNanos, currentTime));
              }

              @Override
              public long expireAfterUpdate(String key, Long untilNanos, long currentTime, long currentDuration) {
                return currentDuration;
              }

              @Override
              public long expireAfterRead(String key, Long untilNanos, long currentTime, long currentDuration) {
                return currentDuration;
              }
            })
            .build();
  }

  @Override
  public boolean markUsed(String value, Instant until) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(until, "until");
    return used.asMap().putIfAbsent(value, nanosBetween(origin, until)) == null;
  }

  /**
   * {@inheritDoc}
   *
   * <p>No other instance shares this store's data, so every change is made through this instance and
   * the listener is never called.
   */
  @Override
  public Subscription subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    return () -> {};
  }

  @Override
  public InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask, boolean sharedTask) {
    Objects.requireNonNull(record, "record");
    if (record.state() != GrantState.LIVE) {
      throw new IllegalArgumentException("only a LIVE record can be inserted, got " + record.state());
    }
    if (maxPerIdentity < 1) {
      throw new IllegalArgumentException("maxPerIdentity must be >= 1, got " + maxPerIdentity);
    }
    if (maxPerTask < 1) {
      throw new IllegalArgumentException("maxPerTask must be >= 1, got " + maxPerTask);
    }
    String identity = record.info().subject();
    String task = record.info().taskId();
    int a = stripe(identity);
    int b = stripe(task);
    ReentrantLock first = stripes[Math.min(a, b)];
    ReentrantLock second = a == b ? null : stripes[Math.max(a, b)];
    first.lock();
    try {
      if (second != null) {
        second.lock();
      }
      try {
        InsertResult[] result = {InsertResult.INSERTED};
        cache
            .asMap()
            .compute(
                record.grantId(),
                (id, old) -> {
                  if (old != null) {
                    result[0] = InsertResult.DUPLICATE;
                    return old;
                  }
                  if (live.byIdentity(identity) >= maxPerIdentity) {
                    result[0] = InsertResult.IDENTITY_QUOTA_EXCEEDED;
                    return null;
                  }
                  // the task's stripe is held: no other insert changes its two indexes meanwhile
                  int own = live.ownedTask(record);
                  if (!sharedTask && record.info().parentGrantId().isEmpty() && own == 0 && live.byTask(task) > 0) {
                    result[0] = InsertResult.TASK_BOUND_TO_ANOTHER_OWNER;
                    return null;
                  }
                  if (own >= maxPerTask) {
                    result[0] = InsertResult.TASK_QUOTA_EXCEEDED;
                    return null;
                  }
                  live.index(record);
                  return new Slot(record);
                });
        return result[0];
      } finally {
        if (second != null) {
          second.unlock();
        }
      }
    } finally {
      first.unlock();
    }
  }

  @Override
  public Optional<GrantRecord> find(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    // quietly: a record's drop time never changes on a read (expireAfterRead keeps it) and the cache has no
    // size bound, so a read has nothing to tell the cache's policy; a plain getIfPresent would still queue
    // every read for the policy and drain the queue under the cache's lock on the reading thread, which two
    // threads verifying the same token meet on (issue 17: one token verified from two threads scaled 1.08x).
    // An expired entry is still never returned.
    Slot slot = cache.policy().getIfPresentQuietly(grantId);
    return slot == null ? Optional.empty() : Optional.of(slot.record);
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code change} returns a record with another grant id, identity
   *     or task id, or makes a grant that is not live live again; the record is then left unchanged
   */
  @Override
  public Optional<GrantRecord> update(String grantId, UnaryOperator<GrantRecord> change) {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(change, "change");
    // the same slot is returned, so Caffeine re-computes its drop point from the changed record
    Slot slot = cache.asMap().computeIfPresent(grantId, (id, s) -> s.change(change, live));
    return slot == null ? Optional.empty() : Optional.of(slot.record);
  }

  /** {@inheritDoc} Here as {@link #endLive(Collection, GrantState, RevocationReason, Ending)} does. */
  @Override
  public List<GrantRecord> endLive(Collection<String> grantIds, GrantState state, @Nullable RevocationReason reason) {
    List<GrantRecord> ended = new ArrayList<>(Objects.requireNonNull(grantIds, "grantIds").size());
    endLive(grantIds, state, reason, new Ending<Void>() {
      @Override
      public @Nullable Void before(String grantId) {
        return null;
      }

      @Override
      public void ended(GrantRecord record, @Nullable Void kept) {
        ended.add(record);
      }
    });
    return Collections.unmodifiableList(ended);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here grant by grant, in the order of {@code grantIds}: {@link Ending#before}, the grant's change, then
   * {@link Ending#ended} if it ended, so that the caller's bookkeeping of a grant finds its data still in the
   * processor's caches. Each record changes under its slot's monitor only ({@link Slot#end}): a quiet read of
   * the slot, then one small step that takes it out of the indexes, with no write to the cache (an end never
   * moves the drop point), no lambda, {@code Optional} or flag per grant, the (owner, task) index key made
   * once per task rather than once per grant, and an index set that ids leave shrunk once at the end rather than
   * at each halving ({@link LiveGrantIndex.Bulk}). Issue 17: the Caffeine write per
   * grant (its write buffer, timer-wheel reschedule and maintenance drained on the calling thread) was most of
   * a cold {@code revokeTask}; then its lookups in million-entry maps, each a cache and TLB miss, done once
   * per grant before the store step and again after it.
   */
  @Override
  public <T> int endLive(Collection<String> grantIds, GrantState state, @Nullable RevocationReason reason,
      Ending<T> ending) {
    GrantStore.checkEnd(grantIds, state, reason);
    Objects.requireNonNull(ending, "ending");
    List<String> ids = List.copyOf(grantIds);
    BulkEnd<T> step = new BulkEnd<>(state, reason, ending);
    int ended = 0;
    try {
      // the loop runs once per call, so the interpreter runs it until some 60,000 ids have passed: all of a
      // grant's work is in one call, which the JIT compiles after a few hundred grants
      for (int i = 0, n = ids.size(); i < n; i++) {
        if (step.end(ids.get(i))) {
          ended++;
        }
      }
    } finally {
      step.index.finish();
    }
    return ended;
  }

  /** One {@link #endLive(Collection, GrantState, RevocationReason, Ending)} call's step for each grant. */
  private final class BulkEnd<T> {
    private final GrantState state;
    private final @Nullable RevocationReason reason;
    private final Ending<T> ending;
    final LiveGrantIndex.Bulk index = live.new Bulk();
    private final Policy<String, Slot> policy = cache.policy();

    BulkEnd(GrantState state, @Nullable RevocationReason reason, Ending<T> ending) {
      this.state = state;
      this.reason = reason;
      this.ending = ending;
    }

    /** {@link Ending#before}, the grant's change, then {@link Ending#ended} if it ended; true if it did. */
    boolean end(String id) {
      T kept = ending.before(id);
      // quietly, as find: a read has nothing to tell the cache's policy; a record past its drop point is absent
      Slot slot = policy.getIfPresentQuietly(id);
      GrantRecord after = slot == null ? null : slot.end(state, reason, index);
      if (after == null) {
        return false;
      }
      ending.ended(after, kept);
      return true;
    }
  }

  /**
   * A grant's entry in the cache: its current record, changed in place under this slot's monitor. A slot
   * leaves the indexes exactly once, in the one step that takes its record out of LIVE ({@link #end},
   * {@link #change}) or takes a live record out of the store ({@link #drop}); once dropped it never changes
   * again, so an end racing a drop or a remove is either before it (and reported) or refused.
   */
  private static final class Slot {
    volatile GrantRecord record;
    /** Guarded by this slot's monitor: whether the entry has left the cache (removed or evicted). */
    private boolean gone;

    Slot(GrantRecord record) {
      this.record = record;
    }

    /** Ends a LIVE record as {@code state}; returns the ended record, or null if it was not live or is gone. */
    synchronized @Nullable GrantRecord end(GrantState state, @Nullable RevocationReason reason,
        LiveGrantIndex.Bulk index) {
      GrantRecord old = record;
      if (gone || old.state() != GrantState.LIVE) {
        return null;
      }
      GrantRecord next = old.withState(state, reason);
      record = next;
      index.unindex(old);
      return next;
    }

    /** Applies an update (inside Caffeine's atomic section for the key, so the slot is present); returns this. */
    synchronized Slot change(UnaryOperator<GrantRecord> change, LiveGrantIndex index) {
      GrantRecord old = record;
      GrantRecord next = Objects.requireNonNull(change.apply(old), "change returned null");
      old.checkChangeTo(next);
      if (old.state() == GrantState.LIVE && next.state() != GrantState.LIVE) {
        index.unindex(old);
      }
      record = next;
      return this;
    }

    /** The entry leaves the cache: a record still LIVE leaves the indexes. Idempotent. */
    synchronized void drop(LiveGrantIndex index) {
      if (!gone) {
        gone = true;
        if (record.state() == GrantState.LIVE) {
          index.unindex(record);
        }
      }
    }
  }

  @Override
  public void remove(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    cache
        .asMap()
        .computeIfPresent(
            grantId,
            (id, slot) -> {
              slot.drop(live);
              return null;
            });
  }

  @Override
  public Collection<String> liveByTask(String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    return live.liveByTask(taskId);
  }

  @Override
  public Collection<String> liveByIdentity(String identityId) {
    Objects.requireNonNull(identityId, "identityId");
    return live.liveByIdentity(identityId);
  }

  @Override
  public int liveCount() {
    return live.count();
  }

  /** Runs pending Caffeine maintenance now (drops what is due); for tests. */
  void cleanUp() {
    cache.cleanUp();
  }

  /** How many records the cache holds, dropped-but-not-yet-cleaned ones included; for tests. */
  long storedRecords() {
    return cache.estimatedSize();
  }

  /** How many slots the table of the task's index set has (0 if it has none); for tests of trimming. */
  int taskIndexCapacity(String task) {
    return live.taskCapacity(task);
  }

  /** How many index keys exist (tasks, (owner, task) pairs, identities); empty index sets must not linger. */
  int indexKeys() {
    return live.keys();
  }

  @Override
  public String toString() {
    return "InMemoryGrantStore[live=" + live.count() + ", retention=" + retention + "]";
  }

  /** Caffeine eviction listener: runs inside the atomic removal of a dropped record. */
  private void onEvicted(@Nullable String grantId, @Nullable Slot slot, RemovalCause cause) {
    if (slot != null) {
      slot.drop(live);
    }
  }

  private static int stripe(String key) {
    int h = key.hashCode();
    h ^= h >>> 16;
    return h & (STRIPES - 1);
  }

  /**
   * Nanoseconds from {@code from} to {@code to}, clamped to the long range (about 292 years either way)
   * instead of overflowing.
   */
  static long nanosBetween(Instant from, Instant to) {
    long seconds = to.getEpochSecond() - from.getEpochSecond(); // cannot overflow: |Instant| < 2^55 s
    if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
      return Long.MAX_VALUE;
    }
    if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
      return Long.MIN_VALUE;
    }
    return seconds * 1_000_000_000L + (to.getNano() - from.getNano());
  }

  static long saturatedNanos(Duration duration) {
    long seconds = duration.getSeconds();
    if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
      return Long.MAX_VALUE;
    }
    if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
      return Long.MIN_VALUE;
    }
    return seconds * 1_000_000_000L + duration.getNano();
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    // overflow iff both operands have the sign opposite to the result
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  static long saturatedSubtract(long a, long b) {
    long r = a - b;
    // overflow iff the operands have different signs and the result's sign differs from a's
    if (((a ^ b) & (a ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** When (ticker nanos) a record may be dropped: its expiry plus the retention. */
  long dropAtNanos(GrantRecord record) {
    return saturatedAdd(nanosBetween(origin, record.info().expiresAt()), retentionNanos);
  }

  /** Caffeine expiry: drop at expiresAt + retention, recomputed on create and on every update. */
  private final class DropAfterExpiry implements Expiry<String, Slot> {
    @Override
    public long expireAfterCreate(String key, Slot value, long currentTime) {
      return Math.max(0L, saturatedSubtract(dropAtNanos(value.record), currentTime));
    }

    @Override
    public long expireAfterUpdate(String key, Slot value, long currentTime, long currentDuration) {
      return expireAfterCreate(key, value, currentTime);
    }

    @Override
    public long expireAfterRead(String key, Slot value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /** Adapts Caffeine's scheduler onto jit-core's: a delay becomes an instant of the injected clock. */
  private static final class CaffeineScheduler implements com.github.benmanes.caffeine.cache.Scheduler {
    private final Clock clock;
    private final Scheduler scheduler;

    CaffeineScheduler(Clock clock, Scheduler scheduler) {
      this.clock = clock;
      this.scheduler = scheduler;
    }

    @Override
    public Future<?> schedule(Executor executor, Runnable command, long delay, TimeUnit unit) {
      Instant at = plusSaturated(clock.instant(), unit.toNanos(Math.max(0L, delay)));
      ScheduledRun run = new ScheduledRun();
      run.cancellable =
          scheduler.schedule(
              () -> {
                if (!run.isDone()) {
                  executor.execute(command);
                  run.complete(null);
                }
              },
              at);
      return run;
    }
  }

  /** {@code instant + nanos}, or {@link Instant#MAX} where that would overflow. */
  static Instant plusSaturated(Instant instant, long nanos) {
    Duration headroom = Duration.between(instant, Instant.MAX);
    if (headroom.compareTo(Duration.ofNanos(nanos)) <= 0) {
      return Instant.MAX;
    }
    return instant.plusNanos(nanos);
  }

  /** The future Caffeine holds for a scheduled clean-up; cancelling it cancels the jit-core task. */
  private static final class ScheduledRun extends CompletableFuture<Void> {
    volatile Scheduler.@Nullable Cancellable cancellable;

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      Scheduler.Cancellable c = cancellable;
      if (c != null) {
        c.cancel();
      }
      return cancelled;
    }
  }
}
