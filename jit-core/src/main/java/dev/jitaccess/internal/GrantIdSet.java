package dev.jitaccess.internal;

import java.util.Arrays;

/**
 * A set of grant ids, the value of a {@link LiveGrantIndex} key holding more than {@link LiveGrantIndex#SMALL}
 * live grants, every method under this object's monitor. The ids and their hashes sit in two dense arrays
 * (positions 0 to {@code size - 1}); a hash table of positions finds them: open addressing with linear probing,
 * removal by shifting the following entries back (Knuth's algorithm R), so no tombstones build up. A removed
 * id's position is filled by the last id.
 *
 * <p>Issue 17: the concurrent set this replaced kept a node per id, so each removal and each id of a snapshot
 * cost a cache and TLB miss. Here a removal probes one or two slots of arrays that stay in cache, an id is
 * compared by its hash first (no other id's string is read), a snapshot ({@link #toArray}) is one array copy,
 * and a rehash reads the dense arrays, not the whole table. Those matter most in the first {@code revokeTask}
 * of a JVM: a loop that runs once per call is interpreted until it has run some 60,000 times, and a copy of a
 * 10,000-id set over its 32,768-slot table, plus the rehash of each halving of three such tables as a task's
 * ids left them, took some 15 ms of its 40.
 */
final class GrantIdSet {
  /** The smallest table; a power of two. */
  static final int MIN_CAPACITY = 16;

  /**
   * The table: 0 where a slot is free, else one plus the position of its id in {@link #ids}. Its length is a
   * power of two, at least twice {@link #size}.
   */
  private int[] table;
  /** The ids at positions 0 to {@code size - 1}, then null; half as long as {@link #table}. */
  private String[] ids;
  /** {@link #hash} of the id at the same position. */
  private int[] hashes;
  private int size;

  /** An empty set sized for {@code expected} ids without growing. */
  GrantIdSet(int expected) {
    int capacity = MIN_CAPACITY;
    while (capacity < 2 * expected) {
      capacity <<= 1;
    }
    table = new int[capacity];
    ids = new String[capacity >>> 1];
    hashes = new int[capacity >>> 1];
  }

  /** Adds an id; false if it was there. */
  synchronized boolean add(String id) {
    int h = hash(id);
    int i = slot(id, h);
    if (table[i] != 0) {
      return false;
    }
    if (size == ids.length) { // one more would pass half the table
      resize(table.length << 1);
      i = slot(id, h);
    }
    ids[size] = id;
    hashes[size] = h;
    table[i] = ++size;
    return true;
  }

  /** Removes an id; false if it was not there. The table shrinks when it is mostly empty. */
  boolean remove(String id) {
    return remove(id, true) >= 0;
  }

  /**
   * Removes an id under one acquisition of the monitor; returns how many ids are left, or -1 if {@code id} was
   * not there. With {@code shrink} false the table keeps its size (a bulk removal that is likely to empty the
   * set need not rehash it at each halving); {@link #trim} then shrinks it once.
   */
  synchronized int remove(String id, boolean shrink) {
    int h = hash(id);
    int i = slot(id, h);
    int entry = table[i];
    if (entry == 0) {
      return -1;
    }
    shiftBack(i);
    int at = entry - 1;
    int last = --size;
    if (at != last) { // the last id takes the removed one's position; its slot follows it there
      ids[at] = ids[last];
      hashes[at] = hashes[last];
      table[slotOf(last)] = at + 1;
    }
    ids[last] = null;
    hashes[last] = 0;
    if (shrink) {
      trimLocked();
    }
    return size;
  }

  /** Shrinks the table as far as removals one by one would have (see {@link #remove(String, boolean)}). */
  synchronized void trim() {
    trimLocked();
  }

  private void trimLocked() {
    int capacity = table.length;
    while (capacity > MIN_CAPACITY && 8 * size < capacity) {
      capacity >>>= 1;
    }
    if (capacity != table.length) {
      resize(capacity);
    }
  }

  /** How many ids the set holds. */
  synchronized int size() {
    return size;
  }

  /** Whether the set holds no id. */
  synchronized boolean isEmpty() {
    return size == 0;
  }

  /** The ids, a new array (in no particular order). */
  synchronized String[] toArray() {
    return Arrays.copyOf(ids, size);
  }

  /** How many slots the table has; for tests of growing and shrinking. */
  synchronized int capacity() {
    return table.length;
  }

  /**
   * The slot holding {@code id}, or else the free slot ending its run (where it would go). An id is compared
   * by its hash first, so another id's string is read only when the hashes are equal ({@link String#equals}
   * answers at once for the same object).
   */
  private int slot(String id, int h) {
    int mask = table.length - 1;
    int i = h & mask;
    for (int e; (e = table[i]) != 0; i = (i + 1) & mask) {
      if (hashes[e - 1] == h && ids[e - 1].equals(id)) {
        return i;
      }
    }
    return i;
  }

  /** The slot holding position {@code at} (which is in the table). */
  private int slotOf(int at) {
    int mask = table.length - 1;
    int i = hashes[at] & mask;
    while (table[i] != at + 1) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /**
   * Empties slot {@code i} and moves back each following entry of its run that may sit there (its home
   * slot is not cyclically within the gap's successors up to it), so every id stays reachable from its home
   * slot without tombstones.
   */
  private void shiftBack(int i) {
    int mask = table.length - 1;
    int gap = i;
    for (int j = (i + 1) & mask, e; (e = table[j]) != 0; j = (j + 1) & mask) {
      int home = hashes[e - 1] & mask;
      boolean movable = gap <= j ? home <= gap || home > j : home <= gap && home > j;
      if (movable) {
        table[gap] = e;
        gap = j;
      }
    }
    table[gap] = 0;
  }

  /** A new table of {@code capacity} slots (at least twice {@link #size}), filled from the dense arrays. */
  private void resize(int capacity) {
    table = new int[capacity];
    ids = Arrays.copyOf(ids, capacity >>> 1);
    hashes = Arrays.copyOf(hashes, capacity >>> 1);
    int mask = capacity - 1;
    for (int at = 0; at < size; at++) {
      int i = hashes[at] & mask;
      while (table[i] != 0) {
        i = (i + 1) & mask;
      }
      table[i] = at + 1;
    }
  }

  /** The id's hash code, mixed so that its low bits (the home slot) depend on all of its bits. */
  private static int hash(String id) {
    int h = id.hashCode() * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
