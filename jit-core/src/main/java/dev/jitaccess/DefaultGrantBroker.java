package dev.jitaccess;

import com.nimbusds.jose.JOSEException;
import dev.jitaccess.internal.BrokerKeys;
import dev.jitaccess.internal.DirectoryKeyRing;
import dev.jitaccess.internal.GrantTokens;
import dev.jitaccess.internal.KeyRing;
import dev.jitaccess.internal.TokenVerifier;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.BrokerObserver;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link GrantBroker} implementation: orchestration only. {@link Admission} verifies and decides,
 * {@link Issuer} makes grants, {@link GrantLifecycle} runs them until they end, {@link ApprovalFlow}
 * waits for approvals, {@link BrokerEvents} audits and calls listeners; {@link BrokerConfig} holds the
 * options.
 */
final class DefaultGrantBroker implements GrantBroker, Grant.Lifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);

  private final BrokerConfig config;
  private final GrantStore store;
  private final BrokerKeys keys;
  private final TokenVerifier verifier;
  /** {@link #verifier} as {@link #verifier()} hands it out: each check observed. */
  private final GrantVerifier observedVerifier;
  private final ObservedOperations observed;
  private final BrokerEvents events;
  private final Admission admission;
  private final Issuer issuer;
  private final GrantLifecycle lifecycle;
  private final @Nullable ApprovalFlow approvals;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Guards {@link #inFlight}; {@link #close()} waits on {@link #landed} for in-flight requests. */
  private final java.util.concurrent.locks.ReentrantLock flight = new java.util.concurrent.locks.ReentrantLock();
  private final java.util.concurrent.locks.Condition landed = flight.newCondition();
  /** Requests and issuances under way; a request enters only while the broker is open. */
  private int inFlight;
  private volatile Scheduler.@Nullable Cancellable rotationTask;
  /** The store's change feed: ends of this broker's grants made on other replicas. */
  private final GrantStore.Subscription remoteChanges;

  DefaultGrantBroker(BrokerConfig config) {
    this.config = config;
    this.store = config.store();
    try {
      this.keys = keys(config);
    } catch (RuntimeException e) {
      closeOwnScheduler(config);
      throw e;
    }
    this.verifier = new TokenVerifier(
        config.issuer(), keys::find, config.clock(), config.clockSkew(), store, config.audit(), 16 * 1024);
    this.observed = new ObservedOperations(config.observer());
    this.observedVerifier = observed.verifier(verifier);
    this.events = new BrokerEvents(config);
    this.admission = new Admission(config);
    this.issuer = new Issuer(config, keys, events);
    this.lifecycle = new GrantLifecycle(config, events, admission, issuer);
    this.approvals = config.approvalHandler() == null
        ? null : new ApprovalFlow(config.approvalHandler(), config, events, issuer, admission);
    if (config.keyRotation() != null) {
      scheduleRotation(config.keyRotation());
    }
    this.remoteChanges = store.subscribe(lifecycle::onRemoteEnd);
  }

  /** The broker's keys: a directory's, the user's set, or one key in memory (shared or generated). */
  private static BrokerKeys keys(BrokerConfig config) {
    Duration retention = config.maxTtl().plus(config.clockSkew());
    KeyDirectory directory = config.keyDirectory();
    if (directory != null) {
      return new DirectoryKeyRing(config.algorithm(), directory, config.clock(),
          Objects.requireNonNull(config.keyRotation(), "keyRotation"), retention, config.clockSkew());
    }
    SigningKeys set = config.signingKeys();
    if (set != null) {
      return new KeyRing(config.algorithm(), set.active(), set.verifyOnly(), config.clock(), retention);
    }
    return new KeyRing(config.algorithm(), config.signingKey(), config.clock(), retention);
  }

  // ---------------------------------------------------------------- requests

  @Override
  public Grant request(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    enter();
    try {
      return observed.grant(BrokerObserver.Operation.REQUEST, () -> requestObserved(request));
    } finally {
      leave();
    }
  }

  private Grant requestObserved(GrantRequest request) {
    Admission.Evaluation ev = admit(request);
    Decision d = ev.decision();
    if (d instanceof Decision.Allow allow) {
      return issue(ev.verifiedIdentity(), request, allow, null, List.of(), null);
    }
    if (d instanceof Decision.NeedsApproval) {
      throw events.denied(ev.identity(), request, d, null, "approval required; use requestAsync",
          DenialCategory.APPROVAL);
    }
    throw events.denied(ev.identity(), request, d, ev.cause());
  }

  @Override
  public Decision evaluate(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    ensureOpen();
    return observed.evaluate(() -> evaluateObserved(request));
  }

  private Decision evaluateObserved(GrantRequest request) {
    Admission.Evaluation ev = admission.decide(request, true);
    Map<String, String> f = events.requestFields(ev.identity(), request);
    f.put(AuditEvent.REASON, BrokerEvents.kind(ev.decision()) + ": " + String.join("; ", ev.decision().reasons()));
    BrokerEvents.putDecision(f, ev.decision());
    events.record(AuditEventType.EVALUATED, f);
    return ev.decision();
  }

  @Override
  public CompletionStage<Grant> requestAsync(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    enter();
    try {
      return observed.async(() -> requestAsyncObserved(request));
    } finally {
      leave();
    }
  }

  private CompletionStage<Grant> requestAsyncObserved(GrantRequest request) {
    try {
      Admission.Evaluation ev = admit(request);
      Decision d = ev.decision();
      if (d instanceof Decision.Allow allow) {
        return CompletableFuture.completedFuture(
            issue(ev.verifiedIdentity(), request, allow, null, List.of(), null));
      }
      if (!(d instanceof Decision.NeedsApproval needsApproval)) {
        throw events.denied(ev.identity(), request, d, ev.cause());
      }
      ApprovalFlow flow = approvals;
      if (flow == null) {
        throw events.denied(ev.identity(), request, d, null, "approval required but no approval handler is configured",
            DenialCategory.APPROVAL);
      }
      return flow.await(ev.verifiedIdentity(), request, needsApproval,
          (identity, r, allow, approvalId, given) -> issueLater(identity, r, allow, approvalId, given));
    } catch (JitException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Issues an approved grant (the approval came after the request returned), unless the broker closed. */
  private Grant issueLater(WorkloadIdentity identity, GrantRequest request, Decision.Allow allow,
      @Nullable String approvalId, List<Approval> given) {
    if (!tryEnter()) {
      throw events.denied(identity, request, allow, null,
          "closed: the broker was closed before the approved grant could be issued", DenialCategory.UNAVAILABLE);
    }
    try {
      return issue(identity, request, allow, approvalId, given, null);
    } finally {
      leave();
    }
  }

  @Override
  public <T extends @Nullable Object> T runWithGrant(GrantRequest request, GrantTask<T> task) {
    Objects.requireNonNull(task, "task");
    Grant grant = request(request);
    T result;
    try {
      result = task.run(grant);
    } catch (RuntimeException | Error e) {
      revoke(grant.id(), RevocationReason.FAILED);
      throw e;
    } catch (Exception e) {
      revoke(grant.id(), RevocationReason.FAILED);
      throw new JitException("task failed while holding grant " + grant.id(), e);
    }
    revoke(grant.id(), RevocationReason.COMPLETED);
    return result;
  }

  @Override
  public Grant delegate(DelegationRequest d) {
    Objects.requireNonNull(d, "request");
    enter();
    try {
      return observed.grant(BrokerObserver.Operation.DELEGATE, () -> delegateObserved(d));
    } finally {
      leave();
    }
  }

  private Grant delegateObserved(DelegationRequest d) {
    Instant now = config.clock().instant();
    Decision.Deny parentProblem = null;
    GrantRecord parent = null;
    String claimedParentId = null;
    Optional<Grant> handle = d.parentGrant();
    if (handle.isPresent()) {
      if (!handle.get().issuedBy(this)) {
        parentProblem = Decision.deny(DenialCategory.IDENTITY,
            "delegation: the parent grant handle was not issued by this broker");
        claimedParentId = ClaimedSubject.sanitise(handle.get().id());
      } else {
        parent = store.find(handle.get().id()).orElse(null);
      }
    } else {
      String token = d.parentToken().orElseThrow();
      String jti = events.claims().claim(token, "jti");
      claimedParentId = jti == null ? null : ClaimedSubject.sanitise(jti);
      Verification v = verifyParentToken(token, jti, d);
      if (v instanceof Verification.Rejected r) {
        parentProblem = Decision.deny(DenialCategory.IDENTITY,
            "delegation: the parent token does not verify (" + r.reason() + ")");
      } else {
        parent = store.find(((Verification.Verified) v).grant().grantId()).orElse(null);
      }
    }
    String resource = d.resource().orElse(parent != null ? parent.info().resource() : "unknown");
    GrantRequest.Builder b = GrantRequest.builder()
        .credential(d.credential())
        .taskId(parent == null ? "unknown" : parent.info().taskId())
        .purpose(parent == null ? "delegation" : parent.info().purpose())
        .resource(resource)
        .actions(d.actions())
        .environment(parent == null ? "unknown" : parent.info().environment())
        .ttl(d.ttl());
    if (parent != null) {
      b.brokerAttribute(DelegationRequest.PARENT_ATTRIBUTE, parent.grantId())
          .brokerAttribute(DelegationRequest.DEPTH_ATTRIBUTE, parent.info().delegators().size() + 1)
          .brokerAttribute(DelegationRequest.DELEGATOR_ATTRIBUTE, parent.info().subject());
    }
    d.justification().ifPresent(b::justification);
    d.dpopKey().ifPresent(b::dpopKey);
    d.listeners().forEach(b::listener);
    GrantRequest request = b.build();
    Decision.Deny problem = parentProblem != null ? parentProblem : parentProblem(parent, resource, d.actions(), now);
    if (problem == null && parent != null && parent.info().singleUse() && handle.isPresent() && !spendUse(parent, now)) {
      problem = Decision.deny(DenialCategory.INVALID_REQUEST, "delegation: the single-use parent grant was already used");
    }
    if (problem != null || parent == null) {
      throw events.deniedDelegation(request,
          problem != null ? problem : Decision.deny(DenialCategory.INVALID_REQUEST, "delegation: no parent"),
          parent == null ? claimedParentId : null);
    }
    Admission.Evaluation ev = admit(request);
    if (!(ev.decision() instanceof Decision.Allow allow)) {
      throw ev.decision() instanceof Decision.NeedsApproval
          ? events.denied(ev.identity(), request, ev.decision(), null, "delegation: a delegation cannot wait for approval",
              DenialCategory.APPROVAL)
          : events.denied(ev.identity(), request, ev.decision(), ev.cause());
    }
    Grant child = issue(ev.verifiedIdentity(), request, allow, parent.info().approval().approvalId(),
        parent.info().approvals(), parent);
    Map<String, String> f = BrokerEvents.grantFields(child.info());
    // both parties: the actor is the record's identity, the delegator and the subject (the token's sub,
    // on whose behalf the chain acts, RFC 8693) are named here
    f.put(AuditEvent.REASON, "delegated by " + parent.info().subject() + " from grant " + parent.grantId()
        + " on behalf of " + GrantTokens.subject(child.info()));
    events.record(AuditEventType.DELEGATED, f);
    return child;
  }

  /**
   * Verifies a parent token as a resource server would, with its proof of possession when one was given
   * (a sender-constrained parent without one is refused). A single-use parent's use is spent here.
   */
  private Verification verifyParentToken(String token, @Nullable String jti, DelegationRequest d) {
    String audience = jti == null ? null : store.find(jti).map(r -> r.info().resource()).orElse(null);
    if (audience == null) {
      return new Verification.Rejected(Verification.RejectionReason.UNKNOWN_GRANT, "not a grant of this broker");
    }
    VerificationRequest.Builder vr = VerificationRequest.builder(audience);
    if (d.parentDpopProof().isPresent()) {
      vr.dpop(d.parentDpopProof().get(), d.httpMethod().orElseThrow(), d.httpUri().orElseThrow());
    }
    d.parentCertificate().ifPresent(vr::peerCertificate);
    return verifier.verify(token, vr.build());
  }

  /** Spends the one use of a single-use parent on its delegation; false if it was already used. */
  private boolean spendUse(GrantRecord parent, Instant now) {
    boolean[] spent = new boolean[1];
    store.update(parent.grantId(), rec -> {
      if (rec.uses() == 0 && rec.isLiveAt(now)) {
        spent[0] = true;
        return rec.withUse();
      }
      return rec;
    });
    return spent[0];
  }

  /** Why {@code parent} cannot be attenuated into this sub-grant, or null if it can. */
  private static Decision.@Nullable Deny parentProblem(
      @Nullable GrantRecord parent, String resource, Set<String> actions, Instant now) {
    if (parent == null || !parent.isLiveAt(now)) {
      return Decision.deny(DenialCategory.INVALID_REQUEST, "delegation: the parent grant is not live");
    }
    if (parent.info().delegationsLeft() < 1) {
      return Decision.deny(DenialCategory.POLICY, "delegation: the parent grant may not be delegated (further)");
    }
    if (parent.info().delegators().size() + 1 > GrantTokens.MAX_CHAIN) {
      return Decision.deny(DenialCategory.POLICY, "delegation: the chain would be longer than " + GrantTokens.MAX_CHAIN);
    }
    if (!isWithin(resource, parent.info().resource())) {
      return Decision.deny(DenialCategory.POLICY,
          "delegation: resource " + resource + " is not within the parent's " + parent.info().resource());
    }
    if (!parent.info().actions().containsAll(actions)) {
      Set<String> wider = new LinkedHashSet<>(actions);
      wider.removeAll(parent.info().actions());
      return Decision.deny(DenialCategory.POLICY, "delegation: actions " + wider + " are not granted by the parent");
    }
    return null;
  }

  /**
   * Whether {@code resource} is {@code parent} or a path below it. Below means {@code parent + "/"} and
   * then only plain segments: an empty, {@code .} or {@code ..} segment, a percent sign (encoded dots or
   * slashes), a backslash, a query or a fragment could climb out of the parent once a server normalises
   * the path, so they are refused.
   */
  static boolean isWithin(String resource, String parent) {
    return dev.jitaccess.internal.Resources.isWithin(resource, parent);
  }

  /** Verifies and decides, and records REQUESTED (a failing sink denies when it blocks issuance). */
  private Admission.Evaluation admit(GrantRequest request) {
    Admission.Evaluation ev = admission.decide(request, false);
    events.recordOrDeny(AuditEventType.REQUESTED, events.requestFields(ev.identity(), request), ev.identity(),
        request);
    return ev;
  }

  /** Issues a grant; with {@code parent}, a sub-grant that is never wider or longer-lived than it. */
  private Grant issue(WorkloadIdentity identity, GrantRequest request, Decision.Allow allow,
      @Nullable String approvalId, List<Approval> given, @Nullable GrantRecord parent) {
    Instant now = config.clock().instant();
    Issuer.Terms terms;
    try {
      terms = issuer.terms(request.actions(), request, allow.terms(), parent, false, identity.expiresAt(), now);
    } catch (Issuer.Refused e) {
      throw events.denied(identity, request, allow, null, e.getMessage(), DenialCategory.POLICY);
    }
    GrantInfo info = issuer.info(identity, request, terms, allow.terms(), allow.ruleIds(), approvalId, given, parent);
    String grantId = info.grantId();
    GrantLifecycle.LiveGrant live = lifecycle.track(info, request.listeners());
    try {
      issuer.insert(info, terms, identity, request, allow);
    } catch (AccessDeniedException e) {
      lifecycle.untrack(grantId);
      throw e;
    }
    if (parent != null) {
      lifecycle.linkChild(parent.grantId(), grantId);
    }
    String token;
    try {
      token = issuer.sign(info, identity);
    } catch (JOSEException | RuntimeException e) {
      lifecycle.abort(grantId);
      LOG.error("signing grant {} failed with {}; nothing issued", grantId, e.getClass().getName());
      throw events.denied(identity, request, allow, e, "signing: the token could not be signed",
          DenialCategory.UNAVAILABLE);
    }
    if (closed.get()) {
      // close() began while this grant was being made: it is refused, never handed out (close waits for it)
      lifecycle.abort(grantId);
      throw events.denied(identity, request, allow, null,
          "closed: the broker was closed while this grant was being issued; nothing was issued",
          DenialCategory.UNAVAILABLE);
    }
    try {
      issuer.auditIssued(info, token, allow, request);
    } catch (RuntimeException e) {
      if (events.auditBlocks()) {
        lifecycle.abort(grantId);
        LOG.error("audit sink failed with {}; grant {} not issued", e.getClass().getName(), grantId);
        throw events.denied(identity, request, allow, e, "audit: the audit sink failed, so nothing was issued",
            DenialCategory.UNAVAILABLE);
      }
      LOG.error("audit sink failed with {} recording grant {}; issued anyway (auditFailureBlocksIssuance=false)",
          e.getClass().getName(), grantId);
    }
    Grant grant = new Grant(this, info, token);
    lifecycle.start(live, grant, identity, request, terms, parent == null ? null : parent.grantId());
    return grant;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public boolean revoke(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return revoke(grantId, RevocationReason.EXPLICIT);
  }

  @Override
  public boolean revoke(String grantId, RevocationReason reason) {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(reason, "reason");
    return lifecycle.end(grantId, GrantState.REVOKED, Optional.of(reason), null);
  }

  @Override
  public int revokeTask(String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    return lifecycle.revokeTask(taskId);
  }

  @Override
  public int revokeIdentity(String identityId) {
    Objects.requireNonNull(identityId, "identityId");
    admission.revoked(identityId);
    return lifecycle.revokeIdentity(identityId);
  }

  @Override
  public boolean renew(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return lifecycle.renew(grantId);
  }

  @Override
  public boolean renew(String grantId, Credential credential) {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(credential, "credential");
    return lifecycle.renew(grantId, credential);
  }

  @Override
  public boolean isLive(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return lifecycle.isLive(grantId);
  }

  @Override
  public Optional<GrantInfo> find(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return store.find(grantId).map(GrantRecord::info);
  }

  /** The lifecycle part, for tests and for wiring a store's change feed. */
  GrantLifecycle lifecycle() {
    return lifecycle;
  }

  /** How many grants have a pending timer event; for tests (ended grants must leave none behind). */
  int pendingTimerEntries() {
    return lifecycle.pendingTimerEntries();
  }

  /** How many timer entries are queued, cancelled ones not yet dropped included; for tests. */
  int queuedTimerEntries() {
    return lifecycle.queuedTimerEntries();
  }

  /** How many grants this broker tracks as not yet ended; for tests. */
  int trackedGrants() {
    return lifecycle.trackedGrants();
  }

  // ---------------------------------------------------------------- keys, verifier, close

  @Override
  public GrantVerifier verifier() {
    return observedVerifier;
  }

  @Override
  public String publicJwks() {
    return keys.publicJwks();
  }

  @Override
  public Optional<Instant> signingKeyActiveSince() {
    return Optional.of(keys.activeSince());
  }

  @Override
  public void rotateKeys() {
    ensureOpen();
    keys.rotate();
    LOG.info("signing key rotated; new kid {}", keys.signingKey().kid());
  }

  private void scheduleRotation(Duration interval) {
    rotationTask = config.scheduler().schedule(() -> {
      if (closed.get()) {
        return;
      }
      try {
        rotateKeys();
      } finally {
        scheduleRotation(interval);
      }
    }, config.clock().instant().plus(interval));
  }

  @Override
  public void close() {
    flight.lock();
    try {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
    } finally {
      flight.unlock();
    }
    Scheduler.Cancellable r = rotationTask;
    if (r != null) {
      r.cancel();
    }
    remoteChanges.close();
    awaitInFlight();
    lifecycle.stop();
    keys.close();
    closeOwnScheduler(config);
  }

  private static void closeOwnScheduler(BrokerConfig config) {
    Scheduler.Threaded own = config.ownScheduler();
    if (own != null) {
      own.close();
    }
  }

  /** How long {@link #close()} waits for requests in flight to finish. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  /** Enters a request: refused once the broker is closed. */
  private void enter() {
    if (!tryEnter()) {
      throw new IllegalStateException("the broker is closed");
    }
  }

  private boolean tryEnter() {
    flight.lock();
    try {
      if (closed.get()) {
        return false;
      }
      inFlight++;
      return true;
    } finally {
      flight.unlock();
    }
  }

  private void leave() {
    flight.lock();
    try {
      if (--inFlight == 0) {
        landed.signalAll();
      }
    } finally {
      flight.unlock();
    }
  }

  /**
   * Waits, at most {@link #CLOSE_WAIT}, for the requests in flight when close() began: each either
   * finished issuing before close, or sees the broker closed and is refused (its grant aborted, a DENIED
   * record written). One still running after the wait is refused the same way when it reaches that point.
   */
  private void awaitInFlight() {
    flight.lock();
    try {
      long left = CLOSE_WAIT.toNanos();
      while (inFlight > 0 && left > 0) {
        left = landed.awaitNanos(left);
      }
      if (inFlight > 0) {
        LOG.warn("closed with {} request(s) still in flight after {}; they will be refused", inFlight, CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      flight.unlock();
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the broker is closed");
    }
  }
}
