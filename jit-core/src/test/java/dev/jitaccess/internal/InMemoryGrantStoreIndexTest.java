package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The compact index values (one id, a small array, a set past {@link InMemoryGrantStore#SMALL}) grow and
 * shrink across every representation without losing or keeping an id, and leave no key behind.
 */
class InMemoryGrantStoreIndexTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Property(tries = 30)
  void indexesFollowInsertsAndEndsAcrossRepresentations(
      @ForAll @IntRange(min = 1, max = 2 * InMemoryGrantStore.SMALL + 10) int grants, @ForAll long seed) {
    ManualClock clock = ManualClock.at(T0.toString());
    InMemoryGrantStore store = new InMemoryGrantStore(clock, clock, Duration.ofSeconds(30));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < grants; i++) {
      String id = "g" + i;
      ids.add(id);
      // every grant in one task; identities alternate so both indexes see big and small values
      assertThat(store.insert(GrantRecords.live(id, "id-" + (i % 3), "task", T0, T0.plusSeconds(3_600)),
          1_000, 1_000)).isEqualTo(GrantStore.InsertResult.INSERTED);
      assertThat(store.liveByTask("task")).hasSize(i + 1);
    }
    assertThat(store.liveByTask("task")).containsExactlyInAnyOrderElementsOf(ids);
    Collections.shuffle(ids, new Random(seed));
    List<String> left = new ArrayList<>(ids);
    for (String id : ids) {
      store.update(id, r -> seed % 2 == 0 ? GrantRecords.revoked(r) : GrantRecords.expired(r));
      left.remove(id);
      assertThat(store.liveByTask("task")).containsExactlyInAnyOrderElementsOf(left);
    }
    assertThat(store.liveCount()).isZero();
    assertThat(store.liveByIdentity("id-0")).isEmpty();
    assertThat(store.indexKeys()).isZero();
  }

  @Property(tries = 10)
  void taskQuotaCountsEveryRepresentation(@ForAll @IntRange(min = 1, max = InMemoryGrantStore.SMALL + 3) int quota) {
    ManualClock clock = ManualClock.at(T0.toString());
    InMemoryGrantStore store = new InMemoryGrantStore(clock, clock, Duration.ofSeconds(30));
    for (int i = 0; i < quota; i++) {
      assertThat(store.insert(GrantRecords.live("g" + i, "id", "task", T0, T0.plusSeconds(60)), 10_000, quota))
          .isEqualTo(GrantStore.InsertResult.INSERTED);
    }
    assertThat(store.insert(GrantRecords.live("over", "id", "task", T0, T0.plusSeconds(60)), 10_000, quota))
        .isEqualTo(GrantStore.InsertResult.TASK_QUOTA_EXCEEDED);
    store.update("g0", GrantRecords::revoked);
    assertThat(store.insert(GrantRecords.live("again", "id", "task", T0, T0.plusSeconds(60)), 10_000, quota))
        .isEqualTo(GrantStore.InsertResult.INSERTED);
  }
}
