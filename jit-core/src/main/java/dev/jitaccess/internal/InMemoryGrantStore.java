package dev.jitaccess.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>The indexes (ids by task, ids by identity = {@code info().subject()}, and the live count) are
 * changed only inside Caffeine's per-key atomic sections ({@code compute}, {@code computeIfPresent},
 * and the synchronous eviction listener), so they never disagree with a stored record.
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
  private final Cache<String, GrantRecord> cache;
  /** One-time values (DPoP proof ids) seen by any verifier on this store, until their window ends. */
  private final Cache<String, Long> used;
  private static final int MAX_USED_VALUES = 1_000_000;
  /** Live grant ids by task; values as described at {@link #add}. */
  private final ConcurrentMap<String, Object> byTask = new ConcurrentHashMap<>();
  /** Live grant ids by (task owner, task): the key is {@link #taskKey}; values as described at {@link #add}. */
  private final ConcurrentMap<String, Object> byTaskOwner = new ConcurrentHashMap<>();
  /** Live grant ids by identity; values as described at {@link #add}. */
  private final ConcurrentMap<String, Object> byIdentity = new ConcurrentHashMap<>();
  /**
   * Up to this many ids an index value is an immutable array (4 B per id instead of a ~38-B set node; the
   * default quotas are 10 per task and 100 per identity); past it, a concurrent set.
   */
  static final int SMALL = 128;
  private final AtomicInteger live = new AtomicInteger();
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
                  if (size(byIdentity, identity) >= maxPerIdentity) {
                    result[0] = InsertResult.IDENTITY_QUOTA_EXCEEDED;
                    return null;
                  }
                  // the task's stripe is held: no other insert changes its two indexes meanwhile
                  int own = size(byTaskOwner, taskKey(record));
                  if (!sharedTask && record.info().parentGrantId().isEmpty() && own == 0 && size(byTask, task) > 0) {
                    result[0] = InsertResult.TASK_BOUND_TO_ANOTHER_OWNER;
                    return null;
                  }
                  if (own >= maxPerTask) {
                    result[0] = InsertResult.TASK_QUOTA_EXCEEDED;
                    return null;
                  }
                  index(record);
                  return record;
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
    return Optional.ofNullable(cache.getIfPresent(grantId));
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
    return Optional.ofNullable(
        cache
            .asMap()
            .computeIfPresent(
                grantId,
                (id, old) -> {
                  GrantRecord next = Objects.requireNonNull(change.apply(old), "change returned null");
                  old.checkChangeTo(next);
                  if (old.state() == GrantState.LIVE && next.state() != GrantState.LIVE) {
                    unindex(old);
                  }
                  return next;
                }));
  }

  @Override
  public void remove(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    cache
        .asMap()
        .computeIfPresent(
            grantId,
            (id, old) -> {
              if (old.state() == GrantState.LIVE) {
                unindex(old);
              }
              return null;
            });
  }

  @Override
  public Collection<String> liveByTask(String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    return snapshot(byTask.get(taskId));
  }

  @Override
  public Collection<String> liveByIdentity(String identityId) {
    Objects.requireNonNull(identityId, "identityId");
    return snapshot(byIdentity.get(identityId));
  }

  @Override
  public int liveCount() {
    return live.get();
  }

  /** Runs pending Caffeine maintenance now (drops what is due); for tests. */
  void cleanUp() {
    cache.cleanUp();
  }

  /** How many records the cache holds, dropped-but-not-yet-cleaned ones included; for tests. */
  long storedRecords() {
    return cache.estimatedSize();
  }

  /** How many index keys exist (tasks, (owner, task) pairs, identities); empty index sets must not linger. */
  int indexKeys() {
    return byTask.size() + byTaskOwner.size() + byIdentity.size();
  }

  @Override
  public String toString() {
    return "InMemoryGrantStore[live=" + live.get() + ", retention=" + retention + "]";
  }

  /** Caffeine eviction listener: runs inside the atomic removal of a dropped record. */
  private void onEvicted(@Nullable String grantId, @Nullable GrantRecord record, RemovalCause cause) {
    if (record != null && record.state() == GrantState.LIVE) {
      unindex(record);
    }
  }

  private void index(GrantRecord record) {
    add(byIdentity, record.info().subject(), record.grantId());
    add(byTask, record.info().taskId(), record.grantId());
    add(byTaskOwner, taskKey(record), record.grantId());
    live.incrementAndGet();
  }

  private void unindex(GrantRecord record) {
    drop(byIdentity, record.info().subject(), record.grantId());
    drop(byTask, record.info().taskId(), record.grantId());
    drop(byTaskOwner, taskKey(record), record.grantId());
    live.decrementAndGet();
  }

  /** The key of a record in {@link #byTaskOwner}: its task owner's length, the owner, then the task (unambiguous). */
  private static String taskKey(GrantRecord record) {
    String owner = record.taskOwner();
    return owner.length() + ":" + owner + record.info().taskId();
  }

  /**
   * Adds an id to an index value. A value is the single id (a {@code String}: most tasks hold one grant),
   * an immutable {@code String[]} of 2 to {@link #SMALL} ids replaced on every change, or, past that, a
   * concurrent set changed in place and never replaced while it is in the map. A one-grant task thus costs
   * one map node and no set (~32 B instead of ~230 B). Values change only inside the map's atomic
   * {@code compute}, except that an id may be taken out of a set directly (see {@link #drop}); readers
   * outside it see either an immutable value or a concurrent set, so they never need the lock.
   */
  private static void add(ConcurrentMap<String, Object> index, String key, String grantId) {
    index.compute(key, (k, ids) -> plus(ids, grantId));
  }

  private static Object plus(@Nullable Object ids, String grantId) {
    if (ids == null) {
      return grantId;
    }
    if (ids instanceof String one) {
      return new String[] {one, grantId};
    }
    if (ids instanceof String[] few) {
      if (few.length < SMALL) {
        String[] more = Arrays.copyOf(few, few.length + 1);
        more[few.length] = grantId;
        return more;
      }
      Set<String> set = ConcurrentHashMap.newKeySet(2 * SMALL);
      Collections.addAll(set, few);
      set.add(grantId);
      return set;
    }
    setOf(ids).add(grantId);
    return ids;
  }

  /**
   * Takes an id out of an index. From a set it is removed directly (no lock on the key: a revokeTask of a
   * 10,000-grant task would otherwise serialise 10,000 times on one map bin); that is safe because a set is
   * never replaced while in the map and cannot be removed as empty while it still holds this id (each id is
   * dropped once, on its record's one LIVE-to-ended step). Only a set that became empty, and the small
   * immutable values, go through {@code computeIfPresent}.
   */
  private static void drop(ConcurrentMap<String, Object> index, String key, String grantId) {
    Object ids = index.get(key);
    if (ids instanceof Set) {
      Set<String> set = setOf(ids);
      set.remove(grantId);
      if (set.isEmpty()) {
        index.computeIfPresent(key, (k, v) -> v instanceof Set && setOf(v).isEmpty() ? null : v);
      }
      return;
    }
    index.computeIfPresent(key, (k, v) -> minus(v, grantId));
  }

  private static @Nullable Object minus(Object ids, String grantId) {
    if (ids instanceof String one) {
      return one.equals(grantId) ? null : one;
    }
    if (ids instanceof String[] few) {
      int at = -1;
      for (int i = 0; i < few.length; i++) {
        if (few[i].equals(grantId)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return few;
      }
      if (few.length == 2) {
        return few[1 - at];
      }
      String[] fewer = new String[few.length - 1];
      System.arraycopy(few, 0, fewer, 0, at);
      System.arraycopy(few, at + 1, fewer, at, few.length - at - 1);
      return fewer;
    }
    Set<String> set = setOf(ids);
    set.remove(grantId);
    return set.isEmpty() ? null : set;
  }

  @SuppressWarnings("unchecked")
  private static Set<String> setOf(Object ids) {
    return (Set<String>) ids;
  }

  private static int size(ConcurrentMap<String, Object> index, String key) {
    Object ids = index.get(key);
    if (ids == null) {
      return 0;
    }
    if (ids instanceof String) {
      return 1;
    }
    if (ids instanceof String[] few) {
      return few.length;
    }
    return setOf(ids).size();
  }

  private static Collection<String> snapshot(@Nullable Object ids) {
    if (ids == null) {
      return List.of();
    }
    if (ids instanceof String one) {
      return List.of(one);
    }
    if (ids instanceof String[] few) {
      return List.of(few);
    }
    // one copy (List.copyOf of a set copies twice: toArray, then List.of of that array)
    return Collections.unmodifiableList(Arrays.asList(setOf(ids).toArray(new String[0])));
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
  private final class DropAfterExpiry implements Expiry<String, GrantRecord> {
    @Override
    public long expireAfterCreate(String key, GrantRecord value, long currentTime) {
      return Math.max(0L, saturatedSubtract(dropAtNanos(value), currentTime));
    }

    @Override
    public long expireAfterUpdate(String key, GrantRecord value, long currentTime, long currentDuration) {
      return expireAfterCreate(key, value, currentTime);
    }

    @Override
    public long expireAfterRead(String key, GrantRecord value, long currentTime, long currentDuration) {
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
