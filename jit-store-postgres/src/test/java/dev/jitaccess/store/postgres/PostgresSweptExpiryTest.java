package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Item 4 of issue 15 on the real server: a grant's end is written, and audited, exactly once in the
 * shared store and trail, whoever ends it: its issuing replica's timer, another replica's sweeper
 * (the issuer gone, or alive and racing for the same claim), or another replica's revocation.
 */
class PostgresSweptExpiryTest {
  private static final String AUDIENCE = "jit-broker";

  private final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  private final TestTrustDomain td = TestTrustDomain.create("example.org", clock);
  private final List<Replica> replicas = new ArrayList<>();
  private TestDatabase db;

  /** One replica: its own pool, store (with feed and sweeper), linked audit sink and broker. */
  record Replica(PostgresGrantStore store, PostgresAuditSink sink, GrantBroker broker, List<String> events) {
    long count(String event) {
      return events.stream().filter(event::equals).count();
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

  private void start(int n, Duration sweepGrace) {
    db = TestDatabase.migrated();
    for (int i = 0; i < n; i++) {
      PostgresGrantStore store = PostgresGrantStore.builder().dataSource(db.pool("r" + i))
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
        events.add("revoked:" + grant.grantId());
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

  private Grant issue(int replica, String task, Duration ttl) {
    return r(replica).broker.request(GrantRequest.builder()
        .credential(td.credential("spiffe://example.org/job/" + task, AUDIENCE)).purpose("work")
        .resource("db://orders").actions("read").environment("prod").taskId(task).ttl(ttl).build());
  }

  private long records(String type, String grantId) {
    return db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%\"type\":\"" + type + "\"%'"
        + " AND line LIKE '%\"grant_id\":\"" + grantId + "\"%'");
  }

  private String state(String grantId) {
    return db.queryLong("SELECT count(*) FROM jit_grant WHERE grant_id = '" + grantId + "' AND state = 'EXPIRED'") == 1
        ? "EXPIRED" : "not expired";
  }

  /** Polls (never sleeping a fixed time) until the condition holds, failing after 30 s. */
  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  /**
   * The issuing replica is gone (its broker and store stopped, as a killed JVM's): another replica's
   * sweeper ends its grants and writes each EXPIRED record exactly once, though two sweepers compete.
   */
  @Test
  void aGrantWhoseIssuerIsGoneIsExpiredAndAuditedOnceBySweeper() throws Exception {
    start(3, Duration.ofSeconds(30));
    List<Grant> grants = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      grants.add(issue(0, "gone-" + i, Duration.ofMinutes(5)));
    }
    r(0).stop();
    for (Grant g : grants) {
      assertThat(r(1).broker.verifier().verify(g.token(), "db://orders")).isInstanceOf(Verification.Verified.class);
    }
    clock.advance(Duration.ofMinutes(5).plusSeconds(29));
    assertThat(r(1).store.sweep()).as("within the grace the sweeper leaves the grants alone").isZero();
    clock.advance(Duration.ofSeconds(2));
    List<Integer> swept = Race.each(r(1).store::sweep, r(2).store::sweep);
    assertThat(swept.get(0) + swept.get(1)).isEqualTo(grants.size());
    for (Grant g : grants) {
      assertThat(state(g.id())).isEqualTo("EXPIRED");
      assertThat(records("EXPIRED", g.id())).as("EXPIRED records of " + g.id()).isEqualTo(1);
      assertThat(r(2).broker.verifier().verify(g.token(), "db://orders")).isInstanceOf(Verification.Rejected.class);
    }
    assertThat(r(1).store.sweep() + r(2).store.sweep()).as("a second sweep finds nothing").isZero();
    assertThat(r(1).sink.verify()).extracting(AuditTrail.Check::intact).isEqualTo(true);
  }

  /**
   * The issuing replica is alive and its timer ends its grants at the very moment two other replicas'
   * sweepers (no grace) claim them: each grant is ended and audited exactly once, and the issuer's
   * listener hears each expiry exactly once (from its own end, or through the feed).
   */
  @Test
  void theIssuerAndTheSweepersRaceAndExactlyOneEndsEachGrant() throws Exception {
    start(3, Duration.ZERO);
    List<Grant> grants = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      grants.add(issue(0, "race-" + i, Duration.ofMinutes(5)));
    }
    List<Integer> won = Race.each(() -> {
      clock.advance(Duration.ofMinutes(5)); // runs the issuer's 30 expiry timers on this thread
      return -1;
    }, () -> sweepUntilNoneLive(1), () -> sweepUntilNoneLive(2));
    int sweptBySweepers = won.get(1) + won.get(2);
    long endedByIssuer = grants.stream().filter(g -> records("EXPIRED", g.id()) == 1
        && db.queryLong("SELECT count(*) FROM jit_audit WHERE line LIKE '%" + g.id() + "%' AND line LIKE '%(swept%'") == 0)
        .count();
    assertThat(endedByIssuer + sweptBySweepers).as("issuer's ends + sweepers' ends").isEqualTo(grants.size());
    for (Grant g : grants) {
      assertThat(state(g.id())).isEqualTo("EXPIRED");
      assertThat(records("EXPIRED", g.id())).as("EXPIRED records of " + g.id()).isEqualTo(1);
      await("the issuer hearing the expiry of " + g.id(), () -> r(0).count("expired:" + g.id()) >= 1);
    }
    for (Grant g : grants) {
      assertThat(r(0).count("expired:" + g.id())).as("onExpired of " + g.id()).isEqualTo(1);
    }
    assertThat(r(0).sink.verify()).extracting(AuditTrail.Check::intact).isEqualTo(true);
  }

  private int sweepUntilNoneLive(int replica) {
    int n = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (db.queryLong("SELECT count(*) FROM jit_grant WHERE state = 'LIVE'") > 0) {
      assertThat(System.nanoTime()).as("sweeping").isLessThan(deadline);
      n += r(replica).store.sweep();
    }
    return n;
  }

  /**
   * Regression (the feed used to make the issuer audit a revocation made elsewhere a second time): a
   * grant issued on A and revoked on B has exactly one REVOKED record in the shared trail, and A's
   * listener still hears it once.
   */
  @Test
  void aRevocationMadeOnAnotherReplicaIsAuditedOnce() throws Exception {
    start(2, Duration.ofSeconds(30));
    Grant g = issue(0, "revoked-elsewhere", Duration.ofMinutes(5));
    assertThat(r(1).broker.revoke(g.id())).isTrue();
    await("the issuer hearing the revocation", () -> r(0).count("revoked:" + g.id()) == 1);
    // the feed's delivery to B itself (its own change) and any repeat must not add a record either
    Grant marker = issue(1, "marker", Duration.ofMinutes(5));
    await("A's feed passing the marker", () -> r(0).store.find(marker.id()).isPresent());
    assertThat(records("REVOKED", g.id())).isEqualTo(1);
    assertThat(r(0).count("revoked:" + g.id())).isEqualTo(1);
    assertThat(r(1).count("revoked:" + g.id())).isEqualTo(1);
    assertThat(r(0).sink.verify()).extracting(AuditTrail.Check::intact).isEqualTo(true);
  }

  /** The sweeper's EXPIRED record has the broker's fields, in the broker's order (only the reason differs). */
  @Test
  void theSweptRecordCarriesTheBrokersFields() throws Exception {
    start(1, Duration.ofSeconds(30));
    Grant g = issue(0, "fields", Duration.ofMinutes(5));
    clock.advance(Duration.ofMinutes(5)); // the broker's own timer ends it
    assertThat(records("EXPIRED", g.id())).isEqualTo(1);
    GrantRecord ended = r(0).store.find(g.id()).orElseThrow();
    assertThat(ended.state()).isEqualTo(GrantState.EXPIRED);
    AuditEvent swept = SweptExpiry.event(ended, clock.instant());
    assertThat(swept.fields().get(AuditEvent.REASON)).isEqualTo("ttl" + SweptExpiry.NOTE);
    java.util.Map<String, String> asBroker = new java.util.LinkedHashMap<>(swept.fields());
    asBroker.put(AuditEvent.REASON, "ttl");
    String body = AuditLine.body(new AuditEvent(swept.type(), swept.at(), asBroker));
    String fields = body.substring(body.indexOf(",\"fields\":"));
    assertThat(db.queryLong("SELECT count(*) FROM jit_audit WHERE position('" + fields.replace("'", "''")
        + "' IN line) > 0")).as("the broker's record contains " + fields).isEqualTo(1);
  }
}
