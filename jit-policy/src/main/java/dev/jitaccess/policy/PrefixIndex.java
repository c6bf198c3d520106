package dev.jitaccess.policy;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Buckets of rule ordinals keyed by literal prefixes (the characters of a pattern before its first
 * wildcard). {@link #lookup} hands over the bucket of every key that is a prefix of a string, in one pass
 * over the string and without allocating: it hashes the string incrementally ({@link String#hashCode}'s
 * polynomial) and probes an open-addressing table only at the lengths some key has. Immutable.
 */
final class PrefixIndex {
  /** Receives the buckets a lookup finds. */
  interface Sink {
    /** One bucket of rule ordinals; never null or empty. */
    void visit(int[] bucket);
  }

  static final PrefixIndex EMPTY = of(Map.of());

  private final String[] keys;
  private final int[] hashes;
  private final int[][] buckets;
  private final boolean[] lengths;
  private final int mask;
  private final int size;

  private PrefixIndex(String[] keys, int[] hashes, int[][] buckets, boolean[] lengths, int size) {
    this.keys = keys;
    this.hashes = hashes;
    this.buckets = buckets;
    this.lengths = lengths;
    this.mask = keys.length - 1;
    this.size = size;
  }

  /** An index of these buckets; keys must not be empty, buckets must not be empty. */
  static PrefixIndex of(Map<String, int[]> map) {
    int capacity = 2;
    while (capacity < map.size() * 2) {
      capacity <<= 1;
    }
    String[] keys = new String[capacity];
    int[] hashes = new int[capacity];
    int[][] buckets = new int[capacity][];
    int maxLength = 0;
    for (String k : map.keySet()) {
      maxLength = Math.max(maxLength, k.length());
    }
    boolean[] lengths = new boolean[maxLength + 1];
    for (Map.Entry<String, int[]> e : map.entrySet()) {
      String k = e.getKey();
      if (k.isEmpty() || e.getValue().length == 0) {
        throw new IllegalArgumentException("empty prefix or bucket");
      }
      int h = k.hashCode();
      int slot = spread(h) & (capacity - 1);
      while (keys[slot] != null) {
        slot = (slot + 1) & (capacity - 1);
      }
      keys[slot] = k;
      hashes[slot] = h;
      buckets[slot] = e.getValue();
      lengths[k.length()] = true;
    }
    return new PrefixIndex(keys, hashes, buckets, lengths, map.size());
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Hands {@code sink} the bucket of every key that is a prefix of {@code s} (or equal to it). */
  void lookup(String s, Sink sink) {
    if (size == 0) {
      return;
    }
    int max = Math.min(s.length(), lengths.length - 1);
    int h = 0;
    for (int i = 0; i <= max; i++) {
      if (lengths[i]) {
        int[] bucket = find(s, i, h);
        if (bucket != null) {
          sink.visit(bucket);
        }
      }
      if (i < max) {
        h = 31 * h + s.charAt(i);
      }
    }
  }

  /** The bucket of the key {@code s.substring(0, length)} whose hash is {@code h}, or null. */
  private int @Nullable [] find(String s, int length, int h) {
    int slot = spread(h) & mask;
    while (true) {
      String k = keys[slot];
      if (k == null) {
        return null;
      }
      if (hashes[slot] == h && k.length() == length && s.regionMatches(0, k, 0, length)) {
        return buckets[slot];
      }
      slot = (slot + 1) & mask;
    }
  }
}
