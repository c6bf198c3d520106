package dev.jitaccess.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.GrantStore.InsertResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The {@link GrantStore} contract as JUnit 5 tests: extend this class in your test sources and return
 * a fresh, empty store from {@link #newStore()}.
 * <pre>{@code
 * class RedisGrantStoreContractTest extends GrantStoreContract {
 *   protected GrantStore newStore() { return new RedisGrantStore(redis, clock); }
 * }
 * }</pre>
 * What it checks: insert then find gives back exactly the record stored (a record has no token, and
 * none is added); duplicates are refused and leave the original; the identity and task quotas are
 * honoured, count only live grants, and hold under concurrent inserts; update applies its function
 * exactly once per call, atomically under contention, and not at all for an unknown id; the live
 * indexes and count follow revocation, expiry and removal; a record is kept at least until its expiry;
 * {@link GrantStore#subscribe} refuses null and its subscription closes twice harmlessly. When
 * {@link #peerOf} gives a second instance sharing the data (a replica), also the change feed: a change
 * made through the peer reaches every listener with the current record, a throwing listener stops
 * nobody else, and a closed subscription hears nothing more.
 *
 * <p>A fresh instance of the test class, with a fresh {@link #clock}, runs each test.
 */
public abstract class GrantStoreContract {
  /** A manual clock at {@link JitTestKit#DEFAULT_START}; also a scheduler. Build your store on it. */
  protected final ManualClock clock = ManualClock.at(JitTestKit.DEFAULT_START);

  private int sequence;

  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected GrantStoreContract() {}

  /** A fresh, empty store; called once per test. */
  protected abstract GrantStore newStore();

  /**
   * A second instance sharing {@code store}'s data, as another replica would, or null (the default) if
   * the store's data is never shared; the change-feed tests are then skipped.
   */
  protected @Nullable GrantStore peerOf(GrantStore store) {
    return null;
  }

  /**
   * A live record for a new grant of {@code identity} and {@code task}, expiring in 10 minutes, owned by
   * {@link #OWNER} (so records of several identities may share a task).
   */
  protected GrantRecord record(String identity, String task) {
    return record(identity, task, OWNER);
  }

  /** The owner of the records {@link #record(String, String)} makes. */
  protected static final String OWNER = "team-contract";

  /**
   * A live record for a new grant of {@code identity} and {@code task} with this owner (null: none, so the
   * identity itself is the task owner), expiring in 10 minutes.
   */
  protected GrantRecord record(String identity, String task, @Nullable String owner) {
    Instant now = clock.instant();
    sequence++;
    GrantInfo info = GrantInfo.builder()
        .grantId("grant-" + sequence)
        .subject(identity)
        .issuer("https://jit.test")
        .resource("db://orders")
        .actions(Set.of("read"))
        .taskId(task)
        .purpose("contract")
        .environment("test")
        .issuedAt(now)
        .expiresAt(now.plus(Duration.ofMinutes(10)))
        .owner(owner)
        .build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  /** A live sub-grant of {@code parent} for {@code delegate}: same task, the parent's owner, its chain. */
  protected GrantRecord subGrant(GrantRecord parent, String delegate) {
    sequence++;
    java.util.List<String> chain = new java.util.ArrayList<>();
    chain.add(parent.info().subject());
    chain.addAll(parent.info().delegators());
    GrantInfo info = parent.info().toBuilder()
        .grantId("grant-" + sequence)
        .subject(delegate)
        .delegation(parent.grantId(), chain)
        .build();
    return GrantRecord.live(info, null, Instant.MAX);
  }

  /** Insert then find returns exactly the stored record: nothing added, no token anywhere. */
  @Test
  public void findReturnsExactlyWhatWasInserted() {
    GrantStore store = newStore();
    GrantRecord r = record("spiffe://example.org/a", "task-1");
    assertEquals(InsertResult.INSERTED, store.insert(r, 10, 10));
    assertEquals(Optional.of(r), store.find(r.grantId()));
    assertFalse(store.find(r.grantId()).get().toString().contains("eyJ"), "a record must never carry a token");
  }

  /** An unknown id is not found. */
  @Test
  public void findOfAnUnknownIdIsEmpty() {
    assertEquals(Optional.empty(), newStore().find("no-such-grant"));
  }

  /** A second record with the same id is refused and the first stays as it was. */
  @Test
  public void duplicateIdIsRefusedAndLeavesTheOriginal() {
    GrantStore store = newStore();
    GrantRecord r = record("spiffe://example.org/a", "task-1");
    store.insert(r, 10, 10);
    GrantRecord twin = new GrantRecord(
        r.info().toBuilder().taskId("task-2").build(), GrantState.LIVE, null, null, Instant.MAX, 0);
    assertEquals(InsertResult.DUPLICATE, store.insert(twin, 10, 10));
    assertEquals(Optional.of(r), store.find(r.grantId()));
    assertTrue(store.liveByTask("task-2").isEmpty());
  }

  /** An identity holding the maximum of live grants gets no further one, and nothing is stored. */
  @Test
  public void identityQuotaIsHonoured() {
    GrantStore store = newStore();
    String id = "spiffe://example.org/a";
    assertEquals(InsertResult.INSERTED, store.insert(record(id, "t1"), 2, 10));
    assertEquals(InsertResult.INSERTED, store.insert(record(id, "t2"), 2, 10));
    GrantRecord third = record(id, "t3");
    assertEquals(InsertResult.IDENTITY_QUOTA_EXCEEDED, store.insert(third, 2, 10));
    assertEquals(Optional.empty(), store.find(third.grantId()));
    assertEquals(2, store.liveByIdentity(id).size());
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/b", "t3"), 2, 10));
  }

  /** A task holding the maximum of live grants gets no further one, and nothing is stored. */
  @Test
  public void taskQuotaIsHonoured() {
    GrantStore store = newStore();
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/a", "t"), 10, 1));
    GrantRecord second = record("spiffe://example.org/b", "t");
    assertEquals(InsertResult.TASK_QUOTA_EXCEEDED, store.insert(second, 10, 1));
    assertEquals(Optional.empty(), store.find(second.grantId()));
    assertEquals(1, store.liveByTask("t").size());
  }

  /**
   * While a task has live grants it is bound to their task owner: another owner's record is refused and
   * not stored; an identity of the same owner joins; once the owner's grants end, the task is free.
   */
  @Test
  public void aTaskIsBoundToItsOwnerWhileItHasLiveGrants() {
    GrantStore store = newStore();
    GrantRecord first = record("spiffe://example.org/build", "pipeline-7", "team-a");
    assertEquals(InsertResult.INSERTED, store.insert(first, 10, 10));
    GrantRecord outsider = record("spiffe://example.org/intruder", "pipeline-7", "team-b");
    assertEquals(InsertResult.TASK_BOUND_TO_ANOTHER_OWNER, store.insert(outsider, 10, 10));
    assertEquals(Optional.empty(), store.find(outsider.grantId()));
    assertEquals(Set.of(first.grantId()), Set.copyOf(store.liveByTask("pipeline-7")));
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/deploy", "pipeline-7", "team-a"), 10, 10));
    for (String id : store.liveByTask("pipeline-7")) {
      store.update(id, r -> r.withState(GrantState.REVOKED, RevocationReason.COMPLETED));
    }
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/other", "pipeline-7", "team-b"), 10, 10));
  }

  /** Without an owner, the identity itself owns the task: another owner-less identity is refused. */
  @Test
  public void anIdentityWithoutOwnerIsItsOwnTaskOwner() {
    GrantStore store = newStore();
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/a", "solo", null), 10, 10));
    assertEquals(InsertResult.TASK_BOUND_TO_ANOTHER_OWNER,
        store.insert(record("spiffe://example.org/b", "solo", null), 10, 10));
    assertEquals(InsertResult.TASK_BOUND_TO_ANOTHER_OWNER,
        store.insert(record("spiffe://example.org/b", "solo", "spiffe://example.org/a-lookalike"), 10, 10));
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/a", "solo", null), 10, 10));
  }

  /**
   * A record allowed to share the task joins another owner's task, and the per-task quota counts per
   * (owner, task): the outsider cannot exhaust the owner's quota, nor the owner the outsider's; the owner
   * keeps adding to its task without sharing.
   */
  @Test
  public void aSharedTaskCountsTheQuotaPerOwner() {
    GrantStore store = newStore();
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/a", "shared", "team-a"), 10, 2, false));
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/b", "shared", "team-b"), 10, 2, true));
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/b", "shared", "team-b"), 10, 2, true));
    assertEquals(InsertResult.TASK_QUOTA_EXCEEDED,
        store.insert(record("spiffe://example.org/b", "shared", "team-b"), 10, 2, true));
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/a", "shared", "team-a"), 10, 2, true));
    assertEquals(InsertResult.TASK_QUOTA_EXCEEDED,
        store.insert(record("spiffe://example.org/a", "shared", "team-a"), 10, 2, true));
    // without sharing, a third owner is refused; an owner already in the task is not locked out by a guest
    assertEquals(InsertResult.TASK_BOUND_TO_ANOTHER_OWNER,
        store.insert(record("spiffe://example.org/c", "shared", "team-c"), 10, 3, false));
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/a2", "shared", "team-a"), 10, 3, false));
    assertEquals(5, store.liveByTask("shared").size());
  }

  /**
   * A sub-grant joins its parent's task whoever its delegate is, and counts under the parent's task owner
   * (the first identity of its chain when the parent has no owner).
   */
  @Test
  public void aSubGrantJoinsItsParentsTaskAndCountsUnderItsOwner() {
    GrantStore store = newStore();
    GrantRecord parent = record("spiffe://example.org/agent", "job", null);
    assertEquals(InsertResult.INSERTED, store.insert(parent, 10, 2));
    GrantRecord child = subGrant(parent, "spiffe://example.org/tools/lookup");
    assertEquals(parent.taskOwner(), child.taskOwner());
    assertEquals(InsertResult.INSERTED, store.insert(child, 10, 2));
    assertEquals(InsertResult.TASK_QUOTA_EXCEEDED, store.insert(subGrant(child, "spiffe://example.org/tools/other"), 10, 2));
    assertEquals(InsertResult.TASK_BOUND_TO_ANOTHER_OWNER,
        store.insert(record("spiffe://example.org/tools/lookup", "job", null), 10, 2));
  }

  /** Revoked and expired grants do not count towards the quotas. */
  @Test
  public void endedGrantsDoNotCountTowardsQuotas() {
    GrantStore store = newStore();
    String id = "spiffe://example.org/a";
    GrantRecord first = record(id, "t");
    store.insert(first, 1, 1);
    store.update(first.grantId(), r -> r.withState(GrantState.REVOKED, RevocationReason.EXPLICIT));
    GrantRecord second = record(id, "t");
    assertEquals(InsertResult.INSERTED, store.insert(second, 1, 1));
    store.update(second.grantId(), r -> r.withState(GrantState.EXPIRED, null));
    assertEquals(InsertResult.INSERTED, store.insert(record(id, "t"), 1, 1));
  }

  /** update applies the change exactly once and returns (and stores) the new record. */
  @Test
  public void updateAppliesTheChangeOnceAndStoresIt() {
    GrantStore store = newStore();
    GrantRecord r = record("spiffe://example.org/a", "t");
    store.insert(r, 10, 10);
    AtomicInteger calls = new AtomicInteger();
    Optional<GrantRecord> updated = store.update(r.grantId(), old -> {
      calls.incrementAndGet();
      return old.withUse();
    });
    assertEquals(1, calls.get());
    assertEquals(1, updated.orElseThrow().uses());
    assertEquals(updated, store.find(r.grantId()));
  }

  /** update of an unknown id returns empty and never calls the change. */
  @Test
  public void updateOfAnUnknownIdIsEmptyAndNeverCallsTheChange() {
    AtomicInteger calls = new AtomicInteger();
    Optional<GrantRecord> updated = newStore().update("no-such-grant", r -> {
      calls.incrementAndGet();
      return r;
    });
    assertEquals(Optional.empty(), updated);
    assertEquals(0, calls.get());
  }

  /** The live indexes and the live count follow revocation, expiry and removal. */
  @Test
  public void indexesFollowTheLiveState() {
    GrantStore store = newStore();
    GrantRecord a = record("spiffe://example.org/a", "t");
    GrantRecord b = record("spiffe://example.org/a", "t");
    GrantRecord c = record("spiffe://example.org/c", "u");
    store.insert(a, 10, 10);
    store.insert(b, 10, 10);
    store.insert(c, 10, 10);
    assertEquals(Set.of(a.grantId(), b.grantId()), Set.copyOf(store.liveByTask("t")));
    assertEquals(Set.of(a.grantId(), b.grantId()), Set.copyOf(store.liveByIdentity("spiffe://example.org/a")));
    assertEquals(3, store.liveCount());
    store.update(a.grantId(), r -> r.withState(GrantState.REVOKED, RevocationReason.TASK));
    assertEquals(Set.of(b.grantId()), Set.copyOf(store.liveByTask("t")));
    assertEquals(2, store.liveCount());
    store.update(c.grantId(), r -> r.withState(GrantState.EXPIRED, null));
    assertTrue(store.liveByIdentity("spiffe://example.org/c").isEmpty());
    assertEquals(1, store.liveCount());
    assertTrue(store.liveByTask("nobody").isEmpty());
    assertEquals(GrantState.REVOKED, store.find(a.grantId()).orElseThrow().state());
  }

  /** remove forgets the record and takes it out of the indexes; removing an unknown id is harmless. */
  @Test
  public void removeForgetsTheRecordAndItsIndexes() {
    GrantStore store = newStore();
    GrantRecord r = record("spiffe://example.org/a", "t");
    store.insert(r, 10, 10);
    store.remove(r.grantId());
    store.remove(r.grantId());
    store.remove("no-such-grant");
    assertEquals(Optional.empty(), store.find(r.grantId()));
    assertTrue(store.liveByTask("t").isEmpty());
    assertTrue(store.liveByIdentity("spiffe://example.org/a").isEmpty());
    assertEquals(0, store.liveCount());
    assertEquals(InsertResult.INSERTED, store.insert(record("spiffe://example.org/a", "t"), 1, 1));
  }

  /**
   * endLive ends exactly the live grants among those named (an ended or unknown one is left out), returns
   * their new records, and takes them out of the indexes; a second call ends nothing.
   */
  @Test
  public void endLiveEndsOnlyTheLiveGrantsNamed() {
    GrantStore store = newStore();
    GrantRecord a = record("spiffe://example.org/a", "t");
    GrantRecord b = record("spiffe://example.org/b", "t");
    GrantRecord gone = record("spiffe://example.org/c", "t");
    GrantRecord other = record("spiffe://example.org/d", "t");
    for (GrantRecord r : List.of(a, b, gone, other)) {
      assertEquals(InsertResult.INSERTED, store.insert(r, 10, 10));
    }
    store.update(gone.grantId(), r -> r.withState(GrantState.EXPIRED, null));
    List<GrantRecord> ended = store.endLive(List.of(a.grantId(), b.grantId(), gone.grantId(), "no-such-grant"),
        GrantState.REVOKED, RevocationReason.TASK);
    assertEquals(Set.of(a.grantId(), b.grantId()), Set.copyOf(ended.stream().map(GrantRecord::grantId).toList()));
    for (GrantRecord r : ended) {
      assertEquals(GrantState.REVOKED, r.state());
      assertEquals(RevocationReason.TASK, r.revocationReason());
      assertEquals(Optional.of(r), store.find(r.grantId()));
    }
    assertEquals(GrantState.EXPIRED, store.find(gone.grantId()).orElseThrow().state());
    assertEquals(Set.of(other.grantId()), Set.copyOf(store.liveByTask("t")));
    assertTrue(store.endLive(List.of(a.grantId(), b.grantId()), GrantState.REVOKED,
        RevocationReason.TASK).isEmpty());
    assertTrue(store.endLive(List.of(), GrantState.EXPIRED, null).isEmpty());
  }

  /** endLive refuses LIVE as the end state, a reason that does not fit the state, and null arguments. */
  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must name it
  public void endLiveRefusesBadArguments() {
    GrantStore store = newStore();
    GrantRecord r = record("spiffe://example.org/a", "t");
    store.insert(r, 10, 10);
    List<String> ids = List.of(r.grantId());
    assertThrows(IllegalArgumentException.class, () -> store.endLive(ids, GrantState.LIVE, null));
    assertThrows(IllegalArgumentException.class, () -> store.endLive(ids, GrantState.REVOKED, null));
    assertThrows(IllegalArgumentException.class,
        () -> store.endLive(ids, GrantState.EXPIRED, RevocationReason.TASK));
    assertEquals("grantIds", assertThrows(NullPointerException.class,
        () -> store.endLive(null, GrantState.EXPIRED, null)).getMessage());
    assertEquals("state", assertThrows(NullPointerException.class,
        () -> store.endLive(ids, null, null)).getMessage());
    assertThrows(NullPointerException.class,
        () -> store.endLive(java.util.Arrays.asList(r.grantId(), null), GrantState.EXPIRED, null));
    assertEquals(GrantState.LIVE, store.find(r.grantId()).orElseThrow().state());
  }

  /** A record is still there until its expiry (stores may keep it longer). */
  @Test
  public void keepsARecordUntilItsExpiry() {
    GrantStore store = newStore();
    GrantRecord r = record("spiffe://example.org/a", "t");
    store.insert(r, 10, 10);
    clock.advanceTo(r.info().expiresAt().minusSeconds(1));
    assertEquals(Optional.of(r), store.find(r.grantId()));
  }

  /** Concurrent inserts for one identity never exceed its quota: check and insert are one step. */
  @Test
  public void concurrentInsertsNeverExceedTheQuota() throws Exception {
    GrantStore store = newStore();
    String id = "spiffe://example.org/a";
    List<GrantRecord> records = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      records.add(record(id, "task-" + i));
    }
    List<InsertResult> results = runConcurrently(records.size(), i -> store.insert(records.get(i), 5, 100));
    assertEquals(5, results.stream().filter(r -> r == InsertResult.INSERTED).count());
    assertEquals(35, results.stream().filter(r -> r == InsertResult.IDENTITY_QUOTA_EXCEEDED).count());
    assertEquals(5, store.liveByIdentity(id).size());
    assertEquals(5, store.liveCount());
  }

  /** Concurrent updates of one record are atomic: none is lost and each applies its change once. */
  @Test
  public void concurrentUpdatesAreAtomic() throws Exception {
    GrantStore store = newStore();
    GrantRecord r = record("spiffe://example.org/a", "t");
    store.insert(r, 10, 10);
    AtomicInteger calls = new AtomicInteger();
    runConcurrently(200, i -> store.update(r.grantId(), old -> {
      calls.incrementAndGet();
      return old.withUse();
    }));
    assertEquals(200, store.find(r.grantId()).orElseThrow().uses());
    assertEquals(200, calls.get(), "each update must apply its function exactly once");
  }

  /** subscribe names a null listener. */
  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must name it
  public void subscribeRefusesANullListener() {
    GrantStore store = newStore();
    NullPointerException e = org.junit.jupiter.api.Assertions.assertThrows(
        NullPointerException.class, () -> store.subscribe(null));
    assertEquals("listener", e.getMessage());
  }

  /** A subscription may be closed twice. */
  @Test
  public void aSubscriptionMayBeClosedTwice() {
    GrantStore.Subscription s = newStore().subscribe(r -> {});
    s.close();
    s.close();
  }

  /** A revocation made through another instance reaches the listener with the revoked record. */
  @Test
  public void aChangeMadeThroughAPeerIsHeardWithTheCurrentRecord() throws Exception {
    GrantStore store = newStore();
    GrantStore peer = peerOrSkip(store);
    BlockingQueue<GrantRecord> heard = new LinkedBlockingQueue<>();
    GrantStore.Subscription s = store.subscribe(heard::add);
    try {
      GrantRecord r = record("spiffe://example.org/a", "t");
      store.insert(r, 10, 10);
      peer.update(r.grantId(), x -> x.withState(GrantState.REVOKED, RevocationReason.EXPLICIT));
      GrantRecord got = awaitState(heard, r.grantId(), GrantState.REVOKED);
      assertEquals(RevocationReason.EXPLICIT, got.revocationReason());
      assertEquals(r.info(), got.info());
    } finally {
      s.close();
    }
  }

  /** A listener that throws stops neither the feed nor the other listeners. */
  @Test
  public void aThrowingListenerStopsNobodyElse() throws Exception {
    GrantStore store = newStore();
    GrantStore peer = peerOrSkip(store);
    BlockingQueue<GrantRecord> heard = new LinkedBlockingQueue<>();
    AtomicInteger thrown = new AtomicInteger();
    GrantStore.Subscription bad = store.subscribe(r -> {
      thrown.incrementAndGet();
      throw new IllegalStateException("listener bug");
    });
    GrantStore.Subscription good = store.subscribe(heard::add);
    try {
      GrantRecord a = record("spiffe://example.org/a", "t");
      GrantRecord b = record("spiffe://example.org/b", "t");
      store.insert(a, 10, 10);
      store.insert(b, 10, 10);
      peer.update(a.grantId(), x -> x.withState(GrantState.REVOKED, RevocationReason.TASK));
      awaitState(heard, a.grantId(), GrantState.REVOKED);
      peer.update(b.grantId(), x -> x.withState(GrantState.EXPIRED, null));
      awaitState(heard, b.grantId(), GrantState.EXPIRED);
      assertTrue(thrown.get() >= 2, "the throwing listener was called for both changes");
    } finally {
      good.close();
      bad.close();
    }
  }

  /** After close, a listener hears nothing more, while a listener still subscribed does. */
  @Test
  public void aClosedSubscriptionHearsNothingMore() throws Exception {
    GrantStore store = newStore();
    GrantStore peer = peerOrSkip(store);
    BlockingQueue<GrantRecord> closed = new LinkedBlockingQueue<>();
    BlockingQueue<GrantRecord> open = new LinkedBlockingQueue<>();
    GrantRecord r = record("spiffe://example.org/a", "t");
    store.insert(r, 10, 10);
    GrantStore.Subscription stays = store.subscribe(open::add);
    try {
      store.subscribe(closed::add).close();
      peer.update(r.grantId(), x -> x.withState(GrantState.REVOKED, RevocationReason.EXPLICIT));
      awaitState(open, r.grantId(), GrantState.REVOKED);
      assertTrue(closed.stream().noneMatch(x -> x.state() == GrantState.REVOKED), "a closed subscription was called");
    } finally {
      stays.close();
    }
  }

  private GrantStore peerOrSkip(GrantStore store) {
    GrantStore peer = peerOf(store);
    if (peer == null) {
      return Assumptions.abort("the store's data is not shared with another instance");
    }
    return peer;
  }

  /** Waits (at most 30 s per change heard, never sleeping) until the listener heard the grant in that state. */
  private static GrantRecord awaitState(BlockingQueue<GrantRecord> heard, String grantId, GrantState state)
      throws InterruptedException {
    for (int i = 0; i < 10_000; i++) {
      GrantRecord r = heard.poll(30, TimeUnit.SECONDS);
      if (r == null) {
        throw new AssertionError("no change of " + grantId + " to " + state + " was heard within 30 s");
      }
      if (r.grantId().equals(grantId) && r.state() == state) {
        return r;
      }
    }
    throw new AssertionError("no change of " + grantId + " to " + state + " among 10,000 changes heard");
  }

  private static <T> List<T> runConcurrently(int n, java.util.function.IntFunction<T> action) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(pool.submit(() -> {
          start.await();
          return action.apply(index);
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
