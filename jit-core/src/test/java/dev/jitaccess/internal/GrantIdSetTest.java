package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link GrantIdSet} (open addressing, backward-shift removal) answers exactly as a {@link HashSet} does through
 * any mix of adds and removes, ids whose hash codes collide included, and its table grows and shrinks with it
 * (at once, or at {@link GrantIdSet#trim} after removals that leave it as it is).
 */
class GrantIdSetTest {

  /**
   * Ids with equal {@code hashCode()}s ("Aa" and "BB" hash alike, so do all strings of the same length made of
   * them) next to ordinary ones, so that runs of colliding entries form, wrap around the table's end and are
   * shifted back on removal.
   */
  private static List<String> universe(int size) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; ids.size() < size / 2; i++) {
      StringBuilder sb = new StringBuilder();
      for (int bit = 0; bit < 13; bit++) { // 8,192 distinct ids
        sb.append((i >> bit & 1) == 0 ? "Aa" : "BB");
      }
      ids.add(sb.toString());
    }
    for (int i = 0; ids.size() < size; i++) {
      ids.add("grant-" + i);
    }
    return ids;
  }

  @Property(tries = 200)
  void behavesAsAHashSet(@ForAll @IntRange(min = 1, max = 300) int universeSize,
      @ForAll @IntRange(min = 0, max = 3_000) int steps, @ForAll long seed) {
    List<String> universe = universe(universeSize);
    Random random = new Random(seed);
    GrantIdSet set = new GrantIdSet(random.nextInt(40));
    Set<String> model = new HashSet<>();
    for (int s = 0; s < steps; s++) {
      // new String: equal ids that are not the same object must match too
      String id = new String(universe.get(random.nextInt(universe.size())));
      // more adds than removes in the first half, more removes in the second: the table grows, then shrinks
      boolean add = random.nextInt(10) < (s < steps / 2 ? 7 : 3);
      int kind = random.nextInt(10);
      if (add) {
        assertThat(set.add(id)).isEqualTo(model.add(id));
      } else if (kind < 4) {
        boolean there = model.remove(id);
        assertThat(set.remove(id)).isEqualTo(there);
        if (there) {
          assertShrunk(set);
        }
      } else {
        // as a bulk end removes: one call says whether it was there and how many are left; the table may stay
        boolean shrink = kind < 6;
        boolean there = model.remove(id);
        assertThat(set.remove(id, shrink)).isEqualTo(there ? model.size() : -1);
        if (shrink && there) {
          assertShrunk(set);
        }
      }
      if (random.nextInt(50) == 0) {
        set.trim();
        assertShrunk(set);
      }
      assertThat(set.size()).isEqualTo(model.size());
      assertThat(set.isEmpty()).isEqualTo(model.isEmpty());
      assertThat(set.capacity()).isGreaterThanOrEqualTo(2 * set.size());
    }
    assertThat(set.toArray()).containsExactlyInAnyOrderElementsOf(model);
  }

  /** The table is no larger than removals one by one leave it: at most eight slots per id, or the smallest. */
  private static void assertShrunk(GrantIdSet set) {
    assertThat(set.capacity() == GrantIdSet.MIN_CAPACITY || 8 * set.size() >= set.capacity())
        .as("capacity %d for %d ids", set.capacity(), set.size()).isTrue();
  }

  @Test
  void tableShrinksBackWhenEmptied() {
    GrantIdSet set = new GrantIdSet(0);
    assertThat(set.capacity()).isEqualTo(GrantIdSet.MIN_CAPACITY);
    List<String> ids = universe(10_000);
    ids.forEach(set::add);
    assertThat(set.size()).isEqualTo(10_000);
    assertThat(set.capacity()).isEqualTo(32_768);
    ids.forEach(id -> assertThat(set.remove(id)).isTrue());
    assertThat(set.isEmpty()).isTrue();
    assertThat(set.capacity()).isEqualTo(GrantIdSet.MIN_CAPACITY);
    assertThat(set.toArray()).isEmpty();
  }

  @Test
  void removalWithoutShrinkingKeepsTheTableUntilTrimmed() {
    GrantIdSet set = new GrantIdSet(0);
    List<String> ids = universe(10_000);
    ids.forEach(set::add);
    for (int i = 0; i < 9_000; i++) {
      assertThat(set.remove(ids.get(i), false)).isEqualTo(9_999 - i);
    }
    assertThat(set.remove(ids.get(0), false)).isEqualTo(-1);
    assertThat(set.capacity()).isEqualTo(32_768);
    assertThat(set.toArray()).containsExactlyInAnyOrderElementsOf(ids.subList(9_000, 10_000));
    set.trim();
    assertThat(set.capacity()).isEqualTo(4_096); // as removals one by one: the largest table within 8 slots per id
    assertThat(set.toArray()).containsExactlyInAnyOrderElementsOf(ids.subList(9_000, 10_000));
    ids.subList(9_000, 10_000).forEach(id -> assertThat(set.remove(id)).isTrue());
    assertThat(set.capacity()).isEqualTo(GrantIdSet.MIN_CAPACITY);
  }
}
