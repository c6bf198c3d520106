package dev.jitaccess.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.GrantStore.InsertResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The quota part of the {@link GrantStore} contract: the identity and task quotas are honoured, count only
 * live grants, and hold under concurrent inserts; a task is bound to its task owner while it has live
 * grants, unless a record may share it, and then the task quota counts per owner; a sub-grant joins its
 * parent's task under the parent's owner. Extend {@link GrantStoreContract}, which runs this part and the
 * others.
 */
public abstract class GrantStoreQuotaContract extends GrantStoreRecordContract {
  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected GrantStoreQuotaContract() {}

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
}
