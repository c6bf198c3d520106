package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.AuditTrail;
import dev.jitaccess.Decision;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard that a grant row is never committed without its ISSUED audit record when the
 * {@link PostgresGrantStore} and the {@link PostgresAuditSink} share a database: the insert waits
 * uncommitted for the record, both commit together, and an aborted issuance or a failed record leaves
 * neither. On the real server, each test in a fresh schema.
 */
class GrantRowNeverCommittedWithoutIssuedRecordTest {
  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final String AUDIENCE = "jit-broker";
  private final ManualClock clock = ManualClock.at(START);
  private TestDatabase db;
  private DataSource pool;
  private PostgresGrantStore store;
  private PostgresAuditSink sink;

  @BeforeEach
  void freshSchema() {
    db = TestDatabase.migrated();
    pool = db.pool("replica");
    store = PostgresGrantStore.builder().dataSource(pool).schema(db.schema).clock(clock).build();
    sink = PostgresAuditSink.builder().dataSource(pool).schema(db.schema).grantStore(store).build();
  }

  @AfterEach
  void dropSchema() {
    db.close();
  }

  /** A grant of its own identity and task (a waiting insert holds the quota locks of both). */
  private GrantRecord record(String grantId) {
    GrantInfo info = GrantInfo.builder().grantId(grantId).subject("spiffe://example.org/ci/" + grantId)
        .issuer("https://jit.test").resource("db://prod").actions(Set.of("read")).taskId("task-" + grantId)
        .purpose("deploy").environment("prod").issuedAt(START).expiresAt(START.plus(Duration.ofMinutes(5)))
        .ruleIds(List.of("r")).build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  private static AuditEvent issued(String grantId) {
    return new AuditEvent(AuditEventType.ISSUED, START, Map.of(AuditEvent.GRANT_ID, grantId));
  }

  /** Until its ISSUED record, an inserted grant is invisible to every other connection; then both appear. */
  @Test
  void insertCommitsOnlyWithItsIssuedRecord() {
    assertThat(store.insert(record("g1"), 10, 10)).isEqualTo(GrantStore.InsertResult.INSERTED);
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isZero();
    assertThat(store.find("g1")).isEmpty();
    sink.record(issued("g1"));
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit")).isEqualTo(1);
    assertThat(store.find("g1")).isPresent();
    assertThat(sink.verify().intact()).isTrue();
  }

  /** An issuance aborted before its record (the broker removes the grant) leaves no row. */
  @Test
  void abortedIssuanceLeavesNoRow() {
    store.insert(record("g1"), 10, 10);
    store.remove("g1");
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isZero();
    sink.record(issued("g1")); // no parked insert any more: recorded on its own
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isZero();
  }

  /** A record that fails rolls the grant back with it. */
  @Test
  void failedRecordRollsTheGrantBack() {
    store.insert(record("g1"), 10, 10);
    db.execute("ALTER TABLE jit_audit RENAME TO jit_audit_moved");
    assertThatThrownBy(() -> sink.record(issued("g1"))).isInstanceOf(JitException.class);
    db.execute("ALTER TABLE jit_audit_moved RENAME TO jit_audit");
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit")).isZero();
  }

  /** The connection of a waiting insert killed mid-transaction commits nothing, and the record fails. */
  @Test
  void killedConnectionCommitsNeither() {
    store.insert(record("g1"), 10, 10);
    db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction'"
        + " AND datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%" + db.schema + "%jit_insert_grant%'");
    assertThatThrownBy(() -> sink.record(issued("g1"))).isInstanceOf(JitException.class);
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit")).isZero();
  }

  /** An insert whose ISSUED record never comes is rolled back after 30 s (store clock) at the next insert. */
  @Test
  void insertWaitingLongerThanThirtySecondsIsRolledBack() {
    store.insert(record("g1"), 10, 10);
    clock.advance(Duration.ofSeconds(30));
    store.insert(record("g2"), 10, 10);
    assertThat(store.issuanceLink().parkedCount()).isEqualTo(2);
    clock.advance(Duration.ofNanos(1));
    store.insert(record("g3"), 10, 10);
    assertThat(store.issuanceLink().parkedCount()).isEqualTo(2); // g1 rolled back
    sink.record(issued("g1"));
    sink.record(issued("g2"));
    sink.record(issued("g3"));
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isEqualTo(2);
    assertThat(store.find("g1")).isEmpty();
  }

  /** Quota refusals and duplicates park nothing. */
  @Test
  void refusedInsertParksNothing() {
    store.insert(record("g1"), 10, 10);
    sink.record(issued("g1"));
    assertThat(store.insert(record("g1"), 10, 10)).isEqualTo(GrantStore.InsertResult.DUPLICATE);
    GrantRecord sameIdentity = GrantRecord.live(GrantInfo.builder().grantId("g2")
        .subject("spiffe://example.org/ci/g1").issuer("https://jit.test").resource("db://prod")
        .actions(Set.of("read")).taskId("task-g2").purpose("deploy").environment("prod").issuedAt(START)
        .expiresAt(START.plus(Duration.ofMinutes(5))).ruleIds(List.of("r")).build(), null, Instant.MAX);
    assertThat(store.insert(sameIdentity, 1, 10)).isEqualTo(GrantStore.InsertResult.IDENTITY_QUOTA_EXCEEDED);
    assertThat(store.issuanceLink().parkedCount()).isZero();
  }

  /** Through a real broker: an issued grant's row and ISSUED record exist together. */
  @Test
  void brokerIssuesGrantAndRecordInOneTransaction() {
    TestTrustDomain domain = TestTrustDomain.create("example.org", clock);
    try (GrantBroker broker = broker(domain, sink)) {
      Grant grant = broker.request(request(domain));
      assertThat(db.queryLong("SELECT count(*) FROM jit_grant WHERE grant_id = '" + grant.id() + "'")).isEqualTo(1);
      assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%\"type\":\"ISSUED\"%' AND line LIKE '%"
          + grant.id() + "%'")).isEqualTo(1);
      assertThat(sink.verify()).extracting(AuditTrail.Check::intact).isEqualTo(true);
    }
  }

  /** Through a real broker: when the ISSUED record cannot be written, the request is denied and no row stays. */
  @Test
  void brokerDeniesAndLeavesNoRowWhenTheRecordFails() {
    TestTrustDomain domain = TestTrustDomain.create("example.org", clock);
    AuditEventType[] failOn = {AuditEventType.ISSUED};
    PostgresAuditSink real = sink;
    dev.jitaccess.spi.AuditSink failing = e -> {
      if (e.type() == failOn[0]) {
        db.execute("ALTER TABLE jit_audit RENAME TO jit_audit_moved");
        try {
          real.record(e);
        } finally {
          db.execute("ALTER TABLE jit_audit_moved RENAME TO jit_audit");
        }
      } else {
        real.record(e);
      }
    };
    try (GrantBroker broker = broker(domain, failing)) {
      assertThatThrownBy(() -> broker.request(request(domain))).isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("audit");
      assertThat(db.queryLong("SELECT count(*) FROM jit_grant")).isZero();
      assertThat(store.issuanceLink().parkedCount()).isZero();
    }
  }

  private GrantBroker broker(TestTrustDomain domain, dev.jitaccess.spi.AuditSink audit) {
    Decision.Allow allow = new Decision.Allow(GrantTerms.of(Set.of("read"), Duration.ofHours(1)), List.of("allow-all"),
        List.of("test"), "v1");
    return GrantBroker.builder().issuer("https://jit.test").identityVerifier(domain.jwtSvidVerifier(AUDIENCE))
        .policy(context -> allow).store(store).auditSink(audit).clock(clock).scheduler(clock)
        .callbackExecutor(Runnable::run).build();
  }

  private static GrantRequest request(TestTrustDomain domain) {
    return GrantRequest.builder().credential(domain.credential("spiffe://example.org/ci/deploy", AUDIENCE))
        .taskId("task-1").purpose("deploy").resource("db://prod").actions("read").environment("prod")
        .ttl(Duration.ofMinutes(5)).build();
  }
}
