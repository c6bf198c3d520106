package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore.InsertResult;
import dev.jitaccess.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three store instances, each with its own pool and feed, on one schema, as three replicas would be:
 * quotas, single use, one-time values and the sweeper hold exactly across them.
 */
class PostgresReplicasStoreTest {
  @RegisterExtension
  static final TestSchema SCHEMA = new TestSchema();
  private final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
  private final List<PostgresGrantStore> replicas = new ArrayList<>();
  private static final AtomicInteger SEQ = new AtomicInteger();

  @BeforeEach
  void openReplicas() {
    SCHEMA.db().execute("TRUNCATE jit_grant, jit_used_value, jit_grant_change");
    for (int i = 0; i < 3; i++) {
      replicas.add(PostgresGrantStore.builder().dataSource(SCHEMA.db().pool("r" + i + "-" + SEQ.incrementAndGet()))
          .listenerDataSource(TestDatabase.direct()).schema(SCHEMA.db().schema).clock(clock)
          .sweepInterval(Duration.ofHours(1)).sweepGrace(Duration.ofSeconds(30)).sweepBatch(25)
          .retention(Duration.ofMinutes(5)).build());
    }
  }

  @AfterEach
  void closeReplicas() {
    replicas.forEach(PostgresGrantStore::close);
  }

  private GrantRecord record(String identity, String task, Duration ttl) {
    int n = SEQ.incrementAndGet();
    Instant now = clock.instant();
    GrantInfo info = GrantInfo.builder().grantId("rep-" + n).subject(identity).issuer("https://jit.test")
        .resource("db://x").actions(Set.of("read")).taskId(task).purpose("p").environment("test")
        .issuedAt(now).expiresAt(now.plus(ttl)).singleUse(true)
        .owner("team-replicas") // one owner: distinct identities share a task (issue 14 #13)
        .build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  /** No lost update: 60 concurrent inserts for one identity, spread over three replicas, never pass 7. */
  @Test
  void theIdentityQuotaIsExactAcrossReplicas() throws Exception {
    List<GrantRecord> records = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      records.add(record("spiffe://example.org/crash-loop", "task-" + i, Duration.ofMinutes(10)));
    }
    List<InsertResult> results = Race.times(12, 60, i -> replicas.get(i % 3).insert(records.get(i), 7, 100));
    assertThat(results.stream().filter(r -> r == InsertResult.INSERTED).count()).isEqualTo(7);
    assertThat(results.stream().filter(r -> r == InsertResult.IDENTITY_QUOTA_EXCEEDED).count()).isEqualTo(53);
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_grant WHERE identity_id = 'spiffe://example.org/crash-loop'")).isEqualTo(7);
  }

  /** The task quota is exact across replicas too, with distinct identities. */
  @Test
  void theTaskQuotaIsExactAcrossReplicas() throws Exception {
    List<GrantRecord> records = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      records.add(record("spiffe://example.org/w" + i, "shared-task", Duration.ofMinutes(10)));
    }
    List<InsertResult> results = Race.times(12, 45, i -> replicas.get(i % 3).insert(records.get(i), 100, 4));
    assertThat(results.stream().filter(r -> r == InsertResult.INSERTED).count()).isEqualTo(4);
    assertThat(replicas.get(1).liveByTask("shared-task")).hasSize(4);
  }

  /** A single-use grant presented at three replicas at once is consumed exactly once. */
  @Test
  void singleUseIsConsumedExactlyOnceAcrossReplicas() throws Exception {
    GrantRecord r = record("spiffe://example.org/a", "t", Duration.ofMinutes(10));
    replicas.get(0).insert(r, 10, 10);
    AtomicInteger consumed = new AtomicInteger();
    Race.times(12, 30, i -> replicas.get(i % 3).update(r.grantId(), rec -> {
      if (rec.uses() == 0) {
        consumed.incrementAndGet();
        return rec.withUse();
      }
      return rec;
    }));
    assertThat(consumed.get()).isEqualTo(1);
    assertThat(replicas.get(2).find(r.grantId()).orElseThrow().uses()).isEqualTo(1);
  }

  /** A DPoP proof id recorded at one replica is refused at the others, whoever races. */
  @Test
  void aOneTimeValueIsAcceptedOnceAcrossReplicas() throws Exception {
    Instant until = clock.instant().plusSeconds(60);
    List<Boolean> firsts = Race.times(12, 30, i -> replicas.get(i % 3).markUsed("proof-jti", until));
    assertThat(firsts.stream().filter(b -> b).count()).isEqualTo(1);
  }

  /** Sweepers on three replicas compete: each expired grant is marked EXPIRED exactly once. */
  @Test
  void theSweeperExpiresEachGrantExactlyOnceAcrossReplicas() throws Exception {
    for (int i = 0; i < 100; i++) {
      replicas.get(i % 3).insert(record("spiffe://example.org/w" + i, "t" + i, Duration.ofSeconds(60)), 10, 10);
    }
    clock.advance(Duration.ofSeconds(90).plusNanos(1));
    List<Integer> counts = Race.times(12, 30, i -> replicas.get(i % 3).sweep());
    assertThat(counts.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_grant WHERE state = 'EXPIRED'")).isEqualTo(100);
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_grant WHERE version <> 2")).isZero();
  }

  /**
   * endLive on three replicas at once, each over the same 300 grants in its own order: no deadlock (rows
   * are locked in id order), and each grant is ended by exactly one call, written once.
   */
  @Test
  void concurrentEndLiveOfTheSameGrantsEndsEachExactlyOnce() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      GrantRecord r = record("spiffe://example.org/e" + i, "bulk", Duration.ofMinutes(5));
      replicas.get(i % 3).insert(r, 10, 1_000);
      ids.add(r.grantId());
    }
    List<List<GrantRecord>> ended = Race.times(12, 6, i -> {
      List<String> order = new ArrayList<>(ids);
      java.util.Collections.shuffle(order, new java.util.Random(i));
      return replicas.get(i % 3).endLive(order, GrantState.REVOKED, RevocationReason.TASK);
    });
    List<String> all = ended.stream().flatMap(List::stream).map(GrantRecord::grantId).toList();
    assertThat(all).hasSize(300).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_grant WHERE state = 'REVOKED' AND revocation_reason = 'TASK'"
        + " AND version = 2")).isEqualTo(300);
    assertThat(replicas.get(1).liveByTask("bulk")).isEmpty();
  }

  /** A sweep handles at most sweepBatch rows; the rest wait for the next one. */
  @Test
  void aSweepIsBounded() {
    for (int i = 0; i < 60; i++) {
      replicas.get(0).insert(record("spiffe://example.org/w" + i, "t" + i, Duration.ofSeconds(60)), 10, 10);
    }
    clock.advance(Duration.ofMinutes(2));
    assertThat(replicas.get(0).sweep()).isEqualTo(25);
    assertThat(replicas.get(1).sweep()).isEqualTo(25);
    assertThat(replicas.get(2).sweep()).isEqualTo(10);
    assertThat(replicas.get(0).sweep()).isZero();
  }

  /** Within the grace the issuing replica's own timer is left to end its grant; one nanosecond later, not. */
  @Test
  void theSweeperLeavesAGrantToItsReplicaDuringTheGrace() {
    GrantRecord r = record("spiffe://example.org/a", "t", Duration.ofSeconds(60));
    replicas.get(0).insert(r, 10, 10);
    clock.advanceTo(r.info().expiresAt().plusSeconds(30).minusNanos(1));
    assertThat(replicas.get(1).sweep()).isZero();
    clock.advance(Duration.ofNanos(1));
    assertThat(replicas.get(1).sweep()).isEqualTo(1);
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_grant WHERE state = 'EXPIRED'")).isEqualTo(1);
    // another replica may answer from its cache until its feed brings the change (the staleness bound)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (replicas.get(2).find(r.grantId()).orElseThrow().state() != GrantState.EXPIRED) {
      assertThat(System.nanoTime()).as("replica 2's feed bringing the expiry").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  /** Ended records are deleted only after expiry plus retention, live ones never; used values after their window. */
  @Test
  void theSweeperDeletesOnlyAfterRetention() {
    GrantRecord ended = record("spiffe://example.org/a", "t", Duration.ofSeconds(60));
    replicas.get(0).insert(ended, 10, 10);
    replicas.get(0).markUsed("jti-old", clock.instant().plusSeconds(10));
    clock.advanceTo(ended.info().expiresAt().plus(Duration.ofMinutes(5)).minusSeconds(1));
    replicas.get(0).sweep(); // expires it, keeps the row
    assertThat(replicas.get(1).find(ended.grantId()).orElseThrow().state()).isEqualTo(GrantState.EXPIRED);
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_used_value")).isZero();
    clock.advance(Duration.ofSeconds(2));
    replicas.get(0).sweep();
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_grant WHERE grant_id = '" + ended.grantId() + "'")).isZero();
  }
}
