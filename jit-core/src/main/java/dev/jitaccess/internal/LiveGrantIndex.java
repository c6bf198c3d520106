package dev.jitaccess.internal;

import dev.jitaccess.spi.GrantRecord;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The live grants of an {@link InMemoryGrantStore} by task, by (task owner, task) and by identity, and their
 * count: what the quotas and {@code revokeTask} read. The store calls {@link #index} and {@link #unindex}
 * inside its atomic record changes, so each live record is indexed exactly once; readers need no lock.
 * The count is a {@link LongAdder}, so that threads granting at once do not all write one counter.
 */
final class LiveGrantIndex {
  /**
   * Up to this many ids an index value is an immutable array (4 B per id instead of 16 B in a
   * {@link GrantIdSet}; the default quotas are 10 per task and 100 per identity); past it, a {@link GrantIdSet}.
   */
  static final int SMALL = 128;

  /** Live grant ids by task; values as described at {@link #add}. */
  private final ConcurrentMap<String, Object> byTask = new ConcurrentHashMap<>();
  /** Live grant ids by (task owner, task): the key is {@link #taskKey}; values as described at {@link #add}. */
  private final ConcurrentMap<String, Object> byTaskOwner = new ConcurrentHashMap<>();
  /** Live grant ids by identity; values as described at {@link #add}. */
  private final ConcurrentMap<String, Object> byIdentity = new ConcurrentHashMap<>();
  private final LongAdder live = new LongAdder();

  /** Indexes a record that just became live (inside the store's atomic insert). */
  void index(GrantRecord record) {
    add(byIdentity, record.info().subject(), record.grantId());
    add(byTask, record.info().taskId(), record.grantId());
    add(byTaskOwner, taskKey(record), record.grantId());
    live.increment();
  }

  /** Takes out a record that is no longer live (on its one LIVE-to-ended step, or when dropped live). */
  void unindex(GrantRecord record) {
    unindex(record, taskKey(record), null);
  }

  /**
   * {@link #unindex(GrantRecord)} with the record's {@link #taskKey}, already made; with {@code bulk}, the sets
   * it takes ids out of keep their tables' size until {@link Bulk#finish}.
   */
  private void unindex(GrantRecord record, String taskKey, @Nullable Bulk bulk) {
    String id = record.grantId();
    drop(byIdentity, record.info().subject(), id, bulk, 0);
    drop(byTask, record.info().taskId(), id, bulk, 1);
    drop(byTaskOwner, taskKey, id, bulk, 2);
    live.decrement();
  }

  /**
   * Takes out, one at a time, records that end together (a {@code revokeTask}'s): as {@link #unindex(GrantRecord)},
   * but the (owner, task) key string is made once per run of records with the same owner and task instead of
   * once per record, and a {@link GrantIdSet} the records leave is shrunk once, when the run of records taking
   * ids out of it ends or at {@link #finish}, instead of at each halving of its size (a task's set that empties
   * is never rehashed). One instance serves one thread; {@link #finish} ends it.
   */
  final class Bulk {
    private @Nullable String owner;
    private @Nullable String task;
    private String key = "";
    /** The set of each index (identity, task, (owner, task)) that the last record left, not yet trimmed. */
    private final @Nullable GrantIdSet[] untrimmed = new GrantIdSet[3];

    /** Takes out a record that is no longer live, as {@link LiveGrantIndex#unindex(GrantRecord)}. */
    void unindex(GrantRecord record) {
      if (!record.taskOwner().equals(owner) || !record.info().taskId().equals(task)) {
        owner = record.taskOwner();
        task = record.info().taskId();
        key = taskKey(record);
      }
      LiveGrantIndex.this.unindex(record, key, this);
    }

    /**
     * An id left {@code set}, the value of index {@code which}, without shrinking it; {@code size} ids are left
     * (none: the set leaves the index and needs no trimming).
     */
    private void left(int which, GrantIdSet set, int size) {
      GrantIdSet before = untrimmed[which];
      if (size == 0) {
        if (before == set) {
          untrimmed[which] = null;
        }
      } else if (before != set) {
        if (before != null) {
          before.trim();
        }
        untrimmed[which] = set;
      }
    }

    /** Shrinks the sets the records left as far as removals one by one would have. */
    void finish() {
      for (int i = 0; i < untrimmed.length; i++) {
        GrantIdSet set = untrimmed[i];
        if (set != null) {
          set.trim();
          untrimmed[i] = null;
        }
      }
    }
  }

  /** How many live grants the identity holds. */
  int byIdentity(String identity) {
    return size(byIdentity, identity);
  }

  /** How many live grants the task holds, whoever owns them. */
  int byTask(String task) {
    return size(byTask, task);
  }

  /** How many live grants the record's task holds under the record's task owner. */
  int ownedTask(GrantRecord record) {
    return size(byTaskOwner, taskKey(record));
  }

  /** The live grant ids of a task, a snapshot. */
  Collection<String> liveByTask(String taskId) {
    return snapshot(byTask.get(taskId));
  }

  /** The live grant ids of an identity, a snapshot. */
  Collection<String> liveByIdentity(String identityId) {
    return snapshot(byIdentity.get(identityId));
  }

  /** How many grants are live (a sum of per-thread cells: no counter all threads write). */
  int count() {
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, live.sum()));
  }

  /** How many slots the table of the task's index value has, 0 when it is not a {@link GrantIdSet}; for tests. */
  int taskCapacity(String task) {
    return byTask.get(task) instanceof GrantIdSet set ? set.capacity() : 0;
  }

  /** How many index keys exist (tasks, (owner, task) pairs, identities); empty index sets must not linger. */
  int keys() {
    return byTask.size() + byTaskOwner.size() + byIdentity.size();
  }

  /** The key of a record in {@link #byTaskOwner}: its task owner's length, the owner, then the task (unambiguous). */
  private static String taskKey(GrantRecord record) {
    String owner = record.taskOwner();
    return owner.length() + ":" + owner + record.info().taskId();
  }

  /**
   * Adds an id to an index value. A value is the single id (a {@code String}: most tasks hold one grant),
   * an immutable {@code String[]} of 2 to {@link #SMALL} ids replaced on every change, or, past that, a
   * {@link GrantIdSet} (thread-safe) changed in place and never replaced while it is in the map. A one-grant
   * task thus costs one map node and no set (~32 B instead of ~230 B). Values change only inside the map's
   * atomic {@code compute}, except that an id may be taken out of a set directly (see {@link #drop}); readers
   * outside it see either an immutable value or a thread-safe set, so they never need the map's lock.
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
      GrantIdSet set = new GrantIdSet(2 * SMALL);
      for (String id : few) {
        set.add(id);
      }
      set.add(grantId);
      return set;
    }
    ((GrantIdSet) ids).add(grantId);
    return ids;
  }

  /**
   * Takes an id out of an index. From a set it is removed directly, under the set's own monitor rather than
   * the map's lock for the key (which the granting threads of other keys in its bin share); that is safe
   * because a set is never replaced while in the map and cannot be removed as empty while it still holds
   * this id (each id is dropped once, on its record's one LIVE-to-ended step). Only a set that became empty,
   * and the small immutable values, go through {@code computeIfPresent}. With {@code bulk} the set keeps its
   * table's size and {@code bulk} remembers it (as the value of index {@code which}) to shrink it later.
   */
  private static void drop(ConcurrentMap<String, Object> index, String key, String grantId, @Nullable Bulk bulk,
      int which) {
    Object ids = index.get(key);
    if (ids instanceof GrantIdSet set) {
      int left = set.remove(grantId, bulk == null); // one acquisition of its monitor: removed, and what is left
      if (bulk != null && left >= 0) {
        bulk.left(which, set, left);
      }
      if (left == 0) {
        index.computeIfPresent(key, (k, v) -> v instanceof GrantIdSet s && s.isEmpty() ? null : v);
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
    GrantIdSet set = (GrantIdSet) ids;
    return set.remove(grantId, true) == 0 || set.isEmpty() ? null : set;
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
    return ((GrantIdSet) ids).size();
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
    // List.of, so that a caller's List.copyOf of the snapshot returns it as it is instead of copying it again
    return List.of(((GrantIdSet) ids).toArray());
  }
}
