package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.JitException;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore.InsertResult;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Schema V6: the live-grant counters behind the quotas (their upgrade from V5, their clean-up, failing
 * closed when they are out of step) and grant indexes that leave a state change HOT.
 */
class PostgresGrantStoreCountersTest extends CounterTestSupport {
  @Test
  void anUpgradeFromV5CountsTheLiveGrantsAlreadyThere() throws IOException {
    TestDatabase db = database(false);
    List<String> scripts = PostgresSchema.scriptResources();
    assertThat(scripts.get(5)).endsWith("/V6__live_counts.sql");
    for (String path : scripts.subList(0, 5)) {
      db.execute(resource(path));
    }
    for (int i = 0; i < 4; i++) {
      db.execute("INSERT INTO jit_grant (grant_id, identity_id, task_id, state, revocation_reason, issuer, resource,"
          + " actions, purpose, environment, issued_at_s, issued_at_n, expires_at_s, expires_at_n, approvers,"
          + " approved_at_s, approved_at_n, approval_comments, break_glass, single_use, rule_ids, delegators,"
          + " delegations_left, idle_deadline_s, idle_deadline_n, deadline_s, deadline_n, uses) VALUES ('old-" + i
          + "', 'spiffe://example.org/old', 'old-task', " + (i == 3 ? "'REVOKED', 'TASK'" : "'LIVE', NULL")
          + ", 'iss', 'res', '{read}', 'p', 'test', 1767225600, 0, 1767226200, 0, '{}', '{}', '{}', '{}', false,"
          + " false, '{}', '{}', 0, 1767226200, 0, 1767226200, 0, 0)");
    }
    assertThat(PostgresSchema.of(db.pool("upgrade"), db.schema).migrate()).isEqualTo(PostgresSchema.latestVersion());
    assertThat(db.queryLong("SELECT live FROM jit_live_by_identity WHERE identity_id = 'spiffe://example.org/old'"))
        .isEqualTo(3);
    assertThat(db.queryLong("SELECT live FROM jit_live_by_task WHERE task_id = 'old-task'")).isEqualTo(3);
    PostgresGrantStore store = store(db);
    assertThat(store.insert(record("spiffe://example.org/old", "new-task"), 3, 10))
        .isEqualTo(InsertResult.IDENTITY_QUOTA_EXCEEDED);
    assertThat(store.insert(record("spiffe://example.org/other", "old-task"), 10, 10))
        .isEqualTo(InsertResult.TASK_BOUND_TO_ANOTHER_OWNER);
    assertThat(store.insert(record("spiffe://example.org/old", "new-task"), 4, 10)).isEqualTo(InsertResult.INSERTED);
  }

  /** Regression guard: a counter below zero means the counters are out of step, and nothing is ended then. */
  @Test
  void aCounterOutOfStepFailsTheEndClosed() {
    TestDatabase db = database(true);
    PostgresGrantStore store = store(db);
    GrantRecord r = record("spiffe://example.org/skew", "skew-task");
    assertThat(store.insert(r, 10, 10)).isEqualTo(InsertResult.INSERTED);
    db.execute("UPDATE jit_live_by_identity_slot SET live = 0"); // V7: the view jit_live_by_identity sums these
    assertThatThrownBy(() -> store.endLive(List.of(r.grantId()), GrantState.REVOKED, RevocationReason.TASK))
        .isInstanceOf(JitException.class).rootCause().hasMessageContaining("jit_live_by_identity went below zero");
    assertThatThrownBy(() -> store.update(r.grantId(), x -> x.withState(GrantState.EXPIRED, null)))
        .isInstanceOf(JitException.class);
    assertThatThrownBy(() -> store.remove(r.grantId())).isInstanceOf(JitException.class);
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant WHERE state = 'LIVE'")).isEqualTo(1);
  }

  @Test
  void theSweeperDeletesCountersAtZeroAndTheNextInsertCountsAgain() {
    TestDatabase db = database(true);
    PostgresGrantStore store = store(db);
    GrantRecord r = record("spiffe://example.org/zero", "zero-task");
    store.insert(r, 10, 10);
    store.endLive(List.of(r.grantId()), GrantState.REVOKED, RevocationReason.TASK);
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity WHERE live = 0")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_task WHERE live = 0")).isEqualTo(1);
    store.sweep();
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_task")).isZero();
    store.insert(record("spiffe://example.org/zero", "zero-task"), 10, 10);
    assertThat(db.queryLong("SELECT live FROM jit_live_by_identity")).isEqualTo(1);
    assertThat(db.queryLong("SELECT live FROM jit_live_by_task")).isEqualTo(1);
  }

  @Test
  void truncatingTheGrantsEmptiesTheCounters() {
    TestDatabase db = database(true);
    PostgresGrantStore store = store(db);
    store.insert(record("spiffe://example.org/t", "t-task"), 10, 10);
    db.execute("TRUNCATE jit_grant");
    assertThat(db.queryLong("SELECT count(*) FROM jit_live_by_identity")).isZero();
    assertThat(store.insert(record("spiffe://example.org/t", "t-task"), 1, 1)).isEqualTo(InsertResult.INSERTED);
  }

  /**
   * Regression guard for HOT ends: no index of jit_grant names {@code state} (as a column or in a
   * predicate), or every end would write an entry into every index, and pages keep room for new versions.
   */
  @Test
  void noIndexOfTheGrantsNamesTheStateSoAnEndIsAHotUpdate() {
    TestDatabase db = database(true);
    assertThat(db.queryLong("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + db.schema
        + "' AND tablename = 'jit_grant'")).isGreaterThanOrEqualTo(5);
    assertThat(db.queryLong("SELECT count(*) FROM pg_indexes WHERE schemaname = '" + db.schema
        + "' AND tablename = 'jit_grant' AND indexdef LIKE '%state%'")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = '" + db.schema + "' AND c.relname = 'jit_grant' AND 'fillfactor=50' = ANY (c.reloptions)"))
        .isEqualTo(1);
  }
}
