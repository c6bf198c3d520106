package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bulk ends announced before they are written (schema V10): once {@code jit_announce_end} has committed, every
 * replica's reads show the named live grants ended and every verifier refuses them, though their rows are
 * still LIVE; no listener hears of them until the end is written; an announcement whose replica never wrote
 * the end (it died, or its transaction failed) keeps them refused until a sweeper on any replica completes it,
 * exactly once, with its audit records.
 */
class PostgresAnnouncedEndTest {
  private static final String AUDIENCE = "jit-broker";

  private final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  private final TestTrustDomain td = TestTrustDomain.create("example.org", clock);
  private final List<Replica> replicas = new ArrayList<>();
  private TestDatabase db;

  /** One replica: its own pool, store (with feed and sweeper), linked audit sink and broker. */
  record Replica(PostgresGrantStore store, PostgresAuditSink sink, GrantBroker broker, List<String> events) {
    long count(String prefix) {
      return events.stream().filter(e -> e.startsWith(prefix)).count();
    }

    void stop() {
      broker.close();
      store.close();
    }
  }

  @AfterEach
  void stop() {
    replicas.forEach(Replica::stop);
    if (db != null) {
      db.close();
    }
  }

  /**
   * The data source of replica 0 in {@link #start}: passes connections through until {@link #failAfter}
   * arms it, then gives that many more and refuses the rest, as a database that became unreachable would.
   */
  static final class Failing implements javax.sql.DataSource {
    private final javax.sql.DataSource delegate;
    private final java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(-1);

    Failing(javax.sql.DataSource delegate) {
      this.delegate = delegate;
    }

    void failAfter(int connections) {
      left.set(connections);
    }

    void heal() {
      left.set(-1);
    }

    @Override
    public Connection getConnection() throws java.sql.SQLException {
      if (left.getAndUpdate(n -> n > 0 ? n - 1 : n) == 0) {
        throw new java.sql.SQLException("connection refused (test)", "08001");
      }
      return delegate.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws java.sql.SQLException {
      throw new java.sql.SQLException("not used");
    }

    @Override
    public java.io.PrintWriter getLogWriter() throws java.sql.SQLException {
      return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) throws java.sql.SQLException {
      delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws java.sql.SQLException {
      delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws java.sql.SQLException {
      return delegate.getLoginTimeout();
    }

    @Override
    public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException {
      return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws java.sql.SQLException {
      return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws java.sql.SQLException {
      return delegate.isWrapperFor(iface);
    }
  }

  private Failing failing;

  private void start(int n, Duration sweepGrace) {
    db = TestDatabase.migrated();
    failing = new Failing(db.pool("r0"));
    for (int i = 0; i < n; i++) {
      PostgresGrantStore store = PostgresGrantStore.builder().dataSource(i == 0 ? failing : db.pool("r" + i))
          .listenerDataSource(TestDatabase.direct()).schema(db.schema).clock(clock).sweepGrace(sweepGrace)
          .sweepInterval(Duration.ofDays(1)).build();
      PostgresAuditSink sink = PostgresAuditSink.builder().dataSource(db.pool("a" + i)).schema(db.schema)
          .grantStore(store).build();
      List<String> events = new CopyOnWriteArrayList<>();
      GrantBroker broker = GrantBroker.builder().issuer("https://jit.test")
          .identityVerifier(td.jwtSvidVerifier(AUDIENCE))
          .policy(TestPolicies.work())
          .store(store).auditSink(sink).listener(recorder(events)).clock(clock).scheduler(clock)
          .callbackExecutor(Runnable::run).signingKey(PostgresReplicasBrokerTest.SIGNING_KEY)
          .maxGrantsPerIdentity(100).build();
      replicas.add(new Replica(store, sink, broker, events));
    }
  }

  private static GrantListener recorder(List<String> events) {
    return new GrantListener() {
      @Override
      public void onRevoked(GrantInfo grant, RevocationReason reason) {
        events.add("revoked:" + grant.grantId() + ":" + reason);
      }

      @Override
      public void onExpired(GrantInfo grant) {
        events.add("expired:" + grant.grantId());
      }
    };
  }

  private Replica r(int i) {
    return replicas.get(i);
  }

  private Grant issue(int replica, String task) {
    return r(replica).broker.request(GrantRequest.builder()
        .credential(td.credential("spiffe://example.org/job/" + task, AUDIENCE)).purpose("work")
        .resource("db://orders").actions("read").environment("prod").taskId(task).ttl(Duration.ofMinutes(5)).build());
  }

  private Verification verifyAt(int replica, Grant g) {
    return r(replica).broker.verifier().verify(g.token(), "db://orders");
  }

  private long rowsIn(String state, List<Grant> grants) {
    return db.queryLong("SELECT count(*) FROM jit_grant WHERE state = '" + state + "' AND grant_id IN ("
        + String.join(",", grants.stream().map(g -> "'" + g.id() + "'").toList()) + ")");
  }

  private long records(String type, String grantId) {
    return db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%\"type\":\"" + type + "\"%'"
        + " AND line LIKE '%\"grant_id\":\"" + grantId + "\"%'");
  }

  /** What a replica that died right after announcing leaves behind: the announcement, committed, nothing else. */
  private void announceAsADeadReplica(List<Grant> grants, RevocationReason reason) {
    db.execute("SELECT jit_announce_end(ARRAY[" + String.join(",", grants.stream().map(g -> "'" + g.id() + "'").toList())
        + "], 'REVOKED', '" + reason.name() + "')");
  }

  /** Polls (never sleeping a fixed time) until the condition holds, failing after 30 s. */
  private static void await(String what, BooleanSupplier done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  private static boolean rejected(Verification v) {
    return v instanceof Verification.Rejected;
  }

  /**
   * A replica announced a bulk end and died before writing it: every replica, including those whose caches
   * held the grants LIVE (each verified them first), refuses them once its feed has caught up; a grant the
   * announcement does not name still verifies; the rows stay LIVE and no listener is told; then a sweeper
   * completes the end exactly once, two sweepers competing, with one REVOKED record per grant, and the
   * issuers' listeners hear of it once.
   */
  @Test
  void anAnnouncedEndNobodyWroteIsRefusedEverywhereThenCompletedOnceBySweeper() throws Exception {
    start(3, Duration.ZERO);
    List<Grant> doomed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      doomed.add(issue(i, "doomed"));
      doomed.add(issue(i, "doomed"));
    }
    Grant bystander = issue(1, "bystander");
    for (int i = 0; i < 3; i++) {
      for (Grant g : doomed) {
        assertThat(verifyAt(i, g)).as("cached LIVE at replica " + i).isInstanceOf(Verification.Verified.class);
      }
    }
    // held by a transaction standing for the announcing replica's unfinished end: no sweeper may take it yet
    try (Connection holder = DriverManager.getConnection(TestDatabase.URL, TestDatabase.props());
        Statement s = holder.createStatement()) {
      announceAsADeadReplica(doomed, RevocationReason.TASK);
      holder.setAutoCommit(false);
      s.execute("SET search_path TO " + db.schema);
      s.executeQuery("SELECT ending_id FROM jit_grant_ending FOR UPDATE").close();
      for (int i = 0; i < 3; i++) {
        int replica = i;
        for (Grant g : doomed) {
          await("replica " + i + " refusing " + g.id(), () -> rejected(verifyAt(replica, g)));
          assertThat(r(i).store.find(g.id())).get().extracting(GrantRecord::state, GrantRecord::revocationReason)
              .containsExactly(GrantState.REVOKED, RevocationReason.TASK);
        }
        assertThat(verifyAt(i, bystander)).as("not named by the announcement")
            .isInstanceOf(Verification.Verified.class);
      }
      assertThat(rowsIn("LIVE", doomed)).as("rows not written yet").isEqualTo(doomed.size());
      assertThat(r(0).store.liveByTask("doomed")).hasSize(doomed.size());
      assertThat(r(1).store.sweep() + r(2).store.sweep()).as("a held announcement is not the sweepers'").isZero();
      assertThat(rowsIn("LIVE", doomed)).isEqualTo(doomed.size());
      for (int i = 0; i < 3; i++) {
        assertThat(r(i).count("revoked:")).as("no listener hears of an end not written").isZero();
      }
      holder.rollback();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    List<Integer> swept = Race.each(r(1).store::sweep, r(2).store::sweep);
    assertThat(rowsIn("REVOKED", doomed)).isEqualTo(doomed.size());
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant_ending")).as("announcement deleted").isZero();
    for (Grant g : doomed) {
      assertThat(records("REVOKED", g.id())).as("REVOKED records of " + g.id()).isEqualTo(1);
      assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%" + g.id() + "%' AND line LIKE '%"
          + "TASK (swept: the announced bulk end was not finished%'")).isEqualTo(1);
    }
    assertThat(swept).as("sweep() counts expiries only").containsOnly(0);
    for (int i = 0; i < 3; i++) {
      int replica = i;
      for (int k = 0; k < 2; k++) {
        Grant own = doomed.get(2 * i + k);
        await("replica " + i + " hearing of " + own.id(), () -> r(replica).count("revoked:" + own.id()) == 1);
        assertThat(r(i).count("revoked:" + own.id() + ":TASK")).isEqualTo(1);
      }
      for (Grant g : doomed) {
        assertThat(verifyAt(i, g)).isInstanceOf(Verification.Rejected.class);
      }
      assertThat(verifyAt(i, bystander)).isInstanceOf(Verification.Verified.class);
    }
    r(1).store.sweep();
    assertThat(rowsIn("REVOKED", doomed)).isEqualTo(doomed.size());
    for (Grant g : doomed) {
      assertThat(records("REVOKED", g.id())).as("a second sweep writes nothing").isEqualTo(1);
    }
    assertThat(r(0).sink.verify()).extracting(AuditTrail.Check::intact).isEqualTo(true);
  }

  /**
   * Within the grace a sweeper leaves an announcement alone (its replica may still be writing the end); the
   * grants stay refused meanwhile.
   */
  @Test
  void withinTheGraceAnAnnouncementIsLeftToItsReplica() {
    start(2, Duration.ofHours(1));
    List<Grant> doomed = List.of(issue(0, "t"), issue(0, "t"));
    announceAsADeadReplica(doomed, RevocationReason.IDENTITY);
    assertThat(r(1).store.sweep()).isZero();
    assertThat(rowsIn("LIVE", doomed)).isEqualTo(2);
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant_ending")).isEqualTo(1);
    for (Grant g : doomed) {
      await("replica 1 refusing " + g.id(), () -> rejected(verifyAt(1, g)));
      assertThat(verifyAt(0, g)).isInstanceOf(Verification.Rejected.class);
    }
  }

  /**
   * The ordinary path: revokeTask announces, writes and deletes its announcement; each grant is ended and
   * audited once and its issuer hears of it once; no announcement is left behind for a sweeper.
   */
  @Test
  void revokeTaskLeavesNoAnnouncementBehind() {
    start(2, Duration.ZERO);
    List<Grant> grants = List.of(issue(0, "t"), issue(1, "t"), issue(1, "t"));
    assertThat(r(0).broker.revokeTask("t")).isEqualTo(3);
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant_ending")).isZero();
    assertThat(rowsIn("REVOKED", grants)).isEqualTo(3);
    assertThat(r(1).store.sweep()).isZero();
    for (Grant g : grants) {
      assertThat(records("REVOKED", g.id())).isEqualTo(1);
      assertThat(verifyAt(0, g)).isInstanceOf(Verification.Rejected.class);
    }
    // the revoking broker reports every end it made; the other issuer hears of its own two through its feed
    assertThat(r(0).count("revoked:")).isEqualTo(3);
    await("replica 1 hearing of its grants' ends", () -> r(1).count("revoked:") == 2);
    for (Grant g : grants.subList(1, 3)) {
      assertThat(r(1).count("revoked:" + g.id() + ":TASK")).isEqualTo(1);
    }
  }

  /**
   * The database becomes unreachable for the revoking replica between its announcement and the UPDATE:
   * {@code revokeTask} fails (nothing half-done is committed), yet every replica refuses the grants from the
   * announcement on, the revoking replica's own verifier included; once the database is back, a sweeper
   * completes the end exactly once with its audit records, and the revoking replica, which still tracks its
   * grants, hears of each end once through its feed.
   */
  @Test
  void aRevokeTaskWhoseWriteFailsLeavesItsGrantsRefusedUntilASweeperCompletesIt() {
    start(2, Duration.ZERO);
    List<Grant> grants = List.of(issue(0, "t"), issue(0, "t"), issue(1, "t"));
    for (Grant g : grants) {
      assertThat(verifyAt(0, g)).isInstanceOf(Verification.Verified.class);
      assertThat(verifyAt(1, g)).isInstanceOf(Verification.Verified.class);
    }
    failing.failAfter(2); // liveByTask and the announcement get a connection, the UPDATE's transaction does not
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r(0).broker.revokeTask("t"))
        .isInstanceOf(dev.jitaccess.JitException.class);
    failing.heal();
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant_ending")).as("the announcement stays").isEqualTo(1);
    assertThat(rowsIn("LIVE", grants)).as("nothing half-done").isEqualTo(3);
    for (Grant g : grants) {
      assertThat(verifyAt(0, g)).as("refused by the revoking replica at once").isInstanceOf(Verification.Rejected.class);
      await("replica 1 refusing " + g.id(), () -> rejected(verifyAt(1, g)));
      assertThat(records("REVOKED", g.id())).isZero();
    }
    assertThat(r(0).count("revoked:") + r(1).count("revoked:")).as("no listener told of an end not written").isZero();
    r(1).store.sweep();
    assertThat(rowsIn("REVOKED", grants)).isEqualTo(3);
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant_ending")).isZero();
    for (Grant g : grants) {
      assertThat(records("REVOKED", g.id())).as("REVOKED records of " + g.id()).isEqualTo(1);
    }
    for (int k = 0; k < 2; k++) {
      Grant own = grants.get(k);
      await("replica 0 hearing of " + own.id(), () -> r(0).count("revoked:" + own.id()) == 1);
      assertThat(r(0).count("revoked:" + own.id() + ":TASK")).isEqualTo(1);
    }
    await("replica 1 hearing of its grant", () -> r(1).count("revoked:" + grants.get(2).id()) == 1);
    assertThat(r(0).sink.verify()).extracting(AuditTrail.Check::intact).isEqualTo(true);
  }

  /** Bad material: the announcement function refuses a state that is not an end, and a reason that does not fit. */
  @Test
  void anAnnouncementOfNoEndIsRefused() {
    start(1, Duration.ZERO);
    Grant g = issue(0, "t");
    for (String bad : List.of("'LIVE', NULL", "'REVOKED', NULL", "'EXPIRED', 'TASK'", "'GONE', 'TASK'")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> db.execute("SELECT jit_announce_end(ARRAY['" + g.id() + "'], " + bad + ")"))
          .as(bad).hasMessageContaining("check");
    }
    assertThat(db.queryLong("SELECT count(*) FROM jit_grant_ending")).isZero();
    assertThat(verifyAt(0, g)).isInstanceOf(Verification.Verified.class);
  }
}
