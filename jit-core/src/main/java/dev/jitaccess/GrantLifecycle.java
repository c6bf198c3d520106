package dev.jitaccess;

import dev.jitaccess.internal.GrantAuditFields;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of the grants this broker issued: which are live, their timer events (expiring, expiry,
 * re-mint), how a grant ends (revocation, expiry, a parent's end, an end seen in the store) and what
 * its end cascades to, heartbeats, and the re-minting of renewing grants. Every end is audited exactly
 * once, by the call that made the store's LIVE-to-ended transition (with a shared store that may be
 * another replica, or the store's own sweeper), and its listeners are called exactly once, by the first
 * call that sees the ended record (the end itself, the timer or the change feed). Re-mints are
 * {@link Reminting}'s.
 */
final class GrantLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);

  private final Clock clock;
  private final GrantStore store;
  private final BrokerEvents events;
  private final Reminting reminting;
  private final double expiringFraction;
  private final double renewFraction;
  private final LifecycleTimer<LiveGrant> timer;
  /**
   * The grants this broker issued that have not ended yet, with their per-grant listeners. The store's
   * LIVE-to-ended transition decides which call reports an end; this map lets a timer that runs after
   * the store has already dropped a still-live record report its expiry once.
   */
  private final Map<String, LiveGrant> active = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> children = new ConcurrentHashMap<>();

  GrantLifecycle(BrokerConfig config, BrokerEvents events, Admission admission, Issuer issuer) {
    this.clock = config.clock();
    this.store = config.store();
    this.events = events;
    this.reminting = new Reminting(config, events, admission, issuer);
    this.expiringFraction = config.expiringFraction();
    this.renewFraction = config.renewFraction();
    this.timer = new LifecycleTimer<>(config.scheduler(), clock, this::onTimer);
  }

  // ---------------------------------------------------------------- start

  /** Starts tracking a grant about to be inserted, so that an end racing the insert finds its listeners. */
  LiveGrant track(GrantInfo info, List<GrantListener> own) {
    LiveGrant live = new LiveGrant(info, own);
    active.put(info.grantId(), live);
    return live;
  }

  /** Records a sub-grant under its parent, so that the parent's end revokes it. */
  void linkChild(String parentId, String childId) {
    children.computeIfAbsent(parentId, k -> ConcurrentHashMap.newKeySet()).add(childId);
  }

  /** Undoes a grant that was tracked (and perhaps inserted) but not issued. */
  void abort(String grantId) {
    try {
      store.remove(grantId);
    } catch (RuntimeException e) {
      LOG.error("could not remove aborted grant {} from the store: {}", grantId, e.getClass().getName());
    }
    forget(grantId);
    children.values().forEach(set -> set.remove(grantId));
  }

  /** Stops tracking a grant that was tracked but never inserted. */
  void untrack(String grantId) {
    forget(grantId);
  }

  /**
   * Starts the life of an issued grant: its timer events, {@code onIssued} (and {@code onBreakGlass}), and
   * its end at once when its parent ended while it was being issued.
   */
  void start(LiveGrant live, Grant grant, WorkloadIdentity identity, GrantRequest request, Issuer.Terms terms,
      @Nullable String parentId) {
    GrantInfo info = grant.info();
    String grantId = info.grantId();
    Instant now = terms.issuedAt();
    if (request.renewing()) {
      reminting.register(identity, request, grant);
      timer.schedule(live, LifecycleTimer.Kind.REMINT, now.plus(fraction(terms.ttl(), renewFraction)));
    } else {
      timer.schedule(live, LifecycleTimer.Kind.EXPIRING, now.plus(fraction(terms.ttl(), expiringFraction)));
    }
    // one entry per grant; if the grant ended meanwhile (end() cancelled the entry) this does nothing
    Instant idleDeadline = terms.idleDeadline();
    timer.schedule(live, LifecycleTimer.Kind.EXPIRY,
        idleDeadline.isBefore(terms.expiresAt()) ? idleDeadline : terms.expiresAt());
    List<GrantListener> own = request.listeners();
    events.notify(grantId, own, l -> l.onIssued(info), "onIssued");
    if (parentId != null && !isLive(parentId)) {
      // the parent ended while the child was being issued: the child dies with it
      end(grantId, GrantState.REVOKED, RevocationReason.PARENT, null);
    }
    if (info.breakGlass()) {
      events.notify(grantId, own, l -> l.onBreakGlass(info), "onBreakGlass");
    }
  }

  // ---------------------------------------------------------------- queries

  /** Whether the store holds the grant as live now. */
  boolean isLive(String grantId) {
    Instant now = clock.instant();
    return store.find(grantId).map(r -> r.isLiveAt(now)).orElse(false);
  }

  // ---------------------------------------------------------------- ends

  /** Revokes the live grants of a task; returns how many this call ended. */
  int revokeTask(String taskId) {
    return revokeAll(List.copyOf(store.liveByTask(taskId)), RevocationReason.TASK);
  }

  /** Revokes the live grants of an identity; returns how many this call ended. */
  int revokeIdentity(String identityId) {
    return revokeAll(List.copyOf(store.liveByIdentity(identityId)), RevocationReason.IDENTITY);
  }

  /**
   * Revokes many grants in one store step ({@link GrantStore#endLive(java.util.Collection, GrantState,
   * RevocationReason, GrantStore.Ending)}) and reports each end this call made exactly as {@link #end} does;
   * returns how many.
   */
  private int revokeAll(List<String> ids, RevocationReason reason) {
    if (ids.isEmpty()) {
      return 0;
    }
    Revocation revocation = new Revocation();
    int ended;
    try {
      ended = store.endLive(ids, GrantState.REVOKED, reason, revocation);
    } catch (RuntimeException e) {
      throw new JitException("the grant store failed while revoking " + ids.size() + " grants (" + reason + ")", e);
    } finally {
      revocation.flush(); // what the store ended is reported even if it failed afterwards
    }
    revocation.rethrow();
    return ended;
  }

  /**
   * {@link #revokeAll}'s steps around each grant the store ends. Before: the grant this broker tracks, taken
   * as in {@link #end} (once the state has changed, whoever sees the ended record first may stop tracking it,
   * and the grant's own listeners must still hear of its end). After: the grant leaves {@link #active} (the
   * grant the removal returns is the one taken before: a grant id is tracked once, for its whole life), and
   * goes into a batch; a full batch has the timer entries of its grants cancelled under one acquisition of
   * the timer's lock, then each of its ends audited, told and cascaded.
   *
   * <p>Issue 17: each look-up in {@link #active}, a million-entry map, and each first touch of a grant's
   * objects costs cache and TLB misses. With a store that ends grant by grant (the in-memory one) the two
   * touches of {@link #active} and the batch's bookkeeping come while the grant's data is still cached,
   * instead of in separate passes over all the grants, each of which missed again on every grant. So, with
   * such a store, the listeners hear of the first grants' ends while the call's later grants are still live
   * (before, every grant of the call had ended before any end was reported); each end is still reported once.
   */
  private final class Revocation implements GrantStore.Ending<LiveGrant> {
    /** How many ended grants wait for their timer entries to be cancelled and their ends reported. */
    private static final int BATCH = 64;
    private final GrantRecord[] records = new GrantRecord[BATCH];
    private final @Nullable LiveGrant[] grants = new LiveGrant[BATCH];
    /** The pending grants this call took out of {@link #active}: their timer entries are cancelled at a flush. */
    private final LiveGrant[] forgotten = new LiveGrant[BATCH];
    private int pending;
    private int forgottenCount;
    /**
     * The first failure of a report (an audit sink or listener throwing an {@link Error}, which the broker's
     * events do not catch), thrown once the store step is over: a report that fails must not stop the store
     * from ending the call's remaining grants (fail closed), as it could not when every grant ended before
     * any was reported.
     */
    private @Nullable Throwable failure;

    @Override
    public @Nullable LiveGrant before(String grantId) {
      return active.get(grantId);
    }

    @Override
    public void ended(GrantRecord record, @Nullable LiveGrant taken) {
      // whoever reports an end forgets it too, which is then a no-op; a timer that already fired finds the
      // ended record and no tracked grant
      LiveGrant g = active.remove(record.grantId());
      if (g != null) {
        forgotten[forgottenCount++] = g;
      } else {
        g = taken; // forgotten meanwhile by whoever claimed its report, or never tracked here (null)
      }
      records[pending] = record;
      grants[pending] = g;
      if (++pending == BATCH) {
        flush();
      }
    }

    /**
     * Cancels the timer entries of the pending grants, then reports their ends. The loop only calls
     * {@link #reportAt}, which holds all of a grant's work: the JIT compiles a method after a few hundred calls,
     * but a loop only after some 60,000 rounds of it.
     */
    void flush() {
      if (pending == 0) {
        return;
      }
      timer.cancelAll(forgotten, forgottenCount);
      Arrays.fill(forgotten, 0, forgottenCount, null);
      forgottenCount = 0;
      int n = pending;
      pending = 0;
      for (int i = 0; i < n; i++) {
        reportAt(i);
      }
    }

    /** Reports the end of the pending grant at {@code i} and clears its place; a failure is kept for later. */
    @SuppressWarnings("ReferenceEquality") // the same exception again: addSuppressed refuses an exception itself
    private void reportAt(int i) {
      GrantRecord record = records[i];
      LiveGrant g = grants[i];
      records[i] = null;
      grants[i] = null;
      try {
        reportForgotten(record, g, g == null || g.claimReport(), "");
      } catch (RuntimeException | Error e) {
        Throwable first = failure;
        if (first == null) {
          failure = e;
        } else if (first != e) {
          first.addSuppressed(e);
        }
      }
    }

    /** Throws the first failure of a report, if any, once every grant of the call was ended and reported. */
    void rethrow() {
      Throwable f = failure;
      if (f instanceof Error e) {
        throw e;
      }
      if (f instanceof RuntimeException e) {
        throw e;
      }
    }
  }

  /**
   * Moves a live grant to a terminal state; only the call that changes the state reports it.
   *
   * @param dueAt for a timer's expiry, the deadline it was set for (a grant renewed since is left alone)
   */
  boolean end(String grantId, GrantState state, @Nullable RevocationReason reason, @Nullable Instant dueAt) {
    return end(grantId, state, reason, dueAt, "");
  }

  /** {@link #end(String, GrantState, RevocationReason, Instant)} with a note appended to the audited reason. */
  private boolean end(String grantId, GrantState state, @Nullable RevocationReason reason, @Nullable Instant dueAt,
      String note) {
    // taken before the update: once the state has changed, the timer may stop tracking the grant at any
    // moment, and the grant's own listeners must still hear of its end
    LiveGrant tracked = active.get(grantId);
    boolean[] changed = new boolean[1];
    Optional<GrantRecord> after;
    try {
      after = store.update(grantId, rec -> {
        if (rec.state() != GrantState.LIVE) {
          return rec;
        }
        if (dueAt != null && dueAt.isBefore(rec.deadline())) {
          return rec; // renewed or re-minted since the timer was set
        }
        changed[0] = true;
        return rec.withState(state, reason);
      });
    } catch (RuntimeException e) {
      throw new JitException("the grant store failed while ending grant " + grantId, e);
    }
    if (!changed[0] || after.isEmpty()) {
      return false;
    }
    reportEnd(after.get(), tracked, note);
    return true;
  }

  /** Reports an end this broker made in the store: audits it, tells the listeners once, cascades. */
  private void reportEnd(GrantRecord ended, @Nullable LiveGrant tracked, String note) {
    // a grant another broker issued into a shared store is not tracked here; its end is still reported
    boolean claimed = tracked == null || tracked.claimReport();
    if (claimed) {
      forget(ended.grantId());
    }
    reportForgotten(ended, tracked, claimed, note);
  }

  /**
   * {@link #reportEnd} once the grant is no longer tracked ({@link #forget} done here, or by whoever claimed
   * the report): {@code claimed} says whether this call claimed it.
   */
  private void reportForgotten(GrantRecord ended, @Nullable LiveGrant tracked, boolean claimed, String note) {
    if (!claimed) {
      // a timer or the change feed saw the ended record first and told the listeners; the audit record is
      // this call's, since it changed the state
      audit(ended, note);
      return;
    }
    report(ended, tracked == null ? null : tracked.own(), note);
    cascade(ended.info());
  }

  /**
   * A grant this broker tracks was ended elsewhere (another replica changed the shared store; the change
   * feed says which grant and its new state, {@link GrantStore.Change}): calls its listeners once (unless
   * already reported) with the facts this broker kept, drops its timer events and revokes its sub-grants;
   * no record is read. It audits nothing: whoever changed the state audited the end (another replica's
   * broker, or the shared store's sweeper through its linked audit sink), so a shared trail holds each
   * end exactly once. For a grant this broker does not track it only revokes the sub-grants this broker
   * issued from it; a grant that is still live changes nothing.
   *
   * @return true if this call reported the end to the listeners
   */
  boolean onRemoteEnd(GrantStore.Change change) {
    if (change.state() == GrantState.LIVE) {
      return false;
    }
    String grantId = change.grantId();
    LiveGrant tracked = active.get(grantId);
    if (tracked == null) {
      // a parent issued on another replica: the sub-grants this broker issued from it end with it
      endChildren(grantId);
      return false;
    }
    if (!tracked.claimReport()) {
      return false;
    }
    forget(grantId);
    GrantInfo info = tracked.info();
    tell(info, change.state(), change.revocationReason(), tracked.own());
    cascade(info);
    return true;
  }

  /** Audits and calls back the end of a grant. */
  private void report(GrantRecord ended, @Nullable List<GrantListener> own, String note) {
    audit(ended, note);
    tell(ended.info(), ended.state(), ended.revocationReason(), own);
  }

  /** Audits the end of a grant (REVOKED with its reason, or EXPIRED as idle or ttl). */
  private void audit(GrantRecord ended, String note) {
    GrantInfo info = ended.info();
    // the fields are built when the sink reads them (GrantAuditFields.with), not on this thread, which may be
    // ending 10,000 grants of a revokeTask
    if (ended.state() == GrantState.REVOKED) {
      // String.concat, not '+': an indy string concatenation would be linked on the first revocation
      events.record(AuditEventType.REVOKED,
          GrantAuditFields.with(info, AuditEvent.REASON, revocationReason(ended).name().concat(note)));
    } else {
      events.record(AuditEventType.EXPIRED, GrantAuditFields.with(info, AuditEvent.REASON,
          (ended.idleDeadline().isBefore(info.expiresAt()) ? "idle" : "ttl").concat(note)));
    }
  }

  /** Calls back the end of a grant: onRevoked (with its reason) or onExpired. */
  private void tell(GrantInfo info, GrantState state, @Nullable RevocationReason reason,
      @Nullable List<GrantListener> own) {
    String grantId = info.grantId();
    if (state == GrantState.REVOKED) {
      RevocationReason why = Objects.requireNonNull(reason, "a revoked grant carries its reason");
      events.notify(grantId, own, l -> l.onRevoked(info, why), "onRevoked");
    } else {
      events.notify(grantId, own, l -> l.onExpired(info), "onExpired");
    }
  }

  /** The reason of a REVOKED record, which {@link GrantRecord} guarantees is there. */
  private static RevocationReason revocationReason(GrantRecord revoked) {
    return Objects.requireNonNull(revoked.revocationReason(), "a revoked record carries its reason");
  }

  private void cascade(GrantInfo info) {
    String grantId = info.grantId();
    reminting.forget(grantId);
    String parent = info.delegation().parentGrantId(); // no Optional and lambda per ended grant
    if (parent != null) {
      Set<String> siblings = children.get(parent);
      if (siblings != null) {
        siblings.remove(grantId);
      }
    }
    endChildren(grantId);
  }

  /** Revokes the sub-grants this broker issued from {@code grantId} (their parent ended). */
  private void endChildren(String grantId) {
    Set<String> kids = children.remove(grantId);
    if (kids != null) {
      for (String kid : kids) {
        end(kid, GrantState.REVOKED, RevocationReason.PARENT, null);
      }
    }
  }

  // ---------------------------------------------------------------- heartbeat

  /** Extends a live grant's idle deadline (never past its expiry, unless it renews); false if not live. */
  boolean renew(String grantId) {
    Instant now = clock.instant();
    boolean standing = reminting.isRenewing(grantId);
    boolean[] live = new boolean[1];
    Optional<GrantRecord> after = store.update(grantId, rec -> {
      if (!rec.isLiveAt(now)) {
        return rec;
      }
      live[0] = true;
      Duration idle = rec.idleTimeout();
      if (idle == null) {
        return rec;
      }
      Instant next = now.plus(idle);
      if (!standing && next.isAfter(rec.info().expiresAt())) {
        next = rec.info().expiresAt();
      }
      return rec.withIdleDeadline(next);
    });
    if (!live[0] || after.isEmpty()) {
      return false;
    }
    GrantRecord rec = after.get();
    Map<String, String> f = BrokerEvents.grantFields(rec.info());
    f.put(AuditEvent.REASON, "heartbeat; idle deadline " + rec.idleDeadline());
    events.record(AuditEventType.RENEWED, f);
    events.notify(grantId, own(grantId), l -> l.onRenewed(rec.info()), "onRenewed");
    return true;
  }

  /**
   * Heartbeat with a fresh credential: verified now as the grant's identity; for a renewing grant it is
   * the credential the next re-mint re-verifies. False (nothing changes) when the grant is not live or the
   * credential does not verify as its identity.
   */
  boolean renew(String grantId, Credential credential) {
    Optional<GrantRecord> rec = store.find(grantId);
    if (rec.isEmpty() || !rec.get().isLiveAt(clock.instant())) {
      return false;
    }
    return reminting.reprove(grantId, rec.get().info().subject(), credential) && renew(grantId);
  }

  // ---------------------------------------------------------------- timer

  private void onTimer(LiveGrant g, LifecycleTimer.Kind kind) {
    String grantId = g.grantId();
    switch (kind) {
      case EXPIRY -> onExpiryDue(g, grantId);
      case EXPIRING -> store.find(grantId)
            .filter(r -> r.isLiveAt(clock.instant()))
            .ifPresent(r -> events.notify(grantId, own(grantId), l -> l.onExpiring(r.info()), "onExpiring"));
      case REMINT -> remint(g, grantId);
      default -> throw new IllegalStateException("unknown timer kind " + kind);
    }
  }

  /** Stops tracking a grant: takes it out of {@link #active} and drops its timer entry. */
  private @Nullable LiveGrant forget(String grantId) {
    LiveGrant g = active.remove(grantId);
    if (g != null) {
      timer.cancel(g);
    }
    return g;
  }

  private @Nullable List<GrantListener> own(String grantId) {
    LiveGrant g = active.get(grantId);
    return g == null ? null : g.own();
  }

  private void onExpiryDue(LiveGrant g, String grantId) {
    Optional<GrantRecord> rec = store.find(grantId);
    if (rec.isPresent() && rec.get().state() != GrantState.LIVE) {
      // ended by a revocation here or by another replica (or its sweeper): the call that changed the state
      // audited it; the listeners hear it once, from whichever look at the ended record claims it first
      onRemoteEnd(GrantStore.Change.of(rec.get()));
      forget(grantId);
      return;
    }
    if (rec.isEmpty()) {
      reportDropped(g, grantId);
      return;
    }
    Instant now = clock.instant();
    Instant deadline = rec.get().deadline();
    if (now.isBefore(deadline)) {
      timer.schedule(g, LifecycleTimer.Kind.EXPIRY, deadline);
      return;
    }
    if (!end(grantId, GrantState.EXPIRED, null, now)) {
      Optional<GrantRecord> after = store.find(grantId);
      if (after.isEmpty()) {
        // dropped between the look-up above and the update (the clock passed its retention meanwhile)
        reportDropped(g, grantId);
      } else if (after.get().state() == GrantState.LIVE) {
        timer.schedule(g, LifecycleTimer.Kind.EXPIRY, after.get().deadline());
      }
    }
  }

  /**
   * The store dropped a live grant's record before this (late) timer could end it, so no call can end it
   * any more: report its expiry once, from what this broker kept, unless a concurrent end() claimed the
   * report first.
   */
  private void reportDropped(LiveGrant g, String grantId) {
    if (active.get(grantId) != g || !g.claimReport()) {
      return;
    }
    forget(grantId);
    GrantRecord ended = GrantRecord.live(g.info(), null, Instant.MAX)
        .withState(GrantState.EXPIRED, null);
    report(ended, g.own(), " (reported late: the store had already dropped it)");
    cascade(ended.info());
  }

  /** Re-mints a renewing grant ({@link Reminting#remint}) and acts on the outcome. */
  private void remint(LiveGrant g, String grantId) {
    Reminting.Outcome outcome = reminting.remint(grantId);
    if (outcome instanceof Reminting.Revoke revoke) {
      end(grantId, GrantState.REVOKED, revoke.reason(), null, revoke.note());
    } else if (outcome instanceof Reminting.Reminted reminted) {
      GrantInfo info = reminted.info();
      g.info(info);
      events.notify(grantId, own(grantId), l -> l.onRenewed(info), "onRenewed");
      timer.schedule(g, LifecycleTimer.Kind.REMINT,
          info.issuedAt().plus(fraction(reminted.terms().ttl(), renewFraction)));
    }
  }

  // ---------------------------------------------------------------- close and test hooks

  /** Stops the timer: no lifecycle event fires after this. */
  void stop() {
    timer.stop();
  }

  /** How many grants have a pending timer event; for tests (ended grants must leave none behind). */
  int pendingTimerEntries() {
    return timer.size();
  }

  /** How many timer entries are queued, cancelled ones not yet dropped included; for tests. */
  int queuedTimerEntries() {
    return timer.queued();
  }

  /** How many grants this broker tracks as not yet ended; for tests. */
  int trackedGrants() {
    return active.size();
  }

  private static Duration fraction(Duration d, double f) {
    return Duration.ofNanos((long) (d.toNanos() * f));
  }
}
