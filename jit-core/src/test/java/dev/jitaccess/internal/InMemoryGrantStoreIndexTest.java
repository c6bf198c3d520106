package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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

  /**
   * endLive's own change step (LiveGrantIndex.Bulk, one (owner, task) key per run of records) takes what it
   * ended out of every index: across every representation (one id, a small array, a set), for a subset of two
   * tasks' grants that spans several identities and includes an already-ended grant and an unknown id,
   * exactly the ended ones leave, the count follows, and no key is left behind once all have ended.
   */
  @Property(tries = 30)
  void endLiveTakesWhatItEndedOutOfEveryIndex(
      @ForAll @IntRange(min = 1, max = 2 * InMemoryGrantStore.SMALL + 10) int grants, @ForAll long seed) {
    InMemoryGrantStore store =
        new InMemoryGrantStore(ManualClock.at(T0.toString()), ManualClock.at(T0.toString()), Duration.ofSeconds(30));
    List<String> ids = IntStream.range(0, grants).mapToObj(i -> "g" + i).collect(Collectors.toList());
    ids.forEach(id -> assertThat(store.insert(GrantRecords.live(id, "id-" + (id.hashCode() % 3 + 3) % 3,
        id.endsWith("4") ? "other" : "task", T0, T0.plusSeconds(3_600)), 1_000, 1_000))
        .isEqualTo(GrantStore.InsertResult.INSERTED));
    Random random = new Random(seed);
    Collections.shuffle(ids, random);
    store.update(ids.get(0), GrantRecords::expired); // already ended: endLive leaves it out
    List<String> named = new ArrayList<>(ids.subList(0, random.nextInt(ids.size()) + 1));
    named.add("no-such-grant");
    List<dev.jitaccess.spi.GrantRecord> ended =
        store.endLive(named, dev.jitaccess.spi.GrantState.REVOKED, dev.jitaccess.RevocationReason.TASK);
    List<String> endedIds = ended.stream().map(dev.jitaccess.spi.GrantRecord::grantId).toList();
    assertThat(endedIds).containsExactlyInAnyOrderElementsOf(named.subList(1, named.size() - 1));
    List<String> left = new ArrayList<>(ids.subList(named.size() - 1, ids.size()));
    assertThat(store.liveCount()).isEqualTo(left.size());
    List<String> liveNow = new ArrayList<>(store.liveByTask("task"));
    liveNow.addAll(store.liveByTask("other"));
    assertThat(liveNow).containsExactlyInAnyOrderElementsOf(left);
    List<String> byIdentity = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      byIdentity.addAll(store.liveByIdentity("id-" + k));
    }
    assertThat(byIdentity).containsExactlyInAnyOrderElementsOf(left);
    for (String id : endedIds) {
      assertThat(store.find(id)).get().extracting(dev.jitaccess.spi.GrantRecord::state)
          .isEqualTo(dev.jitaccess.spi.GrantState.REVOKED);
    }
    assertThat(store.endLive(named, dev.jitaccess.spi.GrantState.REVOKED, dev.jitaccess.RevocationReason.TASK))
        .as("ending them again ends nothing").isEmpty();
    store.endLive(left, dev.jitaccess.spi.GrantState.EXPIRED, null);
    assertThat(store.liveCount()).isZero();
    assertThat(store.indexKeys()).isZero();
  }

  /**
   * A bulk end leaves an index set's table as it is while it takes ids out, then shrinks it once, as far as
   * removals one by one would have; also when the caller's step throws half-way.
   */
  @org.junit.jupiter.api.Test
  void endLiveShrinksTheSetsItLeftOnceAtTheEnd() {
    InMemoryGrantStore store =
        new InMemoryGrantStore(ManualClock.at(T0.toString()), ManualClock.at(T0.toString()), Duration.ofSeconds(30));
    List<String> big = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      big.add("b" + i);
      store.insert(GrantRecords.live("b" + i, "id", "big", T0, T0.plusSeconds(3_600)), 10_000, 10_000);
      store.insert(GrantRecords.live("o" + i, "id", "other", T0, T0.plusSeconds(3_600)), 10_000, 10_000);
    }
    assertThat(store.taskIndexCapacity("big")).isEqualTo(4_096);
    store.endLive(big.subList(0, 1_900), dev.jitaccess.spi.GrantState.REVOKED, dev.jitaccess.RevocationReason.TASK);
    assertThat(store.liveByTask("big")).containsExactlyInAnyOrderElementsOf(big.subList(1_900, 2_000));
    assertThat(store.taskIndexCapacity("big")).as("100 ids: as one by one, within 8 slots per id").isEqualTo(512);
    assertThat(store.liveByIdentity("id")).hasSize(2_100);

    int[] seen = {0};
    GrantStore.Ending<Void> failing = new GrantStore.Ending<>() {
      @Override
      public Void before(String grantId) {
        return null;
      }

      @Override
      public void ended(dev.jitaccess.spi.GrantRecord record, Void kept) {
        if (++seen[0] == 1_900) {
          throw new IllegalStateException("a caller's step failed");
        }
      }
    };
    List<String> other = IntStream.range(0, 2_000).mapToObj(i -> "o" + i).toList();
    org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(() ->
        store.endLive(other, dev.jitaccess.spi.GrantState.REVOKED, dev.jitaccess.RevocationReason.TASK, failing));
    assertThat(store.liveByTask("other")).containsExactlyInAnyOrderElementsOf(other.subList(1_900, 2_000));
    assertThat(store.taskIndexCapacity("other")).as("trimmed even so").isEqualTo(512);
    store.endLive(other.subList(1_900, 1_990), dev.jitaccess.spi.GrantState.REVOKED,
        dev.jitaccess.RevocationReason.TASK);
    assertThat(store.taskIndexCapacity("other")).isEqualTo(64);
    store.endLive(store.liveByTask("big"), dev.jitaccess.spi.GrantState.REVOKED, dev.jitaccess.RevocationReason.TASK);
    assertThat(store.taskIndexCapacity("big")).isZero();
    assertThat(store.liveByTask("big")).isEmpty();
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
