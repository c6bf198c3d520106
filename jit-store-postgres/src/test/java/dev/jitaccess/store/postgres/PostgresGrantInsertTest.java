package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore.InsertResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The insert path. Schema V7: inserts of one identity far from its quota share the identity's lock (up to
 * 16 in flight, one insert slot each) and do not wait for each other's commit; near the quota they take it
 * exclusively, so the quota stays exact; the identity's counter is split over rows chosen by grant id. The
 * inserting store caches the committed record.
 */
class PostgresGrantInsertTest extends CounterTestSupport {
  /** The insert slots of jit_insert_grant: an identity at most this far from its quota goes exclusive. */
  private static final int SLOTS = 16;
  private static final String WAITED = "55P03"; // lock_not_available: lock_timeout ran out

  /** A connection in a transaction that gives up waiting for a lock after {@code lockTimeout}. */
  private Connection transaction(String lockTimeout) throws SQLException {
    Connection c = TestDatabase.direct("slots").getConnection();
    opened.add(c);
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("SET lock_timeout = '" + lockTimeout + "'");
    }
    return c;
  }

  /** Regression guard (the point of V7): far from the quota, an insert does not wait for one in flight. */
  @Test
  void anInsertFarFromTheQuotaDoesNotWaitForAnotherInFlight() throws SQLException {
    TestDatabase db = database(true);
    GrantStatements sql = new GrantStatements(db.schema);
    Connection first = transaction("0");
    assertThat(sql.insert(first, record("spiffe://example.org/busy", "t1"), 100, 10, true))
        .isEqualTo(InsertResult.INSERTED);
    Connection second = transaction("2s");
    assertThat(sql.insert(second, record("spiffe://example.org/busy", "t2"), 100, 10, true))
        .isEqualTo(InsertResult.INSERTED);
    second.commit();
    first.commit();
    assertThat(db.queryLong("SELECT live FROM jit_live_by_identity WHERE identity_id = 'spiffe://example.org/busy'"))
        .isEqualTo(2);
  }

  /** Regression guard: near the quota an insert waits until every insert in flight has ended. */
  @Test
  void nearTheQuotaAnInsertWaitsForTheInsertsInFlight() throws SQLException {
    TestDatabase db = database(true);
    GrantStatements sql = new GrantStatements(db.schema);
    Connection first = transaction("0");
    assertThat(sql.insert(first, record("spiffe://example.org/near", "t1"), 100, 10, true))
        .isEqualTo(InsertResult.INSERTED); // shared: 0 + 16 <= 100
    Connection second = transaction("300ms");
    // the same identity with a quota of 16: 0 + 16 > 15 is near, so exclusive, and the first is in flight
    assertThatThrownBy(() -> sql.insert(second, record("spiffe://example.org/near", "t2"), SLOTS - 1, 10, true))
        .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(WAITED);
    second.rollback();
    first.commit();
    assertThat(sql.insert(second, record("spiffe://example.org/near", "t3"), SLOTS - 1, 10, true))
        .isEqualTo(InsertResult.INSERTED);
    second.commit();
  }

  /** Regression guard: an insert that went exclusive near the quota makes a later insert wait, shared or not. */
  @Test
  void anExclusiveInsertInFlightMakesEveryOtherInsertOfTheIdentityWait() throws SQLException {
    TestDatabase db = database(true);
    GrantStatements sql = new GrantStatements(db.schema);
    Connection first = transaction("0");
    assertThat(sql.insert(first, record("spiffe://example.org/excl", "t1"), 1, 10, true))
        .isEqualTo(InsertResult.INSERTED);
    Connection second = transaction("300ms");
    assertThatThrownBy(() -> sql.insert(second, record("spiffe://example.org/excl", "t2"), 1_000, 10, true))
        .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo(WAITED);
    second.rollback();
    first.rollback();
  }

  /**
   * The quota stays exact where inserts move from shared to exclusive: 120 concurrent inserts for one
   * identity with a quota of 40, over two stores (replicas), leave exactly 40.
   */
  @Test
  void theQuotaIsExactWhereInsertsMoveFromSharedToExclusive() throws Exception {
    TestDatabase db = database(true);
    List<PostgresGrantStore> replicas = List.of(store(db), store(db));
    List<GrantRecord> records = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      records.add(record("spiffe://example.org/edge", "edge-" + i));
    }
    List<InsertResult> results = Race.times(8, 120, i -> replicas.get(i % 2).insert(records.get(i), 40, 10));
    assertThat(results.stream().filter(r -> r == InsertResult.INSERTED).count()).isEqualTo(40);
    assertThat(results.stream().filter(r -> r == InsertResult.IDENTITY_QUOTA_EXCEEDED).count()).isEqualTo(80);
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant WHERE identity_id = 'spiffe://example.org/edge'"))
        .isEqualTo(40);
    assertThat(db.queryLong("SELECT live FROM jit_live_by_identity WHERE identity_id = 'spiffe://example.org/edge'"))
        .isEqualTo(40);
  }

  /**
   * Schema V11 reads jit_grant's primary key only when an insert is refused for a quota: a duplicate id is
   * still reported before whichever refusal would apply, and an insert that passes every check is refused
   * by the insert's own conflict; nothing is counted for any of them.
   */
  @Test
  void aDuplicateIdIsReportedBeforeEveryRefusal() {
    TestDatabase db = database(true);
    PostgresGrantStore store = store(db);
    String dup = "spiffe://example.org/dup";
    String other = "spiffe://example.org/dup-other";
    assertThat(store.insert(record("dup-1", dup, "dup-task"), 1, 1)).isEqualTo(InsertResult.INSERTED);
    // without the duplicate id each of these is refused for its own reason (the control) ...
    assertThat(store.insert(record("dup-2", dup, "fresh-task"), 1, 10))
        .isEqualTo(InsertResult.IDENTITY_QUOTA_EXCEEDED);
    assertThat(store.insert(record("dup-3", other, "dup-task"), 10, 10))
        .isEqualTo(InsertResult.TASK_BOUND_TO_ANOTHER_OWNER);
    assertThat(store.insert(record("dup-4", dup, "dup-task"), 10, 1)).isEqualTo(InsertResult.TASK_QUOTA_EXCEEDED);
    // ... and with it, each is a duplicate, as is one that passes every check
    assertThat(store.insert(record("dup-1", dup, "fresh-task"), 1, 10)).isEqualTo(InsertResult.DUPLICATE);
    assertThat(store.insert(record("dup-1", other, "dup-task"), 10, 10)).isEqualTo(InsertResult.DUPLICATE);
    assertThat(store.insert(record("dup-1", dup, "dup-task"), 10, 1)).isEqualTo(InsertResult.DUPLICATE);
    assertThat(store.insert(record("dup-1", other, "fresh-task"), 10, 10)).isEqualTo(InsertResult.DUPLICATE);
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isEqualTo(1);
    assertThat(db.queryLong("SELECT coalesce(sum(live), 0) FROM jit_live_by_identity_slot")).isEqualTo(1);
    assertThat(db.queryLong("SELECT coalesce(sum(live), 0) FROM jit_live_by_task")).isEqualTo(1);
  }

  /** The insert and the end of a grant change the same counter row, so no row ever goes below zero. */
  @Test
  void aGrantIsCountedOnTheRowOfItsIdAndTheSweeperDeletesRowsAtZero() {
    TestDatabase db = database(true);
    PostgresGrantStore store = store(db);
    List<GrantRecord> records = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      GrantRecord r = record("spiffe://example.org/rows", "rows-" + i);
      assertThat(store.insert(r, 100, 10)).isEqualTo(InsertResult.INSERTED);
      records.add(r);
    }
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity_slot")).isGreaterThan(1);
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity_slot s WHERE live <> (SELECT count(*)"
        + " FROM jit_grant g WHERE g.identity_id = s.identity_id AND jit_counter_slot(g.grant_id) = s.slot"
        + " AND g.state = 'LIVE')")).isZero();
    store.endLive(records.stream().map(GrantRecord::grantId).toList(), dev.jitaccess.spi.GrantState.EXPIRED, null);
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity_slot WHERE live <> 0")).isZero();
    store.sweep();
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity_slot")).isZero();
  }

  /** An upgrade from V6 splits the counters over rows by grant id, with the same sums. */
  @Test
  void anUpgradeFromV6SplitsTheCountersAndKeepsTheQuotas() throws Exception {
    TestDatabase db = database(false);
    List<String> scripts = PostgresSchema.scriptResources();
    assertThat(scripts.get(6)).endsWith("/V7__concurrent_identity_inserts.sql");
    try (Connection c = TestDatabase.direct("upgrade").getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL search_path TO " + db.schema);
        for (String path : scripts.subList(0, 6)) {
          s.execute(resource(path));
        }
      }
      c.commit();
    }
    for (int i = 0; i < 21; i++) {
      insertByHand(db, "old-" + i, "spiffe://example.org/old", "old-task-" + i, i < 20);
    }
    assertThat(db.queryLong("SELECT live FROM jit_live_by_identity WHERE identity_id = 'spiffe://example.org/old'"))
        .isEqualTo(20);
    assertThat(PostgresSchema.of(db.pool("upgrade"), db.schema).migrate()).isEqualTo(PostgresSchema.latestVersion());
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity_slot")).isGreaterThan(1);
    assertThat(db.queryLong("SELECT live FROM jit_live_by_identity WHERE identity_id = 'spiffe://example.org/old'"))
        .isEqualTo(20);
    PostgresGrantStore store = store(db);
    assertThat(store.insert(record("spiffe://example.org/old", "new-task"), 20, 10))
        .isEqualTo(InsertResult.IDENTITY_QUOTA_EXCEEDED);
    assertThat(store.insert(record("spiffe://example.org/old", "new-task"), 21, 10)).isEqualTo(InsertResult.INSERTED);
    // each old grant's end takes one from the row the upgrade counted it on
    db.execute("UPDATE jit_grant SET state = 'EXPIRED' WHERE identity_id = 'spiffe://example.org/old' AND state = 'LIVE'");
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity_slot WHERE live <> 0")).isZero();
  }

  /** A grant row written by hand, outside the store (as an older replica or an operator would). */
  private static void insertByHand(TestDatabase db, String grantId, String identity, String task, boolean live) {
    db.execute("INSERT INTO jit_grant (grant_id, identity_id, task_id, state, revocation_reason, issuer, resource,"
        + " actions, purpose, environment, issued_at_s, issued_at_n, expires_at_s, expires_at_n, approvers,"
        + " approved_at_s, approved_at_n, approval_comments, break_glass, single_use, rule_ids, delegators,"
        + " delegations_left, idle_deadline_s, idle_deadline_n, deadline_s, deadline_n, uses) VALUES ('" + grantId
        + "', '" + identity + "', '" + task + "', " + (live ? "'LIVE', NULL" : "'REVOKED', 'TASK'")
        + ", 'iss', 'res', '{read}', 'p', 'test', 1767225600, 0, 1767226200, 0, '{}', '{}', '{}', '{}', false,"
        + " false, '{}', '{}', 0, 1767226200, 0, 1767226200, 0, 0)");
  }

  /**
   * Regression guard for V9 (inserts counted by a row trigger): the counts V8's statement trigger kept
   * carry over, a live row inserted afterwards (by the store or by hand) is counted once on its slot and
   * its (task, owner) row, an ended row inserted by hand is not counted, and ending them all brings every
   * counter back to zero.
   */
  @Test
  void anUpgradeFromV8CountsEachInsertedLiveRowOnce() throws Exception {
    TestDatabase db = database(false);
    List<String> scripts = PostgresSchema.scriptResources();
    assertThat(scripts.get(8)).endsWith("/V9__row_insert_counting.sql");
    try (Connection c = TestDatabase.direct("upgrade").getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL search_path TO " + db.schema);
        for (String path : scripts.subList(0, 8)) {
          s.execute(resource(path));
        }
      }
      c.commit();
    }
    String who = "spiffe://example.org/counted";
    insertByHand(db, "before-1", who, "task-a", true);
    insertByHand(db, "before-2", who, "task-a", true);
    assertThat(PostgresSchema.of(db.pool("upgrade"), db.schema).migrate()).isEqualTo(PostgresSchema.latestVersion());
    insertByHand(db, "after-1", who, "task-a", true);
    insertByHand(db, "after-ended", who, "task-a", false);
    PostgresGrantStore store = store(db);
    assertThat(store.insert(record(who, "task-b"), 100, 100)).isEqualTo(InsertResult.INSERTED);
    assertThat(db.queryLong("SELECT live FROM jit_live_by_identity WHERE identity_id = '" + who + "'"))
        .isEqualTo(4);
    assertThat(db.queryLong("SELECT live FROM jit_live_by_task WHERE task_id = 'task-a' AND owner = '" + who + "'"))
        .isEqualTo(3);
    assertThat(db.queryLong("SELECT live FROM jit_live_by_task WHERE task_id = 'task-b' AND owner = '" + who + "'"))
        .isEqualTo(1);
    // the quota reads the same counters: 4 live, so a fifth fits under 5 and a sixth does not
    assertThat(store.insert(record(who, "task-c"), 5, 100)).isEqualTo(InsertResult.INSERTED);
    assertThat(store.insert(record(who, "task-d"), 5, 100)).isEqualTo(InsertResult.IDENTITY_QUOTA_EXCEEDED);
    db.execute("UPDATE jit_grant SET state = 'EXPIRED' WHERE identity_id = '" + who + "' AND state = 'LIVE'");
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity_slot WHERE live <> 0")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_task WHERE live <> 0")).isZero();
  }

  /** Regression guard: the inserting store caches what it committed, and nothing it did not. */
  @Test
  void theInsertingStoreCachesOnlyACommittedInsert() {
    TestDatabase db = database(true);
    PostgresGrantStore store = store(db);
    RecordCache cache = Objects.requireNonNull(store.cache());
    GrantRecord r = record("spiffe://example.org/cached", "cached-1");
    assertThat(store.insert(r, 1, 10)).isEqualTo(InsertResult.INSERTED);
    assertThat(cache.get(r.grantId())).isEqualTo(r);
    assertThat(store.find(r.grantId())).contains(r);
    GrantRecord refused = record("spiffe://example.org/cached", "cached-2");
    assertThat(store.insert(refused, 1, 10)).isEqualTo(InsertResult.IDENTITY_QUOTA_EXCEEDED);
    assertThat(cache.get(refused.grantId())).isNull();
    assertThat(store.insert(r, 10, 10)).isEqualTo(InsertResult.DUPLICATE);
    store.remove(r.grantId());
    assertThat(cache.get(r.grantId())).isNull();
    assertThat(store.find(r.grantId())).isEmpty();
  }
}
