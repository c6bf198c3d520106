package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Approval;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.JitException;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore.InsertResult;
import dev.jitaccess.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the contract does not cover: exact round trips, one-time values, builder rules, failures. */
class PostgresGrantStoreTest {
  @RegisterExtension
  static final TestSchema SCHEMA = new TestSchema();
  private static DataSource pool;
  private final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");

  @BeforeAll
  static void openPools() {
    pool = SCHEMA.db().pool("store");
  }

  private final List<PostgresGrantStore> opened = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void closeStores() {
    opened.forEach(PostgresGrantStore::close);
  }

  private PostgresGrantStore store() {
    PostgresGrantStore s = PostgresGrantStore.builder().dataSource(pool).listenerDataSource(TestDatabase.direct())
        .schema(SCHEMA.db().schema).clock(clock).build();
    opened.add(s);
    return s;
  }

  static GrantRecord rich(String id) {
    Instant issued = Instant.parse("2026-01-01T00:00:00.123456789Z");
    GrantInfo info = GrantInfo.builder()
        .grantId(id).subject("spiffe://example.org/tool").issuer("https://jit.test").resource("db://orders/eu")
        .actions(Set.of("read", "write", "\u00e9crire")).taskId("task-\u2603").purpose("p 'quoted' \"x\"")
        .environment("prod").owner("team-a").issuedAt(issued).expiresAt(issued.plusSeconds(600))
        .approvalId("appr-1")
        .approvals(List.of(new Approval("alice", issued.minusNanos(7), "ok"), new Approval("bob", issued, "")))
        .breakGlass(true).singleUse(true).ruleIds(List.of("r2", "r1"))
        .delegation("parent-1", List.of("spiffe://example.org/ci", "spiffe://example.org/root"))
        .delegationsLeft(2).certificateThumbprint("x5t").keyThumbprint("jkt")
        .build();
    return new GrantRecord(info, GrantState.LIVE, null, Duration.ofSeconds(30, 5),
        issued.plusSeconds(30).plusNanos(1), 0);
  }

  @Test
  void aRecordComesBackExactlyWithNanosecondsListsAndOptionals() {
    PostgresGrantStore store = store();
    GrantRecord r = rich("rich-1");
    assertThat(store.insert(r, 10, 10)).isEqualTo(InsertResult.INSERTED);
    assertThat(store.find("rich-1")).contains(r);
    GrantRecord revoked = store.update("rich-1", x -> x.withUse().withState(GrantState.REVOKED, RevocationReason.PARENT)).orElseThrow();
    assertThat(store.find("rich-1")).contains(revoked);
    assertThat(revoked.uses()).isEqualTo(1);
  }

  /**
   * Regression guard for the bulk end's binary results and the empty-array reads: endLive returns every
   * field exactly (approvals, delegators, non-ASCII actions), and a record with empty arrays stays empty.
   */
  @Test
  void endLiveReturnsTheRecordExactlyInBinaryAndWithEmptyArrays() {
    PostgresGrantStore store = store();
    GrantRecord r = rich("rich-end");
    GrantRecord plain = GrantRecord.live(rich("plain-end").info().toBuilder().approvalId(null).approvals(List.of())
        .delegation(null, List.of()).ruleIds(List.of()).build(), null, Instant.MAX);
    store.insert(r, 10, 10);
    store.insert(plain, 10, 10);
    assertThat(store.endLive(List.of("rich-end", "plain-end"), GrantState.REVOKED, RevocationReason.TASK))
        .containsExactlyInAnyOrder(r.withState(GrantState.REVOKED, RevocationReason.TASK),
            plain.withState(GrantState.REVOKED, RevocationReason.TASK));
  }

  @Test
  void instantMaxAsIdleDeadlineMeansNever() {
    PostgresGrantStore store = store();
    GrantRecord base = rich("never-1");
    GrantRecord r = GrantRecord.live(base.info(), null, Instant.MAX);
    store.insert(r, 10, 10);
    assertThat(store.find("never-1")).contains(r);
  }

  @Test
  void anUpdateBreakingTheChangeRuleWritesNothing() {
    PostgresGrantStore store = store();
    GrantRecord r = rich("rule-1");
    store.insert(r, 10, 10);
    store.update("rule-1", x -> x.withState(GrantState.EXPIRED, null));
    assertThatThrownBy(() -> store.update("rule-1", x -> x.withState(GrantState.LIVE, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot become LIVE again");
    assertThatThrownBy(() -> store.update("rule-1", x -> x.withInfo(x.info().toBuilder().taskId("other").build())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("task id");
    assertThat(store.find("rule-1").orElseThrow().state()).isEqualTo(GrantState.EXPIRED);
  }

  @Test
  void anUnchangedUpdateWritesNoRow() {
    PostgresGrantStore store = store();
    store.insert(rich("same-1"), 10, 10);
    long before = SCHEMA.db().queryLong("SELECT version FROM jit_grant WHERE grant_id = 'same-1'");
    store.update("same-1", x -> x);
    assertThat(SCHEMA.db().queryLong("SELECT version FROM jit_grant WHERE grant_id = 'same-1'")).isEqualTo(before);
  }

  @Test
  void aOneTimeValueIsRecordedOnceAcrossStoreInstances() {
    PostgresGrantStore a = store();
    PostgresGrantStore b = store();
    Instant until = clock.instant().plusSeconds(60);
    assertThat(a.markUsed("jti-1", until)).isTrue();
    assertThat(b.markUsed("jti-1", until)).isFalse();
    assertThat(a.markUsed("jti-1", until)).isFalse();
    assertThat(b.markUsed("jti-2", until)).isTrue();
  }

  @Test
  void aOneTimeValueMayBeRecordedAgainOnlyAfterItsWindow() {
    PostgresGrantStore store = store();
    Instant until = clock.instant().plusSeconds(60);
    assertThat(store.markUsed("jti-w", until)).isTrue();
    clock.advanceTo(until.minusNanos(1));
    assertThat(store.markUsed("jti-w", until.plusSeconds(60))).isFalse();
    clock.advanceTo(until);
    assertThat(store.markUsed("jti-w", until.plusSeconds(60))).isTrue();
  }

  @Test
  void theStoreKeepsOnlyTheHashOfAOneTimeValue() {
    store().markUsed("secret-looking-value", clock.instant().plusSeconds(60));
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_used_value WHERE position(convert_to('secret-looking', 'UTF8') in value_sha256) > 0")).isZero();
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_used_value WHERE length(value_sha256) = 32")).isPositive();
  }

  @Test
  void badArgumentsAreRefusedWithTheirName() {
    PostgresGrantStore store = store();
    GrantRecord r = rich("bad-1");
    assertThatThrownBy(() -> store.insert(null, 1, 1)).isInstanceOf(NullPointerException.class).hasMessage("record");
    assertThatThrownBy(() -> store.insert(r, 0, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    assertThatThrownBy(() -> store.insert(r, 1, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
    assertThatThrownBy(() -> store.insert(r.withState(GrantState.EXPIRED, null), 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EXPIRED");
    assertThatThrownBy(() -> store.find(null)).isInstanceOf(NullPointerException.class).hasMessage("grantId");
    assertThatThrownBy(() -> store.update("x", null)).isInstanceOf(NullPointerException.class).hasMessage("change");
    assertThatThrownBy(() -> store.markUsed(null, Instant.MAX)).isInstanceOf(NullPointerException.class).hasMessage("value");
    assertThatThrownBy(() -> store.liveByTask(null)).isInstanceOf(NullPointerException.class).hasMessage("taskId");
    assertThat(store.find("bad-1")).isEmpty();
  }

  @Test
  void builderOptionsAreCheckedAndSetOnce() {
    assertThatThrownBy(() -> PostgresGrantStore.builder().build()).isInstanceOf(NullPointerException.class).hasMessage("dataSource");
    assertThatThrownBy(() -> PostgresGrantStore.builder().dataSource(null)).isInstanceOf(NullPointerException.class).hasMessage("dataSource");
    assertThatThrownBy(() -> PostgresGrantStore.builder().dataSource(pool).dataSource(pool))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataSource");
    assertThatThrownBy(() -> PostgresGrantStore.builder().retention(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> PostgresGrantStore.builder().clock(clock).clock(clock)).isInstanceOf(IllegalStateException.class);
  }

  /** Each duration option's rejection names the option and the bad value (StoreConfig, Checks.range). */
  @Test
  void durationOptionsOutOfRangeAreRefusedWithTheBadValue() {
    assertThatThrownBy(() -> PostgresGrantStore.builder().sweepGrace(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("sweepGrace must not be negative, got PT-0.000000001S");
    assertThatThrownBy(() -> PostgresGrantStore.builder().maxStaleness(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxStaleness must be positive, got PT0S");
    assertThatThrownBy(() -> PostgresGrantStore.builder().maxStaleness(Duration.ofHours(1).plusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxStaleness must be at most PT1H, got PT1H0.000000001S");
    assertThatThrownBy(() -> PostgresGrantStore.builder().changeRetention(Duration.ofSeconds(59)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("changeRetention must be at least PT1M, got PT59S");
    assertThatThrownBy(() -> PostgresGrantStore.builder().maxStaleness(null))
        .isInstanceOf(NullPointerException.class).hasMessage("maxStaleness");
    assertThatThrownBy(() -> PostgresGrantStore.builder().dataSource(pool).schema(SCHEMA.db().schema)
        .maxStaleness(Duration.ofSeconds(2)).catchUpInterval(Duration.ofSeconds(2)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("catchUpInterval (PT2S)");
    assertThatThrownBy(() -> store().insert(rich("quota-arg"), Integer.MIN_VALUE, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxPerIdentity must be in [1, 2147483647], got -2147483648");
    // the bounds themselves are accepted
    assertThat(PostgresGrantStore.builder().sweepGrace(Duration.ZERO).maxStaleness(Duration.ofHours(1))
        .changeRetention(Duration.ofMinutes(1))).isNotNull();
  }

  @Test
  void anUnreachableDatabaseFailsClosedWithTheCause() {
    org.postgresql.ds.PGSimpleDataSource nowhere = new org.postgresql.ds.PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none");
    assertThatThrownBy(() -> PostgresGrantStore.builder().dataSource(nowhere).build())
        .isInstanceOf(JitException.class).hasCauseInstanceOf(java.sql.SQLException.class);
  }

  /**
   * Regression guard for the quota rule of jit_insert_grant (V5): its counts are exact only in READ
   * COMMITTED, where each statement after the advisory locks sees every insert committed before them. A
   * connection running another isolation level makes the insert fail closed, naming the grant, and
   * writes nothing.
   */
  @Test
  void anInsertOutsideReadCommittedFailsClosed() {
    org.postgresql.ds.PGSimpleDataSource repeatable = new org.postgresql.ds.PGSimpleDataSource() {
      private static final long serialVersionUID = 1L;

      @Override
      public java.sql.Connection getConnection() throws java.sql.SQLException {
        java.sql.Connection c = super.getConnection();
        c.setTransactionIsolation(java.sql.Connection.TRANSACTION_REPEATABLE_READ);
        return c;
      }
    };
    repeatable.setURL(TestDatabase.URL);
    repeatable.setUser(TestDatabase.USER);
    repeatable.setPassword(TestDatabase.PASSWORD);
    PostgresGrantStore store = PostgresGrantStore.builder().dataSource(repeatable)
        .listenerDataSource(TestDatabase.direct()).schema(SCHEMA.db().schema).clock(clock).build();
    opened.add(store);
    GrantRecord r = rich("isolation-1");
    assertThatThrownBy(() -> store.insert(r, 10, 10)).isInstanceOf(JitException.class)
        .hasMessageContaining("isolation-1").hasMessageContaining("READ COMMITTED")
        .hasCauseInstanceOf(java.sql.SQLException.class);
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_grant WHERE grant_id = 'isolation-1'")).isZero();
    assertThat(store().insert(r, 10, 10)).isEqualTo(InsertResult.INSERTED);
  }

  @Test
  void toStringCarriesNoSecret() {
    assertThat(store().toString()).contains(SCHEMA.db().schema).doesNotContain("jit_test").doesNotContain("password");
  }
}
