package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.JitException;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.testkit.ManualClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The change feed's watermark, the staleness rule and recovery, against the real server. */
class PostgresChangeFeedTest {
  @RegisterExtension
  static final TestSchema SCHEMA = new TestSchema();
  private static DataSource pool;
  private final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
  private final List<PostgresGrantStore> opened = new ArrayList<>();
  private static final AtomicInteger SEQ = new AtomicInteger();

  @BeforeAll
  static void openPools() {
    pool = SCHEMA.db().pool("feed");
  }

  @AfterEach
  void closeStores() {
    opened.forEach(PostgresGrantStore::close);
  }

  private PostgresGrantStore store(DataSource ds, String listenerName) {
    PostgresGrantStore s = PostgresGrantStore.builder().dataSource(ds).listenerDataSource(TestDatabase.direct(listenerName))
        .schema(SCHEMA.db().schema).clock(clock).maxStaleness(Duration.ofSeconds(5)).catchUpInterval(Duration.ofSeconds(1))
        .build();
    opened.add(s);
    return s;
  }

  private GrantRecord record() {
    int n = SEQ.incrementAndGet();
    Instant now = clock.instant();
    GrantInfo info = GrantInfo.builder().grantId("feed-" + n).subject("spiffe://example.org/w" + n).issuer("https://jit.test")
        .resource("db://x").actions(Set.of("read")).taskId("task-" + n).purpose("p").environment("test")
        .issuedAt(now).expiresAt(now.plusSeconds(600)).build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  private static GrantStore.Change await(BlockingQueue<GrantStore.Change> heard, String id, GrantState state)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      GrantStore.Change r = heard.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(r).as("change of " + id + " to " + state).isNotNull();
      if (r.grantId().equals(id) && r.state() == state) {
        return r;
      }
    }
  }

  private static String revokeSql(String id) {
    return "UPDATE jit_grant SET state = 'REVOKED', revocation_reason = 'EXPLICIT' WHERE grant_id = '" + id + "'";
  }

  /**
   * Regression guard for an id watermark (SPIRE #4865): a transaction that took its change id first but
   * committed after a later one is still found by the next catch-up.
   */
  @Test
  void catchUpFindsATransactionThatCommittedAfterALaterOne() throws Exception {
    PostgresGrantStore store = store(pool, "feed-watermark");
    store.feed().ignoreNotifications();
    BlockingQueue<GrantStore.Change> heard = new LinkedBlockingQueue<>();
    store.subscribe(heard::add);
    GrantRecord x = record();
    GrantRecord y = record();
    store.insert(x, 10, 10);
    store.insert(y, 10, 10);
    assertThat(store.find(x.grantId())).contains(x); // cached
    try (Connection slow = DriverManager.getConnection(TestDatabase.URL, TestDatabase.props());
        Statement s = slow.createStatement()) {
      slow.setAutoCommit(false);
      s.execute("SET search_path TO " + SCHEMA.db().schema);
      s.execute(revokeSql(x.grantId())); // takes the lower change id, commits last
      SCHEMA.db().execute(revokeSql(y.grantId()));
      long before = store.feed().catchUps();
      clock.advance(Duration.ofSeconds(2));
      assertThat(store.feed().awaitCatchUpsAbove(before, Duration.ofSeconds(30))).isTrue();
      await(heard, y.grantId(), GrantState.REVOKED);
      assertThat(store.find(x.grantId()).orElseThrow().state()).isEqualTo(GrantState.LIVE);
      slow.commit();
    }
    long before = store.feed().catchUps();
    clock.advance(Duration.ofSeconds(2));
    assertThat(store.feed().awaitCatchUpsAbove(before, Duration.ofSeconds(30))).isTrue();
    await(heard, x.grantId(), GrantState.REVOKED);
    assertThat(store.find(x.grantId()).orElseThrow().state()).isEqualTo(GrantState.REVOKED);
  }

  /** A revocation made by hand in SQL reaches the cache and the listeners through NOTIFY. */
  @Test
  void aChangeByHandIsAnnounced() throws Exception {
    PostgresGrantStore store = store(pool, "feed-hand");
    BlockingQueue<GrantStore.Change> heard = new LinkedBlockingQueue<>();
    store.subscribe(heard::add);
    GrantRecord x = record();
    store.insert(x, 10, 10);
    assertThat(store.find(x.grantId())).contains(x);
    SCHEMA.db().execute(revokeSql(x.grantId()));
    await(heard, x.grantId(), GrantState.REVOKED);
    assertThat(store.find(x.grantId()).orElseThrow().state()).isEqualTo(GrantState.REVOKED);
  }

  /**
   * One statement changing several grants sends one NOTIFY without payload (V5); the feed answers it with
   * a catch-up at once (the manual clock stands still, so no interval catch-up runs), which brings every
   * changed record to the listeners and drops each from the cache.
   */
  @Test
  void aStatementChangingSeveralGrantsIsOneCatchUp() throws Exception {
    PostgresGrantStore store = store(pool, "feed-burst");
    BlockingQueue<GrantStore.Change> heard = new LinkedBlockingQueue<>();
    store.subscribe(heard::add);
    List<GrantRecord> burst = List.of(record(), record(), record());
    for (GrantRecord r : burst) {
      store.insert(r, 10, 10);
      assertThat(store.find(r.grantId())).contains(r); // cached
    }
    long before = store.feed().catchUps();
    SCHEMA.db().execute("UPDATE jit_grant SET state = 'REVOKED', revocation_reason = 'TASK' WHERE grant_id IN ('"
        + String.join("', '", burst.stream().map(GrantRecord::grantId).toList()) + "')");
    java.util.Map<String, GrantStore.Change> revoked = new java.util.HashMap<>();
    while (revoked.size() < burst.size()) { // in any order
      GrantStore.Change r = heard.poll(30, TimeUnit.SECONDS);
      assertThat(r).as("the changes of " + burst.size() + " grants, heard so far " + revoked.keySet()).isNotNull();
      if (r.state() == GrantState.REVOKED) {
        revoked.put(r.grantId(), r);
      }
    }
    assertThat(revoked.keySet()).containsExactlyInAnyOrderElementsOf(burst.stream().map(GrantRecord::grantId).toList());
    assertThat(revoked.values()).allSatisfy(r -> assertThat(r.revocationReason()).isEqualTo(RevocationReason.TASK));
    // the feed counts a catch-up after it has delivered its changes: wait for the count, do not race it
    assertThat(store.feed().awaitCatchUpsAbove(before, Duration.ofSeconds(30))).as("a catch-up answered the NOTIFY").isTrue();
    for (GrantRecord r : burst) {
      assertThat(store.find(r.grantId()).orElseThrow().state()).isEqualTo(GrantState.REVOKED);
    }
  }

  /**
   * The staleness rule: with the listener stopped, the cache may answer for at most maxStaleness after
   * the last catch-up; after that, reads go to the database and see the revocation.
   */
  @Test
  void aFeedDownLongerThanMaxStalenessSendsReadsToTheDatabase() throws Exception {
    PostgresGrantStore store = store(pool, "feed-stale");
    BlockingQueue<GrantStore.Change> heard = new LinkedBlockingQueue<>();
    store.subscribe(heard::add);
    GrantRecord x = record();
    store.insert(x, 10, 10); // an insert is not announced (V5): nothing is in flight for the feed
    assertThat(store.find(x.grantId())).contains(x);
    store.feed().pause();
    SCHEMA.db().execute(revokeSql(x.grantId()));
    clock.advance(Duration.ofSeconds(5).minusNanos(1));
    assertThat(store.find(x.grantId()).orElseThrow().state()).as("within the bound the cache may answer").isEqualTo(GrantState.LIVE);
    clock.advance(Duration.ofNanos(1));
    assertThat(store.find(x.grantId()).orElseThrow().state()).isEqualTo(GrantState.REVOKED);
  }

  /**
   * The feed closes its connection only on its own thread, on pause and on close: a pooled connection
   * closed by another thread mid-catch-up could go back to the pool inside a read-only transaction.
   */
  @Test
  void theFeedClosesItsConnectionOnlyOnItsOwnThread() throws Exception {
    List<String> closers = new CopyOnWriteArrayList<>();
    DataSource direct = TestDatabase.direct("feed-own-thread");
    DataSource watched = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
          Object out = invoke(m, direct, args);
          if (!m.getName().equals("getConnection")) {
            return out;
          }
          Connection c = (Connection) out;
          return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
              (p, cm, cargs) -> {
                if (cm.getName().equals("close")) {
                  closers.add(Thread.currentThread().getName());
                }
                return invoke(cm, c, cargs);
              });
        });
    PostgresGrantStore store = PostgresGrantStore.builder().dataSource(pool).listenerDataSource(watched)
        .schema(SCHEMA.db().schema).clock(clock).maxStaleness(Duration.ofSeconds(5)).catchUpInterval(Duration.ofSeconds(1))
        .build();
    opened.add(store);
    assertThat(store.feed().awaitCatchUpsAbove(0, Duration.ofSeconds(30))).isTrue();
    store.feed().pause();
    assertThat(closers).hasSize(1).allSatisfy(t -> assertThat(t).startsWith("jit-pg-feed-"));
    long before = store.feed().catchUps();
    store.feed().resume();
    assertThat(store.feed().awaitCatchUpsAbove(before, Duration.ofSeconds(30))).isTrue();
    store.close();
    assertThat(closers).hasSize(2).allSatisfy(t -> assertThat(t).startsWith("jit-pg-feed-"));
  }

  private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Stale feed and no database: find fails (the verifier refuses), it never answers from the cache. */
  @Test
  void aStaleFeedWithoutDatabaseFailsClosed() {
    HikariDataSource own = SCHEMA.db().pool("closing");
    PostgresGrantStore store = store(own, "feed-closed");
    GrantRecord x = record();
    store.insert(x, 10, 10);
    assertThat(store.find(x.grantId())).contains(x);
    store.feed().pause();
    own.close();
    clock.advance(Duration.ofSeconds(6));
    assertThatThrownBy(() -> store.find(x.grantId())).isInstanceOf(JitException.class).hasMessageContaining(x.grantId());
  }

  /** The listener's backend is terminated: the feed reconnects, catches up, and changes flow again. */
  @Test
  void theFeedRecoversWhenItsBackendIsTerminated() throws Exception {
    PostgresGrantStore store = store(pool, "feed-kill");
    BlockingQueue<GrantStore.Change> heard = new LinkedBlockingQueue<>();
    store.subscribe(heard::add);
    GrantRecord x = record();
    GrantRecord y = record();
    store.insert(x, 10, 10);
    store.insert(y, 10, 10);
    long before = store.feed().catchUps();
    assertThat(TestDatabase.terminate("feed-kill")).isEqualTo(1);
    SCHEMA.db().execute(revokeSql(x.grantId())); // while the feed is down or reconnecting
    assertThat(store.feed().awaitCatchUpsAbove(before, Duration.ofSeconds(30))).isTrue();
    await(heard, x.grantId(), GrantState.REVOKED);
    SCHEMA.db().execute(revokeSql(y.grantId()));
    await(heard, y.grantId(), GrantState.REVOKED);
    assertThat(store.find(x.grantId()).orElseThrow().state()).isEqualTo(GrantState.REVOKED);
  }

  /** A connection killed in the middle of an update commits nothing; the store works on afterwards. */
  @Test
  void aConnectionKilledMidTransactionCommitsNothing() throws Exception {
    HikariDataSource own = SCHEMA.db().pool("midtx");
    PostgresGrantStore store = store(own, "feed-midtx");
    GrantRecord x = record();
    store.insert(x, 10, 10);
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch killed = new CountDownLatch(1);
    Thread killer = new Thread(() -> {
      try {
        inside.await();
        TestDatabase.terminate(SCHEMA.db().schema + "-midtx");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        killed.countDown();
      }
    });
    killer.start();
    assertThatThrownBy(() -> store.update(x.grantId(), r -> {
      inside.countDown();
      try {
        killed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return r.withState(GrantState.REVOKED, RevocationReason.EXPLICIT);
    })).isInstanceOf(JitException.class).hasMessageContaining(x.grantId());
    killer.join();
    assertThat(SCHEMA.db().queryLong("SELECT count(*) FROM jit_grant WHERE grant_id = '" + x.grantId() + "' AND state = 'LIVE'"))
        .isEqualTo(1);
    // the pool replaces the dead connection by itself
    assertThat(store.update(x.grantId(), r -> r.withState(GrantState.REVOKED, RevocationReason.EXPLICIT))
        .orElseThrow().state()).isEqualTo(GrantState.REVOKED);
  }

  /** The change-log prune records its horizon; a feed whose snapshot is older drops its cache. */
  @Test
  void aPrunedGapDropsTheCache() throws Exception {
    PostgresGrantStore store = store(pool, "feed-prune");
    store.feed().ignoreNotifications();
    GrantRecord x = record();
    store.insert(x, 10, 10);
    assertThat(store.find(x.grantId())).contains(x);
    SCHEMA.db().execute(revokeSql(x.grantId()));
    // prune everything, as an outage longer than the change retention would
    SCHEMA.db().execute("WITH gone AS (DELETE FROM jit_grant_change RETURNING txid) UPDATE jit_grant_change_pruned"
        + " SET upto_txid = greatest(upto_txid, (SELECT max(txid) FROM gone)) WHERE EXISTS (SELECT 1 FROM gone)");
    long before = store.feed().catchUps();
    clock.advance(Duration.ofSeconds(2));
    assertThat(store.feed().awaitCatchUpsAbove(before, Duration.ofSeconds(30))).isTrue();
    assertThat(store.find(x.grantId()).orElseThrow().state()).isEqualTo(GrantState.REVOKED);
  }

  /**
   * Regression guard for a gap check against the oldest running transaction: a transaction left open
   * anywhere on the server holds every snapshot's xmin back; pruning rows the feed has seen must not
   * make its catch-ups drop the cache and the deliveries.
   */
  @Test
  void anOpenTransactionElsewhereDoesNotMakeCatchUpsDropChanges() throws Exception {
    try (Connection old = DriverManager.getConnection(TestDatabase.URL, TestDatabase.props());
        Statement s = old.createStatement()) {
      old.setAutoCommit(false);
      s.execute("SELECT pg_current_xact_id()");
      PostgresGrantStore store = store(pool, "feed-oldxmin");
      store.feed().ignoreNotifications();
      BlockingQueue<GrantStore.Change> heard = new LinkedBlockingQueue<>();
      store.subscribe(heard::add);
      GrantRecord x = record();
      store.insert(x, 10, 10);
      SCHEMA.db().execute("UPDATE jit_grant SET uses = 1 WHERE grant_id = '" + x.grantId() + "'"); // a change row the feed sees
      long before = store.feed().catchUps();
      clock.advance(Duration.ofSeconds(2));
      assertThat(store.feed().awaitCatchUpsAbove(before, Duration.ofSeconds(30))).isTrue();
      await(heard, x.grantId(), GrantState.LIVE);
      SCHEMA.db().execute("WITH gone AS (DELETE FROM jit_grant_change RETURNING txid) UPDATE jit_grant_change_pruned"
          + " SET upto_txid = greatest(upto_txid, (SELECT max(txid) FROM gone)) WHERE EXISTS (SELECT 1 FROM gone)");
      SCHEMA.db().execute(revokeSql(x.grantId()));
      before = store.feed().catchUps();
      clock.advance(Duration.ofSeconds(2));
      assertThat(store.feed().awaitCatchUpsAbove(before, Duration.ofSeconds(30))).isTrue();
      await(heard, x.grantId(), GrantState.REVOKED);
      old.rollback();
    }
  }
}
