package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.AuditTrail;
import dev.jitaccess.DenialCategory;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Item 9 of issue 15 on the real server: the database unreachable (a {@link TcpProxy} in front of it is
 * cut, so the driver sees real refused and reset connections) or every connection killed mid-load (as a
 * restart does, by {@code pg_terminate_backend}): nothing is issued without its record, the denial names
 * the cause, verification follows the staleness rule, and pool, store and feed recover by themselves.
 */
class PostgresFaultsTest {
  private static final String AUDIENCE = "jit-broker";
  private static final Duration MAX_STALENESS = Duration.ofSeconds(5);

  private final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  private final TestTrustDomain td = TestTrustDomain.create("example.org", clock);
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final AtomicInteger names = new AtomicInteger();
  private TestDatabase db;
  private TcpProxy proxy;

  /** One replica and what its broker-wide listener heard. */
  record Replica(PostgresGrantStore store, PostgresAuditSink sink, GrantBroker broker, List<String> events) {
    long count(String event) {
      return events.stream().filter(event::equals).count();
    }
  }

  @BeforeEach
  void start() throws Exception {
    db = TestDatabase.migrated();
    proxy = TcpProxy.toTestDatabase();
  }

  @AfterEach
  void stop() throws Exception {
    proxy.restore();
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    proxy.close();
    db.close();
  }

  /** A replica on {@code url} (the proxy's or the server's). */
  private Replica replica(String url) {
    return replica(url, url);
  }

  /** A replica whose store is on {@code storeUrl} and whose audit sink is on {@code auditUrl}. */
  private Replica replica(String storeUrl, String auditUrl) {
    String name = "r" + names.incrementAndGet();
    PostgresGrantStore store = PostgresGrantStore.builder().dataSource(db.pool(name, storeUrl))
        .listenerDataSource(TestDatabase.direct(db.schema + "-feed-" + name, storeUrl)).schema(db.schema).clock(clock)
        .maxStaleness(MAX_STALENESS).build();
    PostgresAuditSink sink = PostgresAuditSink.builder().dataSource(db.pool("a" + name, auditUrl)).schema(db.schema)
        .grantStore(store).build();
    List<String> events = new CopyOnWriteArrayList<>();
    GrantBroker broker = GrantBroker.builder().issuer("https://jit.test").identityVerifier(td.jwtSvidVerifier(AUDIENCE))
        .policy(TestPolicies.work()).store(store).auditSink(sink)
        .listener(new GrantListener() {
          @Override
          public void onRevoked(GrantInfo grant, RevocationReason reason) {
            events.add("revoked:" + grant.grantId());
          }
        })
        .clock(clock).scheduler(clock).callbackExecutor(Runnable::run)
        .signingKey(PostgresReplicasBrokerTest.SIGNING_KEY).maxGrantsPerIdentity(1000).build();
    closing.add(store);
    closing.add(broker);
    return new Replica(store, sink, broker, events);
  }

  private GrantRequest request(String task) {
    return GrantRequest.builder().credential(td.credential("spiffe://example.org/job/" + task, AUDIENCE))
        .purpose("work").resource("db://orders").actions("read").environment("prod").taskId(task)
        .ttl(Duration.ofMinutes(5)).build();
  }

  private static Verification verify(Replica r, Grant g) {
    return r.broker.verifier().verify(g.token(), "db://orders");
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

  private static boolean issues(Replica r, GrantRequest request) {
    try {
      r.broker.request(request);
      return true;
    } catch (AccessDeniedException e) {
      return false;
    }
  }

  private long rows(String where) {
    return db.queryLong("SELECT count(*) FROM jit_grant WHERE " + where);
  }

  /** Grant rows that have no ISSUED record: must always be none. */
  private long rowsWithoutIssuedRecord() {
    return db.queryLong("SELECT count(*) FROM jit_grant g WHERE NOT EXISTS (SELECT 1 FROM jit_audit a"
        + " WHERE position('\"type\":\"ISSUED\"' IN a.line) > 0 AND position('\"grant_id\":\"' || g.grant_id || '\"' IN a.line) > 0)");
  }

  /**
   * The database unreachable: the request is denied as UNAVAILABLE, the denial names what failed (the
   * audit sink, whose REQUESTED record comes first, or the grant store when only its path is cut) and
   * keeps the driver's exception as its cause, and nothing is issued; once the database is back the next
   * request succeeds with no restart of anything.
   */
  @Test
  void anUnreachableDatabaseIssuesNothingAndTheDenialNamesTheCause() {
    Replica a = replica(proxy.jdbcUrl());
    Replica storeOnly = replica(proxy.jdbcUrl(), TestDatabase.URL);
    proxy.cut();
    assertThatThrownBy(() -> a.broker.request(request("down")))
        .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
          assertThat(e.category()).isEqualTo(DenialCategory.UNAVAILABLE);
          assertThat(e.decision().reasons()).anyMatch(r -> r.contains("audit sink failed"));
          assertThat(causedByTheDriver(e)).as("the driver's exception among the causes of " + e).isTrue();
        });
    assertThatThrownBy(() -> storeOnly.broker.request(request("store-down")))
        .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
          assertThat(e.category()).isEqualTo(DenialCategory.UNAVAILABLE);
          assertThat(e.decision().reasons()).anyMatch(r -> r.contains("grant store failed"));
          assertThat(causedByTheDriver(e)).as("the driver's exception among the causes of " + e).isTrue();
        });
    assertThat(rows("true")).isZero();
    assertThat(storeOnly.store.issuanceLink().parkedCount()).isZero();
    assertThat(a.store.issuanceLink().parkedCount()).isZero();
    assertThatThrownBy(a.store::liveCount).isInstanceOf(dev.jitaccess.JitException.class)
        .satisfies(e -> assertThat(causedByTheDriver(e)).isTrue());
    assertDoesNotThrow(proxy::restore);
    await("a grant after the database came back", () -> issues(a, request("back")));
    assertThat(rows("task_id = 'back'")).isEqualTo(1);
    assertThat(rows("true")).isEqualTo(1);
    assertThat(rowsWithoutIssuedRecord()).isZero();
    assertThat(a.sink.verify()).extracting(AuditTrail.Check::intact).isEqualTo(true);
  }

  /**
   * While A cannot reach the database, its cache answers only within maxStaleness (the documented bound:
   * a revocation made meanwhile on B is not seen yet); past it, A's verifier refuses (it must read the
   * database and cannot), never trusting the stale "live". When the database is back, A's feed reconnects
   * and catches up by itself: the revocation is refused and A's listener hears it once.
   */
  @Test
  void verificationFollowsTheStalenessRuleAndRecoversByItself() throws Exception {
    Replica a = replica(proxy.jdbcUrl());
    Replica b = replica(TestDatabase.URL);
    Grant g = a.broker.request(request("stale"));
    // an insert is not announced (V5), so nothing drops the grant from A's cache after this read fills it
    assertThat(verify(a, g)).isInstanceOf(Verification.Verified.class);
    proxy.cut();
    assertThat(b.broker.revoke(g.id())).isTrue();
    assertThat(verify(b, g)).isInstanceOf(Verification.Rejected.class);
    clock.advance(MAX_STALENESS.minusMillis(1));
    assertThat(verify(a, g)).as("within maxStaleness the cache answers").isInstanceOf(Verification.Verified.class);
    clock.advance(Duration.ofMillis(1));
    assertThat(verify(a, g)).as("past maxStaleness without the database: refused")
        .isInstanceOfSatisfying(Verification.Rejected.class,
            r -> assertThat(r.reason()).isEqualTo(Verification.RejectionReason.ERROR));
    assertDoesNotThrow(proxy::restore);
    await("A's feed catching up after the outage", () -> a.count("revoked:" + g.id()) == 1);
    assertThat(verify(a, g)).isInstanceOfSatisfying(Verification.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(Verification.RejectionReason.REVOKED));
    assertThat(a.store.feed().isFresh(clock.instant())).isTrue();
    assertThat(a.broker.request(request("after")).id()).isNotBlank();
    assertThat(a.count("revoked:" + g.id())).isEqualTo(1);
  }

  /**
   * Every connection of three replicas killed mid-load (as a database restart does): every grant a caller
   * received is committed with its ISSUED record, no row exists without its record, and each replica's pool
   * and feed recover by themselves (a revocation made on one afterwards reaches the others).
   */
  @Test
  void everyConnectionKilledMidLoadLosesNoCommittedGrantAndIssuesNothingWithoutItsRecord() throws Exception {
    List<Replica> rs = List.of(replica(TestDatabase.URL), replica(TestDatabase.URL), replica(TestDatabase.URL));
    ConcurrentLinkedQueue<Grant> issued = new ConcurrentLinkedQueue<>();
    AtomicInteger denied = new AtomicInteger();
    AtomicLong seq = new AtomicLong();
    int workers = 6;
    int perWorker = 25;
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    List<Future<?>> fs = new ArrayList<>();
    try {
      for (int w = 0; w < workers; w++) {
        Replica r = rs.get(w % 3);
        fs.add(pool.submit(() -> {
          for (int i = 0; i < perWorker; i++) {
            try {
              issued.add(r.broker.request(request("load-" + seq.incrementAndGet())));
            } catch (AccessDeniedException e) {
              assertThat(e.category()).isEqualTo(DenialCategory.UNAVAILABLE);
              denied.incrementAndGet();
            }
            done.incrementAndGet();
          }
          return null;
        }));
      }
      await("a third of the load", () -> done.get() >= workers * perWorker / 3);
      long killed = db.terminateAll();
      assertThat(killed).as("backends terminated").isPositive();
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(issued.size() + denied.get()).isEqualTo(workers * perWorker);
    for (Grant g : issued) {
      assertThat(rows("grant_id = '" + g.id() + "' AND state = 'LIVE'")).as("committed grant " + g.id()).isEqualTo(1);
    }
    assertThat(rowsWithoutIssuedRecord()).isZero();
    assertThat(rows("true")).as("rows: every issued grant, plus any whose commit the caller did not hear")
        .isGreaterThanOrEqualTo(issued.size());
    for (Replica r : rs) {
      await("a grant on a recovered replica", () -> issues(r, request("recovered-" + seq.incrementAndGet())));
    }
    Grant g = rs.get(0).broker.request(request("after-kill"));
    assertThat(rs.get(1).broker.revoke(g.id())).isTrue();
    await("the issuer's recovered feed delivering the revocation", () -> rs.get(0).count("revoked:" + g.id()) == 1);
    await("the third replica refusing it", () -> verify(rs.get(2), g) instanceof Verification.Rejected);
    assertThat(rs.get(0).sink.verify()).extracting(AuditTrail.Check::intact).isEqualTo(true);
  }

  /** Whether a driver exception (SQLException) is among the causes of {@code e}. */
  private static boolean causedByTheDriver(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        return true;
      }
    }
    return false;
  }

  private static void assertDoesNotThrow(ThrowingRunnable r) {
    try {
      r.run();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
