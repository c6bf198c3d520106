package dev.jitaccess.internal;

import static dev.jitaccess.internal.GrantRecords.expired;
import static dev.jitaccess.internal.GrantRecords.live;
import static dev.jitaccess.internal.GrantRecords.revoked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore.InsertResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InMemoryGrantStoreTest {
  private static final Duration RETENTION = Duration.ofSeconds(30);

  private final ManualClock clock = ManualClock.at("2026-03-01T10:00:00Z");
  private final Instant t0 = clock.instant();
  private final InMemoryGrantStore store = new InMemoryGrantStore(clock, clock, RETENTION);
  private ExecutorService pool;

  @AfterEach
  void stopPool() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  private GrantRecord grant(String id, String identity, String task) {
    return live(id, identity, task, t0, t0.plusSeconds(300));
  }

  // --- construction and argument checks ---

  @Test
  void rejectsBadConstructorArguments() {
    assertThatThrownBy(() -> new InMemoryGrantStore(null, clock, RETENTION))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("clock");
    assertThatThrownBy(() -> new InMemoryGrantStore(clock, null, RETENTION))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("scheduler");
    assertThatThrownBy(() -> new InMemoryGrantStore(clock, clock, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retention");
    assertThatThrownBy(() -> new InMemoryGrantStore(clock, clock, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-1S");
  }

  @Test
  void insertRejectsNonLiveRecordsAndBadQuotas() {
    GrantRecord record = grant("g1", "id", "task");
    assertThatThrownBy(() -> store.insert(revoked(record), 5, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("REVOKED");
    assertThatThrownBy(() -> store.insert(record, 0, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPerIdentity")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> store.insert(record, 5, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPerTask")
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> store.insert(null, 5, 5)).isInstanceOf(NullPointerException.class);
    assertThat(store.liveCount()).isZero();
    assertThat(store.find("g1")).isEmpty();
  }

  // --- insert and quotas ---

  @Test
  void insertsAndFinds() {
    GrantRecord record = grant("g1", "spiffe://a", "t1");
    assertThat(store.insert(record, 5, 5)).isEqualTo(InsertResult.INSERTED);
    assertThat(store.find("g1")).contains(record);
    assertThat(store.find("nope")).isEmpty();
    assertThat(store.liveByTask("t1")).containsExactly("g1");
    assertThat(store.liveByIdentity("spiffe://a")).containsExactly("g1");
    assertThat(store.liveByTask("t2")).isEmpty();
    assertThat(store.liveCount()).isEqualTo(1);
  }

  @Test
  void duplicateIdIsRefusedAndChangesNothing() {
    GrantRecord first = grant("g1", "a", "t1");
    store.insert(first, 5, 5);
    assertThat(store.insert(grant("g1", "b", "t2"), 5, 5)).isEqualTo(InsertResult.DUPLICATE);
    assertThat(store.find("g1")).contains(first);
    assertThat(store.liveByIdentity("b")).isEmpty();
    assertThat(store.liveByTask("t2")).isEmpty();
    assertThat(store.liveCount()).isEqualTo(1);
  }

  @Test
  void identityQuotaCountsOnlyLiveGrants() {
    assertThat(store.insert(grant("g1", "a", "t1"), 2, 10)).isEqualTo(InsertResult.INSERTED);
    assertThat(store.insert(grant("g2", "a", "t2"), 2, 10)).isEqualTo(InsertResult.INSERTED);
    assertThat(store.insert(grant("g3", "a", "t3"), 2, 10)).isEqualTo(InsertResult.IDENTITY_QUOTA_EXCEEDED);
    assertThat(store.find("g3")).isEmpty();
    assertThat(store.insert(grant("g3", "b", "t3"), 2, 10)).isEqualTo(InsertResult.INSERTED);

    store.update("g1", GrantRecords::revoked);
    assertThat(store.insert(grant("g4", "a", "t4"), 2, 10)).isEqualTo(InsertResult.INSERTED);
  }

  @Test
  void taskQuotaCountsOnlyLiveGrants() {
    assertThat(store.insert(grant("g1", "a", "t"), 10, 2)).isEqualTo(InsertResult.INSERTED);
    assertThat(store.insert(grant("g2", "b", "t"), 10, 2)).isEqualTo(InsertResult.INSERTED);
    assertThat(store.insert(grant("g3", "c", "t"), 10, 2)).isEqualTo(InsertResult.TASK_QUOTA_EXCEEDED);
    assertThat(store.liveByIdentity("c")).isEmpty();

    store.update("g2", GrantRecords::expired);
    assertThat(store.insert(grant("g3", "c", "t"), 10, 2)).isEqualTo(InsertResult.INSERTED);
  }

  @Test
  void quotaForOneIdentityHoldsUnderEightConcurrentThreads() throws Exception {
    int threads = 8;
    int attemptsPerThread = 50;
    int max = 7;
    Map<InsertResult, AtomicInteger> results = race(threads, attemptsPerThread, (t, n) ->
        store.insert(grant("g-" + t + "-" + n, "spiffe://ci/job", "task-" + t + "-" + n), max, 1_000));

    assertThat(results.get(InsertResult.INSERTED)).hasValue(max);
    assertThat(results.get(InsertResult.IDENTITY_QUOTA_EXCEEDED)).hasValue(threads * attemptsPerThread - max);
    assertThat(store.liveByIdentity("spiffe://ci/job")).hasSize(max);
    assertThat(store.liveCount()).isEqualTo(max);
  }

  @Test
  void quotaForOneTaskHoldsUnderEightConcurrentThreads() throws Exception {
    int threads = 8;
    int attemptsPerThread = 50;
    int max = 5;
    Map<InsertResult, AtomicInteger> results = race(threads, attemptsPerThread, (t, n) ->
        store.insert(grant("g-" + t + "-" + n, "identity-" + t + "-" + n, "deploy-42"), 1_000, max));

    assertThat(results.get(InsertResult.INSERTED)).hasValue(max);
    assertThat(results.get(InsertResult.TASK_QUOTA_EXCEEDED)).hasValue(threads * attemptsPerThread - max);
    assertThat(store.liveByTask("deploy-42")).hasSize(max);
    assertThat(store.liveCount()).isEqualTo(max);
  }

  @Test
  void quotaHoldsWhileEightThreadsInsertAndRevokeConcurrently() throws Exception {
    int max = 3;
    AtomicInteger held = new AtomicInteger();
    AtomicInteger mostHeld = new AtomicInteger();
    Map<InsertResult, AtomicInteger> results = race(8, 200, (t, n) -> {
      String id = "g-" + t + "-" + n;
      InsertResult result = store.insert(grant(id, "spiffe://looping", "task-" + (n % 4)), max, 1_000);
      if (result == InsertResult.INSERTED) {
        // every grant counted in held is LIVE in the store, so held can never pass the quota
        mostHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
        held.decrementAndGet();
        store.update(id, GrantRecords::revoked);
      }
      return result;
    });

    assertThat(mostHeld.get()).isBetween(1, max);
    assertThat(results.get(InsertResult.INSERTED).get()).isPositive();
    assertThat(store.liveCount()).isZero();
    assertThat(store.liveByIdentity("spiffe://looping")).isEmpty();
    assertThat(store.indexKeys()).isZero();
  }

  private interface Attempt {
    InsertResult run(int thread, int attempt);
  }

  private Map<InsertResult, AtomicInteger> race(int threads, int attempts, Attempt attempt) throws Exception {
    Map<InsertResult, AtomicInteger> results = new ConcurrentHashMap<>();
    for (InsertResult r : InsertResult.values()) {
      results.put(r, new AtomicInteger());
    }
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        ready.countDown();
        start.await();
        for (int n = 0; n < attempts; n++) {
          results.get(attempt.run(thread, n)).incrementAndGet();
        }
        return null;
      }));
    }
    assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
    start.countDown();
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    return results;
  }

  // --- update, indexes ---

  @Test
  void revokeTakesTheGrantOutOfTheIndexesButKeepsTheRecord() {
    store.insert(grant("g1", "a", "t"), 5, 5);
    store.insert(grant("g2", "a", "t"), 5, 5);

    Optional<GrantRecord> updated = store.update("g1", GrantRecords::revoked);

    assertThat(updated).get().extracting(GrantRecord::state).isEqualTo(GrantState.REVOKED);
    assertThat(store.find("g1")).get().extracting(GrantRecord::revocationReason)
        .isEqualTo(RevocationReason.EXPLICIT);
    assertThat(store.liveByTask("t")).containsExactly("g2");
    assertThat(store.liveByIdentity("a")).containsExactly("g2");
    assertThat(store.liveCount()).isEqualTo(1);
  }

  @Test
  void expireTakesTheGrantOutOfTheIndexesAndEmptyIndexEntriesGo() {
    store.insert(grant("g1", "a", "t"), 5, 5);
    store.update("g1", GrantRecords::expired);
    assertThat(store.liveByTask("t")).isEmpty();
    assertThat(store.liveByIdentity("a")).isEmpty();
    assertThat(store.liveCount()).isZero();
    assertThat(store.indexKeys()).isZero();
    assertThat(store.find("g1")).get().extracting(GrantRecord::state).isEqualTo(GrantState.EXPIRED);
  }

  @Test
  void updateThatKeepsTheGrantLiveKeepsItIndexed() {
    store.insert(grant("g1", "a", "t"), 5, 5);
    store.update("g1", GrantRecord::withUse);
    store.update("g1", r -> r.withIdleDeadline(t0.plusSeconds(60)));
    assertThat(store.find("g1")).get().extracting(GrantRecord::uses).isEqualTo(1);
    assertThat(store.liveByTask("t")).containsExactly("g1");
    assertThat(store.liveCount()).isEqualTo(1);
  }

  @Test
  void revokingTwiceCountsOnce() {
    store.insert(grant("g1", "a", "t"), 5, 5);
    store.insert(grant("g2", "a", "t"), 5, 5);
    store.update("g1", GrantRecords::revoked);
    store.update("g1", GrantRecords::revoked);
    store.update("g1", GrantRecords::expired);
    assertThat(store.liveCount()).isEqualTo(1);
    assertThat(store.liveByTask("t")).containsExactly("g2");
  }

  @Test
  void updateAppliesTheChangeExactlyOnce() {
    store.insert(grant("g1", "a", "t"), 5, 5);
    AtomicInteger calls = new AtomicInteger();
    store.update("g1", r -> {
      calls.incrementAndGet();
      return r.withUse();
    });
    assertThat(calls).hasValue(1);
  }

  @Test
  void updateOfAMissingGrantIsEmptyAndDoesNotCallTheChange() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(store.update("nope", r -> {
      calls.incrementAndGet();
      return r;
    })).isEmpty();
    assertThat(calls).hasValue(0);
  }

  @Test
  void aRevokedGrantCannotBecomeLiveAgain() {
    store.insert(grant("g1", "a", "t"), 5, 5);
    store.update("g1", GrantRecords::revoked);
    assertThatThrownBy(() -> store.update("g1", r -> r.withState(GrantState.LIVE, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot become LIVE");
    assertThat(store.find("g1")).get().extracting(GrantRecord::state).isEqualTo(GrantState.REVOKED);
    assertThat(store.liveCount()).isZero();
    assertThat(store.liveByTask("t")).isEmpty();
  }

  @Test
  void anUpdateMayNotMoveAGrantToAnotherIdentityTaskOrId() {
    GrantRecord record = grant("g1", "a", "t");
    store.insert(record, 5, 5);
    assertThatThrownBy(() -> store.update("g1", r -> r.withInfo(grant("g1", "b", "t").info())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("identity");
    assertThatThrownBy(() -> store.update("g1", r -> r.withInfo(grant("g1", "a", "u").info())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task");
    assertThatThrownBy(() -> store.update("g1", r -> r.withInfo(grant("g9", "a", "t").info())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("g9");
    assertThatThrownBy(() -> store.update("g1", r -> null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("change returned null");
    assertThat(store.find("g1")).contains(record);
    assertThat(store.liveByTask("t")).containsExactly("g1");
    assertThat(store.liveByIdentity("a")).containsExactly("g1");
  }

  @Test
  void aThrowingChangeLeavesTheRecordAndIndexes() {
    GrantRecord record = grant("g1", "a", "t");
    store.insert(record, 5, 5);
    assertThatThrownBy(() -> store.update("g1", r -> {
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(store.find("g1")).contains(record);
    assertThat(store.liveCount()).isEqualTo(1);
  }

  @Test
  void removeDropsRecordAndIndexEntries() {
    store.insert(grant("g1", "a", "t"), 5, 5);
    store.insert(grant("g2", "a", "t"), 5, 5);
    store.update("g2", GrantRecords::revoked);

    store.remove("g1");
    store.remove("g2");
    store.remove("g1");
    store.remove("never");

    assertThat(store.find("g1")).isEmpty();
    assertThat(store.find("g2")).isEmpty();
    assertThat(store.liveCount()).isZero();
    assertThat(store.indexKeys()).isZero();
    assertThat(store.insert(grant("g1", "a", "t"), 1, 1)).isEqualTo(InsertResult.INSERTED);
  }

  // --- retention ---

  @Test
  void aRecordIsKeptUntilExpiryPlusRetentionAndDroppedThen() {
    Instant expiresAt = t0.plusSeconds(300);
    store.insert(live("g1", "a", "t", t0, expiresAt), 5, 5);
    store.update("g1", GrantRecords::revoked);
    Instant dropAt = expiresAt.plus(RETENTION);

    clock.advanceTo(dropAt.minusNanos(1));
    store.cleanUp();
    assertThat(store.find("g1")).get().extracting(GrantRecord::state).isEqualTo(GrantState.REVOKED);

    clock.advanceTo(dropAt);
    assertThat(store.find("g1")).isEmpty();
  }

  @Test
  void droppingIsPromptThroughTheSchedulerWithoutCleanUp() {
    Instant expiresAt = t0.plusSeconds(300);
    store.insert(live("g1", "a", "t", t0, expiresAt), 5, 5);
    store.insert(live("g2", "a", "t", t0, expiresAt.plusSeconds(3600)), 5, 5);
    store.update("g1", GrantRecords::expired);
    assertThat(clock.pendingTasks()).isPositive();

    clock.advanceTo(expiresAt.plus(RETENTION).plusSeconds(2));

    assertThat(store.storedRecords()).isEqualTo(1);
    assertThat(store.find("g2")).isPresent();
  }

  @Test
  void aRecordStillLiveAtItsDropPointLeavesTheIndexesPromptly() {
    Instant expiresAt = t0.plusSeconds(60);
    store.insert(live("g1", "a", "t", t0, expiresAt), 5, 5);

    clock.advanceTo(expiresAt.plus(RETENTION).plusSeconds(2));

    assertThat(store.find("g1")).isEmpty();
    assertThat(store.storedRecords()).isZero();
    assertThat(store.liveCount()).isZero();
    assertThat(store.liveByTask("t")).isEmpty();
    assertThat(store.liveByIdentity("a")).isEmpty();
    assertThat(store.indexKeys()).isZero();
  }

  @Test
  void updatingOrReinsertingADroppedRecordSeesItGoneAndKeepsIndexesRight() {
    Instant expiresAt = t0.plusSeconds(60);
    store.insert(live("g1", "a", "t", t0, expiresAt), 5, 5);
    Instant dropAt = expiresAt.plus(RETENTION);
    clock.advanceTo(dropAt); // due, but Caffeine has not necessarily evicted it yet

    assertThat(store.update("g1", GrantRecords::revoked)).isEmpty();
    assertThat(store.insert(live("g1", "a", "t", dropAt, dropAt.plusSeconds(60)), 1, 1))
        .isEqualTo(InsertResult.INSERTED);
    assertThat(store.liveCount()).isEqualTo(1);
    assertThat(store.liveByTask("t")).containsExactly("g1");
  }

  @Test
  void aReMintMovesTheDropPoint() {
    Instant expiresAt = t0.plusSeconds(60);
    store.insert(live("g1", "a", "t", t0, expiresAt), 5, 5);
    Instant later = t0.plusSeconds(600);
    store.update("g1", r -> r.withInfo(GrantRecords.info("g1", "a", "t", t0.plusSeconds(30), later)));

    clock.advanceTo(expiresAt.plus(RETENTION).plusSeconds(5));
    store.cleanUp();
    assertThat(store.find("g1")).isPresent();
    assertThat(store.liveCount()).isEqualTo(1);

    clock.advanceTo(later.plus(RETENTION));
    assertThat(store.find("g1")).isEmpty();
  }

  @Test
  void anExpiryAtInstantMaxDoesNotOverflow() {
    store.insert(live("forever", "a", "t", t0, Instant.MAX), 5, 5);
    store.insert(live("nearly", "a", "t", t0, Instant.MAX.minusSeconds(1)), 5, 5);

    clock.advance(Duration.ofDays(365L * 100));
    store.cleanUp();

    assertThat(store.find("forever")).isPresent();
    assertThat(store.find("nearly")).isPresent();
    assertThat(store.liveCount()).isEqualTo(2);
  }

  @Test
  void aClockNearInstantMaxWorks() {
    ManualClock farClock = ManualClock.at(Instant.MAX.minus(Duration.ofDays(2)));
    Instant now = farClock.instant();
    InMemoryGrantStore far = new InMemoryGrantStore(farClock, farClock, Duration.ofDays(7));
    far.insert(live("g1", "a", "t", now, now.plusSeconds(60)), 5, 5);
    far.insert(live("g2", "a", "t", now, Instant.MAX), 5, 5);

    farClock.advance(Duration.ofHours(1));
    far.cleanUp();

    assertThat(far.find("g1")).isPresent();
    assertThat(far.find("g2")).isPresent();
  }

  @Test
  void aClockPastTheYear2262Works() {
    ManualClock farClock = ManualClock.at("2300-01-01T00:00:00Z");
    Instant now = farClock.instant();
    InMemoryGrantStore far = new InMemoryGrantStore(farClock, farClock, Duration.ofSeconds(10));
    far.insert(live("g1", "a", "t", now, now.plusSeconds(60)), 5, 5);

    farClock.advance(Duration.ofSeconds(69));
    assertThat(far.find("g1")).isPresent();
    farClock.advance(Duration.ofSeconds(1));
    assertThat(far.find("g1")).isEmpty();
  }

  @ParameterizedTest(name = "[{index}] {0} + {1} = {2}")
  @CsvSource({"9223372036854775807, 1, 9223372036854775807", "-9223372036854775808, -1, -9223372036854775808",
      "5, -7, -2"})
  void additionSaturates(long a, long b, long sum) {
    assertThat(InMemoryGrantStore.saturatedAdd(a, b)).isEqualTo(sum);
  }

  @ParameterizedTest(name = "[{index}] {0} - {1} = {2}")
  @CsvSource({"-9223372036854775808, 1, -9223372036854775808", "9223372036854775807, -1, 9223372036854775807",
      "5, 7, -2"})
  void subtractionSaturates(long a, long b, long difference) {
    assertThat(InMemoryGrantStore.saturatedSubtract(a, b)).isEqualTo(difference);
  }

  @Test
  void nanosBetweenSaturatesAndIsExactInRange() {
    assertThat(InMemoryGrantStore.nanosBetween(Instant.MIN, Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    assertThat(InMemoryGrantStore.nanosBetween(Instant.MAX, Instant.MIN)).isEqualTo(Long.MIN_VALUE);
    assertThat(InMemoryGrantStore.nanosBetween(t0, t0.plusNanos(1_500_000_001L))).isEqualTo(1_500_000_001L);
    assertThat(InMemoryGrantStore.nanosBetween(t0.plusNanos(999_999_999L), t0.plusSeconds(1))).isEqualTo(1L);
  }

  @Test
  void durationsAndInstantsSaturate() {
    assertThat(InMemoryGrantStore.saturatedNanos(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    assertThat(InMemoryGrantStore.plusSaturated(Instant.MAX.minusSeconds(1), Long.MAX_VALUE)).isEqualTo(Instant.MAX);
    assertThat(InMemoryGrantStore.plusSaturated(t0, 5)).isEqualTo(t0.plusNanos(5));
  }


  @Test
  void toStringShowsNoGrantData() {
    store.insert(grant("secret-looking-id", "a", "t"), 5, 5);
    assertThat(store.toString()).doesNotContain("secret-looking-id").contains("live=1");
  }
  // --- ending in place (endLive changes the slot only, issue 17) ---

  @Test
  void endLiveInPlaceKeepsTheDropPoint() {
    Instant expiresAt = t0.plusSeconds(60);
    store.insert(live("g1", "a", "t", t0, expiresAt), 5, 5);
    assertThat(store.endLive(List.of("g1"), GrantState.REVOKED, RevocationReason.TASK))
        .extracting(GrantRecord::state).containsExactly(GrantState.REVOKED);

    clock.advanceTo(expiresAt.plus(RETENTION).minusNanos(1));
    store.cleanUp();
    assertThat(store.find("g1").map(GrantRecord::state)).contains(GrantState.REVOKED);
    clock.advanceTo(expiresAt.plus(RETENTION));
    assertThat(store.find("g1")).isEmpty();
  }

  @Test
  void aRecordEndedInPlaceAndDroppedLaterLeavesTheIndexesOnlyOnce() {
    store.insert(live("g1", "a", "t", t0, t0.plusSeconds(60)), 5, 5);
    store.insert(live("g2", "a", "t", t0, t0.plusSeconds(600)), 5, 5);
    store.endLive(List.of("g1"), GrantState.EXPIRED, null);
    assertThat(store.liveCount()).isEqualTo(1);

    clock.advanceTo(t0.plusSeconds(60).plus(RETENTION).plusSeconds(5));
    store.cleanUp();
    assertThat(store.find("g1")).isEmpty();
    assertThat(store.liveCount()).isEqualTo(1);
    assertThat(store.liveByTask("t")).containsExactly("g2");
    assertThat(store.liveByIdentity("a")).containsExactly("g2");
  }

  @Test
  void anEndAfterARemoveOrADropEndsNothing() {
    store.insert(live("g1", "a", "t", t0, t0.plusSeconds(60)), 5, 5);
    store.insert(live("g2", "a", "t", t0, t0.plusSeconds(60)), 5, 5);
    store.remove("g1");
    clock.advanceTo(t0.plusSeconds(60).plus(RETENTION)); // g2's drop point, not yet cleaned up
    assertThat(store.endLive(List.of("g1", "g2"), GrantState.REVOKED, RevocationReason.TASK)).isEmpty();
    clock.advance(Duration.ofSeconds(5)); // past Caffeine's eviction granularity
    store.cleanUp();
    assertThat(store.liveCount()).isZero();
    assertThat(store.indexKeys()).isZero();
  }

  @Test
  void anUpdateAfterAnEndInPlaceSeesTheEndedRecordAndCannotReviveIt() {
    GrantRecord g1 = grant("g1", "a", "t");
    store.insert(g1, 5, 5);
    store.endLive(List.of("g1"), GrantState.REVOKED, RevocationReason.IDENTITY);
    List<GrantState> seen = new ArrayList<>();
    store.update("g1", r -> {
      seen.add(r.state());
      return r;
    });
    assertThat(seen).containsExactly(GrantState.REVOKED);
    assertThatThrownBy(() -> store.update("g1", r -> g1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.find("g1").map(GrantRecord::state)).contains(GrantState.REVOKED);
    assertThat(store.liveCount()).isZero();
  }

  @Test
  void anEndInPlaceRacingSingleEndsEndsEachGrantOnce() throws Exception {
    int n = 500;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add("g" + i);
      store.insert(grant("g" + i, "a" + (i % 7), "t"), n, n);
    }
    pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    Future<List<GrantRecord>> bulk = pool.submit(() -> {
      go.await();
      return store.endLive(ids, GrantState.REVOKED, RevocationReason.TASK);
    });
    Future<Integer> single = pool.submit(() -> {
      go.await();
      int changed = 0;
      for (int i = n - 1; i >= 0; i--) {
        boolean[] mine = new boolean[1];
        store.update("g" + i, r -> {
          mine[0] = r.state() == GrantState.LIVE;
          return mine[0] ? expired(r) : r;
        });
        changed += mine[0] ? 1 : 0;
      }
      return changed;
    });
    go.countDown();
    int byBulk = bulk.get(30, TimeUnit.SECONDS).size();
    int bySingle = single.get(30, TimeUnit.SECONDS);
    assertThat(byBulk + bySingle).isEqualTo(n);
    assertThat(store.liveCount()).isZero();
    assertThat(store.liveByTask("t")).isEmpty();
    assertThat(store.indexKeys()).isZero();
  }
}
