package dev.jitaccess.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.GrantStore.InsertResult;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The record part of the {@link GrantStore} contract: insert then find gives back exactly the record stored
 * (a record has no token, and none is added); a duplicate id is refused and leaves the original; update
 * applies its function exactly once per call, atomically under contention, and not at all for an unknown
 * id; the live indexes and count follow revocation, expiry and removal; endLive ends exactly the live
 * grants named (with an {@link GrantStore.Ending}: calling it before and after each grant's change) and refuses
 * bad arguments; a record is kept at least until its expiry. Extend
 * {@link GrantStoreContract}, which runs this part and the others.
 */
public abstract class GrantStoreRecordContract extends GrantStoreContractSupport {
  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected GrantStoreRecordContract() {}

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

  /** Four grants of task "t": {@code a}, {@code b} and {@code other} live, {@code gone} expired. */
  private record FourGrants(GrantRecord a, GrantRecord b, GrantRecord gone, GrantRecord other) {}

  /** Inserts four grants of task "t", of four identities, and expires {@code gone}. */
  private FourGrants fourGrantsOfOneTaskOneEnded(GrantStore store) {
    FourGrants four = new FourGrants(record("spiffe://example.org/a", "t"), record("spiffe://example.org/b", "t"),
        record("spiffe://example.org/c", "t"), record("spiffe://example.org/d", "t"));
    for (GrantRecord r : List.of(four.a(), four.b(), four.gone(), four.other())) {
      assertEquals(InsertResult.INSERTED, store.insert(r, 10, 10));
    }
    store.update(four.gone().grantId(), r -> r.withState(GrantState.EXPIRED, null));
    return four;
  }

  /**
   * endLive ends exactly the live grants among those named (an ended or unknown one is left out), returns
   * their new records, and takes them out of the indexes; a second call ends nothing.
   */
  @Test
  public void endLiveEndsOnlyTheLiveGrantsNamed() {
    GrantStore store = newStore();
    FourGrants four = fourGrantsOfOneTaskOneEnded(store);
    GrantRecord a = four.a();
    GrantRecord b = four.b();
    GrantRecord gone = four.gone();
    GrantRecord other = four.other();
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

  /**
   * endLive with an {@link GrantStore.Ending} ends the same grants as endLive without one, calls
   * {@code before} once per id named while that grant is still as it was (a live one still live), and
   * {@code ended} once per grant it ended, after the change, with the ended record and what {@code before}
   * returned for it; it returns how many it ended, and refuses a null {@code ending}.
   */
  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must name it
  public void endLiveWithAnEndingCallsItAroundEachGrant() {
    GrantStore store = newStore();
    FourGrants four = fourGrantsOfOneTaskOneEnded(store);
    GrantRecord a = four.a();
    GrantRecord b = four.b();
    GrantRecord gone = four.gone();
    GrantRecord other = four.other();
    List<String> named = List.of(a.grantId(), b.grantId(), gone.grantId(), "no-such-grant");
    List<String> before = new java.util.ArrayList<>();
    java.util.Map<String, String> kept = new java.util.HashMap<>();
    int n = store.endLive(named, GrantState.REVOKED, RevocationReason.TASK, new GrantStore.Ending<String>() {
      @Override
      public String before(String grantId) {
        before.add(grantId);
        GrantState now = store.find(grantId).map(GrantRecord::state).orElse(null);
        assertTrue(grantId.equals(gone.grantId()) ? now == GrantState.EXPIRED
            : grantId.equals("no-such-grant") ? now == null : now == GrantState.LIVE,
            "before is called while " + grantId + " is still as it was, got " + now);
        return "kept-" + grantId;
      }

      @Override
      public void ended(GrantRecord record, String keptForIt) {
        assertEquals(Optional.of(record), store.find(record.grantId()), "ended is called after the change");
        assertEquals(GrantState.REVOKED, record.state());
        assertEquals(RevocationReason.TASK, record.revocationReason());
        assertEquals(null, kept.put(record.grantId(), keptForIt), "ended once per grant");
      }
    });
    assertEquals(2, n);
    assertEquals(named.size(), before.size());
    assertEquals(Set.copyOf(named), Set.copyOf(before));
    assertEquals(java.util.Map.of(a.grantId(), "kept-" + a.grantId(), b.grantId(), "kept-" + b.grantId()), kept);
    assertEquals(Set.of(other.grantId()), Set.copyOf(store.liveByTask("t")));
    assertEquals(0, store.endLive(named, GrantState.REVOKED, RevocationReason.TASK, new GrantStore.Ending<Void>() {
      @Override
      public Void before(String grantId) {
        return null;
      }

      @Override
      public void ended(GrantRecord record, Void keptForIt) {
        throw new AssertionError("a second call ends nothing");
      }
    }));
    assertEquals("ending", assertThrows(NullPointerException.class,
        () -> store.endLive(List.of(other.grantId()), GrantState.EXPIRED, null, null)).getMessage());
    assertEquals(GrantState.LIVE, store.find(other.grantId()).orElseThrow().state());
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
}
