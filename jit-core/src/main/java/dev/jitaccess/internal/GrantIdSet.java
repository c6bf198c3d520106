package dev.jitaccess.internal;

/**
 * A set of grant ids, the value of a {@link LiveGrantIndex} key holding more than {@link LiveGrantIndex#SMALL}
 * live grants: open addressing with linear probing over two flat arrays (the ids and their hashes), every
 * method under this object's monitor.
 *
 * <p>Issue 17: the concurrent set it replaces kept a node per id, allocated among the garbage of that grant's
 * issuance, so each removal and each id of a snapshot cost a cache and TLB miss; a {@code revokeTask} of
 * 10,000 grants spent 5 ms copying its task's set and more removing ids from three such sets. Here a removal
 * probes one or two slots of arrays of 8 bytes per slot that stay in cache during a {@code revokeTask}, an id
 * is compared by its hash first (no other id's string is read), and a snapshot reads the array in order.
 * Removal shifts the following entries back (Knuth's algorithm R), so no tombstones build up.
 */
final class GrantIdSet {
  /** The smallest table; a power of two. */
  static final int MIN_CAPACITY = 16;

  /** The ids, null where a slot is free; the length is a power of two, at least twice {@link #size}. */
  private String[] ids;
  /** {@link #hash} of the id in the same slot. */
  private int[] hashes;
  private int size;

  /** An empty set sized for {@code expected} ids without growing. */
  GrantIdSet(int expected) {
    int capacity = MIN_CAPACITY;
    while (capacity < 2 * expected) {
      capacity <<= 1;
    }
    ids = new String[capacity];
    hashes = new int[capacity];
  }

  /** Adds an id; false if it was there. */
  synchronized boolean add(String id) {
    int h = hash(id);
    int i = slot(id, h);
    if (ids[i] != null) {
      return false;
    }
    ids[i] = id;
    hashes[i] = h;
    size++;
    if (2 * size > ids.length) {
      resize(ids.length << 1);
    }
    return true;
  }

  /** Removes an id; false if it was not there. */
  synchronized boolean remove(String id) {
    int i = slot(id, hash(id));
    if (ids[i] == null) {
      return false;
    }
    shiftBack(i);
    size--;
    if (ids.length > MIN_CAPACITY && 8 * size < ids.length) {
      resize(ids.length >>> 1);
    }
    return true;
  }

  /** How many ids the set holds. */
  synchronized int size() {
    return size;
  }

  /** Whether the set holds no id. */
  synchronized boolean isEmpty() {
    return size == 0;
  }

  /**
   * The slot holding {@code id}, or else the free slot ending its run (where it would go). An id is compared
   * by its hash first, so another id's string is read only when the hashes are equal ({@link String#equals}
   * answers at once for the same object).
   */
  private int slot(String id, int h) {
    int mask = ids.length - 1;
    int i = h & mask;
    for (String e; (e = ids[i]) != null; i = (i + 1) & mask) {
      if (hashes[i] == h && e.equals(id)) {
        return i;
      }
    }
    return i;
  }

  /** The ids, a new array (in no particular order). */
  synchronized String[] toArray() {
    String[] out = new String[size];
    int n = 0;
    for (String e : ids) {
      if (e != null) {
        out[n++] = e;
      }
    }
    return out;
  }

  /** How many slots the table has; for tests of growing and shrinking. */
  synchronized int capacity() {
    return ids.length;
  }

  /**
   * Empties slot {@code i} and moves back each following entry of its run that may sit there (its home
   * slot is not cyclically within the gap's successors up to it), so every id stays reachable from its home
   * slot without tombstones.
   */
  private void shiftBack(int i) {
    int mask = ids.length - 1;
    int gap = i;
    for (int j = (i + 1) & mask; ids[j] != null; j = (j + 1) & mask) {
      int home = hashes[j] & mask;
      boolean movable = gap <= j ? home <= gap || home > j : home <= gap && home > j;
      if (movable) {
        ids[gap] = ids[j];
        hashes[gap] = hashes[j];
        gap = j;
      }
    }
    ids[gap] = null;
    hashes[gap] = 0;
  }

  private void resize(int capacity) {
    String[] oldIds = ids;
    int[] oldHashes = hashes;
    ids = new String[capacity];
    hashes = new int[capacity];
    int mask = capacity - 1;
    for (int k = 0; k < oldIds.length; k++) {
      String e = oldIds[k];
      if (e != null) {
        int i = oldHashes[k] & mask;
        while (ids[i] != null) {
          i = (i + 1) & mask;
        }
        ids[i] = e;
        hashes[i] = oldHashes[k];
      }
    }
  }

  /** The id's hash code, mixed so that its low bits (the home slot) depend on all of its bits. */
  private static int hash(String id) {
    int h = id.hashCode() * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
