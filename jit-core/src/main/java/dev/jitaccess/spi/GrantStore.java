package dev.jitaccess.spi;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.internal.InMemoryGrantStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Keeps grant lifecycle state so that revocation, renewal and single use take effect in every
 * {@link dev.jitaccess.GrantVerifier} reading the same store. Implementations must be thread-safe and
 * apply each method atomically. A store that throws makes the broker fail closed.
 *
 * <p>A record must be kept at least until its {@link GrantRecord#info()} expiry plus the retention the
 * store was built with (so a revoked token stays revoked while it could still verify), and may be
 * dropped after that.
 */
public interface GrantStore {

  /**
   * The default store: in memory, on Caffeine, with per-entry expiry so memory is bounded by what is live.
   *
   * @param clock the clock that decides when a record may be dropped
   * @param scheduler runs the prompt clean-up of dropped records
   * @param retention how long past its expiry a record is kept (at least the verifiers' clock skew)
   */
  static GrantStore inMemory(Clock clock, Scheduler scheduler, Duration retention) {
    return new InMemoryGrantStore(clock, scheduler, retention);
  }

  /** The outcome of {@link #insert}. */
  enum InsertResult {
    /** The record is stored. */
    INSERTED,
    /** The identity already holds the maximum number of live grants. */
    IDENTITY_QUOTA_EXCEEDED,
    /** The record's task owner already holds the maximum number of live grants in this task. */
    TASK_QUOTA_EXCEEDED,
    /** A record with this grant id exists. */
    DUPLICATE,
    /**
     * The task has live grants, none of the record's task owner ({@link GrantRecord#taskOwner()}), and
     * the record is neither a sub-grant nor allowed to share the task.
     */
    TASK_BOUND_TO_ANOTHER_OWNER
  }

  /**
   * Stores a new live record, checking in one atomic step, in this order: no record has its grant id;
   * its identity holds fewer than {@code maxPerIdentity} live grants; its task is not bound to another
   * owner, that is, when the task has live grants, some of them have the record's
   * {@link GrantRecord#taskOwner()} (the owner that opened the task, and owners admitted since), unless
   * the record is a sub-grant (it has a parent grant id) or {@code sharedTask} is true; and its task
   * owner holds fewer than {@code maxPerTask} live grants in the task (the per-task quota counts per
   * (owner, task), so another owner cannot exhaust it).
   *
   * @param record the new record, in state LIVE
   * @param maxPerIdentity the most live grants per identity (at least 1)
   * @param maxPerTask the most live grants per (task owner, task) (at least 1)
   * @param sharedTask whether the record may join a task bound to another owner (a rule allows it)
   * @throws IllegalArgumentException if the record is not live or a maximum is below 1
   */
  InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask, boolean sharedTask);

  /**
   * {@link #insert(GrantRecord, int, int, boolean)} for a record that may not share its task with
   * another owner.
   */
  default InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask) {
    return insert(record, maxPerIdentity, maxPerTask, false);
  }

  /** The record of a grant, if the store still has it. */
  Optional<GrantRecord> find(String grantId);

  /**
   * Atomically replaces a record with {@code change} applied to it; the function is applied at most
   * once and must not have side effects. Returns the new record, or empty if there was none.
   */
  Optional<GrantRecord> update(String grantId, UnaryOperator<GrantRecord> change);

  /**
   * Ends, as one step where the store can, every grant of {@code grantIds} that is live: each becomes
   * {@code state} (REVOKED with a non-null {@code reason}, or EXPIRED with a null one) exactly as {@link #update} with
   * {@code rec -> rec.state() == LIVE ? rec.withState(state, reason) : rec} would, and the records this call
   * ended are returned; a grant that was already ended, or that the store does not have, is left out. The
   * broker's {@code revokeTask} and {@code revokeIdentity} use it (through
   * {@link #endLive(Collection, GrantState, RevocationReason, Ending)}). The default runs that update grant by
   * grant; a shared store ends them all in one transaction, so ten thousand grants of a task end in one
   * round trip.
   *
   * @param grantIds the grants to end
   * @param state REVOKED or EXPIRED
   * @param reason why they were revoked: non-null exactly for REVOKED, null for EXPIRED
   * @throws NullPointerException if {@code grantIds}, {@code state} or a grant id is null
   * @throws IllegalArgumentException if {@code state} is LIVE, or {@code reason} does not fit it (non-null
   *     exactly for REVOKED)
   */
  default List<GrantRecord> endLive(
      Collection<String> grantIds, GrantState state, @Nullable RevocationReason reason) {
    checkEnd(grantIds, state, reason);
    List<GrantRecord> ended = new ArrayList<>();
    for (String id : List.copyOf(grantIds)) {
      boolean[] changed = new boolean[1];
      update(id, rec -> {
        if (rec.state() != GrantState.LIVE) {
          return rec;
        }
        changed[0] = true;
        return rec.withState(state, reason);
      }).filter(r -> changed[0]).ifPresent(ended::add);
    }
    return List.copyOf(ended);
  }

  /**
   * What {@link #endLive(Collection, GrantState, RevocationReason, Ending)} calls around the grants it ends:
   * {@link #before} for each grant before the store may end it, {@link #ended} for each grant the call ended.
   * The broker keeps its own facts of a grant ({@code T}) from one step to the other.
   *
   * @param <T> what the caller keeps of a grant between the two steps
   */
  interface Ending<T> {
    /**
     * Called once for each id of the call (duplicates included), before the store may end that grant, on the
     * calling thread.
     *
     * @param grantId the grant the store is about to end, if it is live
     * @return what to hand to {@link #ended} for this grant, or null
     */
    @Nullable T before(String grantId);

    /**
     * Called once for each record the call ended, after the change (a {@link #find} from then on returns it
     * ended), on the calling thread.
     *
     * @param record the ended record
     * @param kept what {@link #before} returned for its grant
     */
    void ended(GrantRecord record, @Nullable T kept);
  }

  /**
   * {@link #endLive(Collection, GrantState, RevocationReason)} that calls {@code ending} around each grant
   * instead of returning the ended records; returns how many it ended. The broker's {@code revokeTask} and
   * {@code revokeIdentity} use it. The default calls {@link Ending#before} for every id, then
   * {@link #endLive(Collection, GrantState, RevocationReason)}, then {@link Ending#ended} for each record it
   * returned, so a store that ends many grants in one transaction keeps doing so. A store that ends grant by
   * grant may instead call the two steps around each grant's own change, so that the caller does its
   * bookkeeping of a grant while that grant's data is still in the processor's caches (the in-memory store
   * does: issue 17). An exception from {@code ending} is thrown to the caller; the grants not reached by then
   * are left as they are.
   *
   * @param grantIds the grants to end
   * @param state REVOKED or EXPIRED
   * @param reason why they were revoked: non-null exactly for REVOKED, null for EXPIRED
   * @param ending the steps around each grant
   * @param <T> what {@code ending} keeps of a grant between its two steps
   * @throws NullPointerException if {@code grantIds}, {@code state}, {@code ending} or a grant id is null
   * @throws IllegalArgumentException if {@code state} is LIVE, or {@code reason} does not fit it (non-null
   *     exactly for REVOKED)
   */
  default <T> int endLive(
      Collection<String> grantIds, GrantState state, @Nullable RevocationReason reason, Ending<T> ending) {
    checkEnd(grantIds, state, reason);
    Objects.requireNonNull(ending, "ending");
    List<String> ids = List.copyOf(grantIds);
    Map<String, T> kept = new HashMap<>();
    for (String id : ids) {
      T k = ending.before(id);
      if (k != null) {
        kept.put(id, k);
      }
    }
    List<GrantRecord> ended = endLive(ids, state, reason);
    for (GrantRecord r : ended) {
      ending.ended(r, kept.get(r.grantId()));
    }
    return ended.size();
  }

  /**
   * Checks the arguments of {@link #endLive}, for implementations.
   *
   * @throws NullPointerException if {@code grantIds}, {@code state} or a grant id is null
   * @throws IllegalArgumentException if {@code state} is LIVE, or {@code reason} does not fit it
   */
  static void checkEnd(Collection<String> grantIds, GrantState state, @Nullable RevocationReason reason) {
    Objects.requireNonNull(grantIds, "grantIds");
    Objects.requireNonNull(state, "state");
    try {
      // checks every id in the JDK's own (soon compiled) code, and in none for a list List.copyOf made, which
      // cannot hold null (issue 17: a loop here ran 10,000 times in the interpreter in a cold revokeTask)
      List.copyOf(grantIds);
    } catch (NullPointerException e) {
      throw new NullPointerException("grantIds contains null");
    }
    if (state == GrantState.LIVE) {
      throw new IllegalArgumentException("endLive ends grants; the state must be REVOKED or EXPIRED, got LIVE");
    }
    if ((state == GrantState.REVOKED) != (reason != null)) {
      throw new IllegalArgumentException("a reason goes exactly with REVOKED; got " + state + " with " + reason);
    }
  }

  /** Removes a record outright (an issuance that failed before the token left the broker). */
  void remove(String grantId);

  /** The ids of the live grants of a task. */
  Collection<String> liveByTask(String taskId);

  /** The ids of the live grants of an identity. */
  Collection<String> liveByIdentity(String identityId);

  /** How many grants are live. */
  int liveCount();

  /**
   * Records a one-time value, such as a DPoP proof's {@code jti}, until {@code until}; returns true if
   * the value was not recorded before. Every verifier reading this store then refuses a replay, not only
   * the one that saw the value first. The default does not record anything and returns true: with a
   * store that keeps the default, each verifier still refuses replays it saw itself.
   */
  default boolean markUsed(String value, Instant until) {
    return true;
  }

  /**
   * What a change feed tells its listeners: which grant changed and its state after the change, without
   * the rest of its record, so a burst of changes (a {@code revokeTask} of 10,000 grants on another
   * replica) costs each replica a small read, not 10,000 records. By the time a listener hears it, the
   * store answers {@link #find} for that grant from the change on (its local cache, if any, no longer holds
   * the old record); a listener that needs the whole record reads it with {@link #find}.
   *
   * @param grantId the grant that changed
   * @param state its state after the change
   * @param revocationReason why it was revoked: non-null exactly when {@code state} is REVOKED
   */
  record Change(String grantId, GrantState state, @Nullable RevocationReason revocationReason) {
    /**
     * Checks the change.
     *
     * @throws NullPointerException if {@code grantId} or {@code state} is null
     * @throws IllegalArgumentException if {@code revocationReason} does not fit {@code state} (non-null exactly
     *     for REVOKED)
     */
    public Change {
      Objects.requireNonNull(grantId, "grantId");
      Objects.requireNonNull(state, "state");
      if ((state == GrantState.REVOKED) != (revocationReason != null)) {
        throw new IllegalArgumentException(
            "a revocation reason goes exactly with REVOKED; got " + state + " with " + revocationReason);
      }
    }

    /** The change that leaves a grant as {@code record} is. */
    public static Change of(GrantRecord record) {
      Objects.requireNonNull(record, "record");
      return new Change(record.grantId(), record.state(), record.revocationReason());
    }
  }

  /**
   * Hears about grants changed through other instances that share this store's data: other replicas of
   * the service, or a person changing the database by hand. Each call carries the grant id and its state
   * after the change ({@link Change}); the rest of the record is one {@link #find} away.
   */
  @FunctionalInterface
  interface ChangeListener {
    /**
     * A grant changed elsewhere (for example it was revoked on another replica).
     *
     * @param change the grant and its state now
     */
    void onChange(Change change);
  }

  /** A registration made by {@link #subscribe}; closing it stops further calls. Closing twice is harmless. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    /** Stops calling the listener (a call already running may finish). */
    @Override
    void close();
  }

  /**
   * Registers a listener for changes made through other instances sharing this store's data (the change
   * feed). Delivery is at least once and may also include changes made through this instance, so a
   * listener must be idempotent; it runs on the store's feed thread or executor, and an exception it
   * throws is logged and changes nothing. A store that caches records drops a changed grant's record
   * from its cache before it calls the listeners (a verifier on this instance refuses a grant revoked
   * elsewhere as soon as the listeners hear of it). A deleted record is not delivered. A store whose data
   * no other instance shares, such as the in-memory store, never calls the listener: that is the default.
   *
   * @throws NullPointerException if {@code listener} is null
   */
  default Subscription subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    return () -> {};
  }
}
