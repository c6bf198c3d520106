package dev.jitaccess;

import dev.jitaccess.internal.BrokerKeys;
import dev.jitaccess.internal.TokenVerifier;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.BrokerObserver;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.Scheduler;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The {@link GrantBroker} implementation: orchestration only. {@link Admission} verifies and decides,
 * {@link Issuance} issues an allowed grant through {@link Issuer} (terms, facts, signature, store),
 * {@link Delegation} checks and attenuates a parent, {@link GrantLifecycle} runs grants until they end,
 * {@link ApprovalFlow} waits for approvals, {@link BrokerEvents} audits and calls listeners,
 * {@link KeyRotation} holds and rotates the keys, {@link RequestGate} lets requests in while the broker is
 * open; {@link BrokerConfig} holds the options.
 */
final class DefaultGrantBroker implements GrantBroker, Grant.Lifecycle {
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
  private final Issuance issuance;
  private final Delegation delegation;
  private final @Nullable ApprovalFlow approvals;
  private final RequestGate gate = new RequestGate();
  private final KeyRotation rotation;
  /** The store's change feed: ends of this broker's grants made on other replicas. */
  private final GrantStore.Subscription remoteChanges;

  DefaultGrantBroker(BrokerConfig config) {
    this.config = config;
    this.store = config.store();
    try {
      this.keys = KeyRotation.keys(config);
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
    this.issuance = new Issuance(config, issuer, lifecycle, events, gate, this);
    this.delegation = new Delegation(config, verifier, events, this::admit, issuance, this);
    this.approvals = config.approvalHandler() == null
        ? null : new ApprovalFlow(config.approvalHandler(), config, events, issuer, admission);
    this.rotation = new KeyRotation(config, keys, gate);
    this.remoteChanges = store.subscribe(lifecycle::onRemoteEnd);
  }

  // ---------------------------------------------------------------- requests

  @Override
  public Grant request(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    gate.enter();
    try {
      return observed.grant(BrokerObserver.Operation.REQUEST, () -> requestObserved(request));
    } finally {
      gate.leave();
    }
  }

  private Grant requestObserved(GrantRequest request) {
    Admission.Evaluation ev = admit(request);
    Decision d = ev.decision();
    if (d instanceof Decision.Allow allow) {
      return issuance.issue(ev.verifiedIdentity(), request, allow, null, List.of(), null);
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
    gate.ensureOpen();
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
    gate.enter();
    try {
      return observed.async(() -> requestAsyncObserved(request));
    } finally {
      gate.leave();
    }
  }

  private CompletionStage<Grant> requestAsyncObserved(GrantRequest request) {
    try {
      Admission.Evaluation ev = admit(request);
      Decision d = ev.decision();
      if (d instanceof Decision.Allow allow) {
        return CompletableFuture.completedFuture(
            issuance.issue(ev.verifiedIdentity(), request, allow, null, List.of(), null));
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
    if (!gate.tryEnter()) {
      throw events.denied(identity, request, allow, null,
          "closed: the broker was closed before the approved grant could be issued", DenialCategory.UNAVAILABLE);
    }
    try {
      return issuance.issue(identity, request, allow, approvalId, given, null);
    } finally {
      gate.leave();
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
    gate.enter();
    try {
      return observed.grant(BrokerObserver.Operation.DELEGATE, () -> delegation.delegate(d));
    } finally {
      gate.leave();
    }
  }

  /** Verifies and decides, and records REQUESTED (a failing sink denies when it blocks issuance). */
  private Admission.Evaluation admit(GrantRequest request) {
    Admission.Evaluation ev = admission.decide(request, false);
    events.recordOrDeny(AuditEventType.REQUESTED, events.requestFields(ev.identity(), request), ev.identity(),
        request);
    return ev;
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
    return lifecycle.end(grantId, GrantState.REVOKED, reason, null);
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
    rotation.rotate();
  }

  @Override
  public void close() {
    if (!gate.close()) {
      return;
    }
    rotation.stop();
    remoteChanges.close();
    gate.awaitInFlight();
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
}
