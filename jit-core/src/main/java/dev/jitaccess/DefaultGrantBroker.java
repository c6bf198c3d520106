package dev.jitaccess;

import com.nimbusds.jose.JOSEException;
import dev.jitaccess.internal.CredentialCache;
import dev.jitaccess.internal.GrantTokens;
import dev.jitaccess.internal.IsoInstants;
import dev.jitaccess.internal.KeyRing;
import dev.jitaccess.internal.TokenVerifier;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantListener;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import dev.jitaccess.spi.PolicyContext;
import dev.jitaccess.spi.PolicyEvaluator;
import dev.jitaccess.spi.Scheduler;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link GrantBroker} implementation. */
final class DefaultGrantBroker implements GrantBroker, Grant.Lifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);
  private static final int MAX_CHAIN_LENGTH = 16;
  private static final String UNVERIFIED = "unverified";

  private final String issuer;
  private final List<IdentityVerifier> identityVerifiers;
  private final PolicyEvaluator policy;
  private final @Nullable ApprovalHandler approvalHandler;
  private final GrantStore store;
  private final AuditSink audit;
  private final boolean auditBlocks;
  private final List<GrantListener> listeners;
  private final Clock clock;
  private final Scheduler scheduler;
  private final boolean ownsScheduler;
  private final Executor callbackExecutor;
  private final KeyRing keys;
  private final @Nullable Duration keyRotation;
  private final Duration maxTtl;
  private final Duration breakGlassTtl;
  private final double expiringFraction;
  private final double renewFraction;
  private final int maxPerIdentity;
  private final int maxPerTask;
  private final int maxCredentialBytes;
  private final TokenVerifier verifier;
  private final @Nullable CredentialCache credentialCache;
  private final LifecycleTimer<LiveGrant> timer;
  private final SecureRandom random = new SecureRandom();
  /**
   * The grants this broker issued that have not ended yet, with their per-grant listeners. The store's
   * LIVE-to-ended transition decides which call reports an end; this map lets a timer that runs after
   * the store has already dropped a still-live record report its expiry once.
   */
  private final Map<String, LiveGrant> active = new ConcurrentHashMap<>();
  private final Map<String, Renewing> renewing = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> children = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Scheduler.@Nullable Cancellable rotationTask;

  /**
   * A grant this broker issued and has not seen end: its facts, its own listeners, and (as the timer entry
   * it extends) its pending lifecycle events. One object per live grant.
   */
  private static final class LiveGrant extends LifecycleTimer.Entry {
    private static final java.lang.invoke.VarHandle REPORTED;

    static {
      try {
        REPORTED = java.lang.invoke.MethodHandles.lookup().findVarHandle(LiveGrant.class, "reported", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private volatile GrantInfo info;
    private final List<GrantListener> own;
    /** 1 once a call has claimed the report of this grant's end: exactly one call reports it. */
    @SuppressWarnings("unused") // through REPORTED
    private volatile int reported;

    /** Claims the report of this grant's end; true for exactly one caller. */
    boolean claimReport() {
      return REPORTED.compareAndSet(this, 0, 1);
    }

    LiveGrant(GrantInfo info, List<GrantListener> own) {
      this.info = info;
      this.own = own;
    }

    GrantInfo info() {
      return info;
    }

    List<GrantListener> own() {
      return own;
    }

    @Override
    String grantId() {
      return info.grantId();
    }
  }

  private record Renewing(WorkloadIdentity identity, GrantRequest request, Grant grant) {}

  /** The identity is null only with a Deny (the credential did not verify). */
  private record Evaluation(@Nullable WorkloadIdentity identity, Decision decision, @Nullable Throwable cause) {
    /** The verified identity behind an Allow or NeedsApproval decision. */
    WorkloadIdentity verifiedIdentity() {
      return Objects.requireNonNull(identity, "a decision other than Deny always has a verified identity");
    }
  }

  DefaultGrantBroker(GrantBroker.Builder b) {
    this.issuer = Objects.requireNonNull(b.issuer, "issuer"); // build() checked it
    this.identityVerifiers = List.copyOf(b.identityVerifiers);
    this.policy = Objects.requireNonNull(b.policy, "policy"); // build() checked it
    this.approvalHandler = b.approvalHandler;
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = b.scheduler != null ? b.scheduler : Scheduler.threaded(clock, "jit-access-broker");
    this.callbackExecutor = b.callbackExecutor != null ? b.callbackExecutor : Runnable::run;
    this.maxTtl = b.maxTtl != null ? b.maxTtl : Duration.ofHours(1);
    this.breakGlassTtl = b.breakGlassTtl != null ? b.breakGlassTtl : Duration.ofMinutes(15);
    Duration skew = b.clockSkew != null ? b.clockSkew : Duration.ofSeconds(30);
    this.expiringFraction = b.expiringFraction != null ? b.expiringFraction : 0.8;
    this.renewFraction = b.renewFraction != null ? b.renewFraction : 0.5;
    this.maxPerIdentity = b.maxGrantsPerIdentity != null ? b.maxGrantsPerIdentity : 100;
    this.maxPerTask = b.maxGrantsPerTask != null ? b.maxGrantsPerTask : 10;
    this.maxCredentialBytes = b.maxCredentialBytes != null ? b.maxCredentialBytes : 16 * 1024;
    this.store = b.store != null ? b.store : GrantStore.inMemory(clock, scheduler, skew);
    this.audit = b.auditSink != null ? b.auditSink : AuditSink.slf4j();
    this.auditBlocks = b.auditFailureBlocksIssuance == null || b.auditFailureBlocksIssuance;
    this.listeners = List.copyOf(b.listeners);
    this.keyRotation = b.keyRotation;
    this.keys =
        new KeyRing(b.algorithm != null ? b.algorithm : SigningAlgorithm.ES256, b.signingKey, clock, maxTtl.plus(skew));
    this.verifier = new TokenVerifier(issuer, keys::find, clock, skew, store, audit, 16 * 1024);
    this.timer = new LifecycleTimer<>(scheduler, clock, this::onTimer);
    Duration cacheMaxAge = b.credentialCacheMaxAge;
    Integer cacheSize = b.credentialCacheSize; // set together with the max age
    this.credentialCache = cacheMaxAge == null || cacheSize == null
        ? null : new CredentialCache(clock, cacheMaxAge, cacheSize);
    if (keyRotation != null) {
      scheduleRotation();
    }
  }

  // ---------------------------------------------------------------- requests

  @Override
  public Grant request(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    ensureOpen();
    Evaluation ev = decide(request, false);
    requested(ev, request);
    Decision d = ev.decision();
    if (d instanceof Decision.Allow allow) {
      return issue(ev.verifiedIdentity(), request, allow, Optional.empty(), List.of());
    }
    if (d instanceof Decision.NeedsApproval) {
      throw denied(ev.identity(), request, d, null, "approval required; use requestAsync");
    }
    throw denied(ev.identity(), request, d, ev.cause(), null);
  }

  @Override
  public Decision evaluate(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    ensureOpen();
    Evaluation ev = decide(request, true);
    Map<String, String> f = requestFields(ev.identity(), request);
    f.put(AuditEvent.REASON, kind(ev.decision()) + ": " + String.join("; ", ev.decision().reasons()));
    putDecision(f, ev.decision());
    auditQuietly(AuditEventType.EVALUATED, f);
    return ev.decision();
  }

  @Override
  public CompletionStage<Grant> requestAsync(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    ensureOpen();
    try {
      Evaluation ev = decide(request, false);
      requested(ev, request);
      Decision d = ev.decision();
      if (d instanceof Decision.Allow allow) {
        return CompletableFuture.completedFuture(
            issue(ev.verifiedIdentity(), request, allow, Optional.empty(), List.of()));
      }
      if (!(d instanceof Decision.NeedsApproval needsApproval)) {
        throw denied(ev.identity(), request, d, ev.cause(), null);
      }
      ApprovalHandler handler = approvalHandler;
      if (handler == null) {
        throw denied(ev.identity(), request, d, null, "approval required but no approval handler is configured");
      }
      return awaitApproval(handler, ev.verifiedIdentity(), request, needsApproval);
    } catch (JitException e) {
      return CompletableFuture.failedFuture(e);
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
    ensureOpen();
    Instant now = clock.instant();
    Optional<GrantRecord> found = store.find(d.parentGrantId());
    String resource = d.resource().orElse(found.map(r -> r.info().resource()).orElse("unknown"));
    GrantRecord parent = found.orElse(null);
    GrantRequest.Builder b = GrantRequest.builder()
        .credential(d.credential())
        .taskId(parent == null ? "unknown" : parent.info().taskId())
        .purpose(parent == null ? "delegation" : parent.info().purpose())
        .resource(resource)
        .actions(d.actions())
        .environment(parent == null ? "unknown" : parent.info().environment())
        .ttl(d.ttl())
        .attribute(DelegationRequest.PARENT_ATTRIBUTE, d.parentGrantId());
    if (parent != null) {
      b.attribute(DelegationRequest.DEPTH_ATTRIBUTE, parent.info().delegators().size() + 1)
          .attribute(DelegationRequest.DELEGATOR_ATTRIBUTE, parent.info().subject());
    }
    d.justification().ifPresent(b::justification);
    d.dpopKey().ifPresent(b::dpopKey);
    d.listeners().forEach(b::listener);
    GrantRequest request = b.build();
    String problem = null;
    if (parent == null || !parent.isLiveAt(now)) {
      problem = "delegation: the parent grant is not live";
    } else if (parent.info().delegationsLeft() < 1) {
      problem = "delegation: the parent grant may not be delegated (further)";
    } else if (parent.info().delegators().size() + 1 > GrantTokens.MAX_CHAIN) {
      problem = "delegation: the chain would be longer than " + GrantTokens.MAX_CHAIN;
    } else if (!isWithin(resource, parent.info().resource())) {
      problem = "delegation: resource " + resource + " is not within the parent's " + parent.info().resource();
    } else if (!parent.info().actions().containsAll(d.actions())) {
      Set<String> wider = new LinkedHashSet<>(d.actions());
      wider.removeAll(parent.info().actions());
      problem = "delegation: actions " + wider + " are not granted by the parent";
    }
    if (problem != null || parent == null) {
      Evaluation ev = new Evaluation(null, Decision.deny(problem != null ? problem : "delegation: no parent"), null);
      requested(ev, request);
      throw denied(null, request, ev.decision(), null, null);
    }
    Evaluation ev = decide(request, false);
    requested(ev, request);
    if (!(ev.decision() instanceof Decision.Allow)) {
      throw denied(ev.identity(), request, ev.decision(), ev.cause(),
          ev.decision() instanceof Decision.NeedsApproval ? "delegation: a delegation cannot wait for approval" : null);
    }
    Grant child = issue(ev.verifiedIdentity(), request, (Decision.Allow) ev.decision(), parent.info().approvalId(),
        parent.info().approvals(), parent);
    Map<String, String> f = grantFields(child.info());
    f.put(AuditEvent.REASON, "delegated by " + parent.info().subject() + " from grant " + parent.grantId());
    auditQuietly(AuditEventType.DELEGATED, f);
    return child;
  }

  /**
   * Whether {@code resource} is {@code parent} or a path below it. Below means {@code parent + "/"} and
   * then only plain segments: an empty, {@code .} or {@code ..} segment, a percent sign (encoded dots or
   * slashes), a backslash, a query or a fragment could climb out of the parent once a server normalises
   * the path, so they are refused.
   */
  static boolean isWithin(String resource, String parent) {
    if (resource.equals(parent)) {
      return true;
    }
    if (!resource.startsWith(parent + "/")) {
      return false;
    }
    String rest = resource.substring(parent.length() + 1);
    for (String segment : rest.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return rest.indexOf('%') < 0 && rest.indexOf('\\') < 0 && rest.indexOf('?') < 0 && rest.indexOf('#') < 0;
  }

  /** Verifies the identity and evaluates the policy; {@code explain}: a dry run, asking for full reasons. */
  private Evaluation decide(GrantRequest request, boolean explain) {
    Instant now = clock.instant();
    String tooBig = checkSize(request.credential());
    if (tooBig != null) {
      return new Evaluation(null, Decision.deny("identity: " + tooBig), null);
    }
    String cacheKey = credentialCache != null && request.credential() instanceof Credential.Token
        ? ((Credential.Token) request.credential()).type() + " " + ((Credential.Token) request.credential()).value()
        : null;
    Optional<WorkloadIdentity> cached =
        cacheKey == null || credentialCache == null ? Optional.empty() : credentialCache.get(cacheKey);
    if (cached.isPresent()) {
      return evaluatePolicy(cached.get(), request, now, explain);
    }
    IdentityVerifier chosen = null;
    IdentityResult result;
    try {
      for (IdentityVerifier v : identityVerifiers) {
        if (v.supports(request.credential())) {
          chosen = v;
          break;
        }
      }
      if (chosen == null) {
        return new Evaluation(null, Decision.deny("identity: no identity verifier accepts this kind of credential"), null);
      }
      result = chosen.verify(request.credential());
    } catch (RuntimeException e) {
      LOG.warn("identity verifier failed with {}; request denied", e.getClass().getName());
      return new Evaluation(null, Decision.deny("identity: the identity verifier failed (" + e.getClass().getSimpleName() + ")"), e);
    }
    if (result == null) {
      return new Evaluation(null, Decision.deny("identity: the identity verifier returned no result"), null);
    }
    if (result instanceof IdentityResult.Rejected rejected) {
      return new Evaluation(null, Decision.deny("identity: " + rejected.reason()), null);
    }
    WorkloadIdentity identity = ((IdentityResult.Verified) result).identity();
    if (!now.isBefore(identity.expiresAt())) {
      return new Evaluation(identity, Decision.deny("identity: the credential expired at " + identity.expiresAt()), null);
    }
    if (cacheKey != null && credentialCache != null) {
      credentialCache.put(cacheKey, identity);
    }
    return evaluatePolicy(identity, request, now, explain);
  }

  private Evaluation evaluatePolicy(WorkloadIdentity identity, GrantRequest request, Instant now, boolean explain) {
    Decision d;
    try {
      PolicyContext context = new PolicyContext(identity, request, now);
      d = explain ? policy.explain(context) : policy.evaluate(context);
    } catch (RuntimeException e) {
      LOG.warn("policy evaluation failed with {}; request denied", e.getClass().getName());
      return new Evaluation(identity, Decision.deny("policy: evaluation failed (" + e.getClass().getSimpleName() + ")"), e);
    }
    if (d == null) {
      return new Evaluation(identity, Decision.deny("policy: the policy returned no decision"), null);
    }
    return new Evaluation(identity, d, null);
  }

  private @Nullable String checkSize(Credential credential) {
    if (credential instanceof Credential.Token token) {
      int length = token.value().length();
      if (length > maxCredentialBytes) {
        return "credential is " + length + " bytes, the limit is " + maxCredentialBytes;
      }
    } else if (credential instanceof Credential.CertificateChain certificateChain) {
      int length = certificateChain.chain().size();
      if (length > MAX_CHAIN_LENGTH) {
        return "certificate chain has " + length + " certificates, the limit is " + MAX_CHAIN_LENGTH;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- issuance

  private Grant issue(
      WorkloadIdentity identity, GrantRequest request, Decision.Allow allow, Optional<String> approvalId, List<Approval> approvals) {
    return issue(identity, request, allow, approvalId, approvals, null);
  }

  /** Issues a grant; with {@code parent}, a sub-grant that is never wider or longer-lived than it. */
  private Grant issue(WorkloadIdentity identity, GrantRequest request, Decision.Allow allow, Optional<String> approvalId,
      List<Approval> approvals, @Nullable GrantRecord parent) {
    GrantTerms terms = allow.terms();
    Set<String> actions = new LinkedHashSet<>(request.actions());
    actions.retainAll(terms.actions());
    if (actions.isEmpty()) {
      throw denied(identity, request, allow, null, "policy granted none of the requested actions");
    }
    if (request.renewing() && !terms.renewable()) {
      throw denied(identity, request, allow, null, "the policy does not allow a renewing grant");
    }
    boolean breakGlass = request.breakGlass() || terms.breakGlass() || (parent != null && parent.info().breakGlass());
    Duration ttl = min(min(request.requestedTtl(), terms.maxTtl()), maxTtl);
    if (breakGlass) {
      ttl = min(ttl, breakGlassTtl);
    }
    Instant now = clock.instant();
    if (parent != null) {
      ttl = min(ttl, Duration.between(now, parent.deadline()));
      if (ttl.isNegative() || ttl.isZero()) {
        throw denied(identity, request, allow, null, "delegation: the parent grant has no lifetime left");
      }
    }
    Instant expiresAt = now.plus(ttl);
    Optional<Duration> idle = terms.idleTimeout();
    Instant idleDeadline = Instant.MAX;
    if (idle.isPresent()) {
      idleDeadline = now.plus(idle.get());
      if (!request.renewing() && idleDeadline.isAfter(expiresAt)) {
        idleDeadline = expiresAt;
      }
    }
    String grantId = newId();
    List<String> delegators = new ArrayList<>();
    int delegationsLeft = terms.maxDelegationDepth();
    if (parent != null) {
      delegators.add(parent.info().subject());
      delegators.addAll(parent.info().delegators());
      delegationsLeft = Math.min(delegationsLeft, parent.info().delegationsLeft() - 1);
    }
    GrantInfo info = GrantInfo.builder()
        .grantId(grantId)
        .subject(identity.id())
        .issuer(issuer)
        .resource(request.resource())
        .actions(actions)
        .taskId(request.taskId())
        .purpose(request.purpose())
        .environment(request.environment())
        .owner(parent != null ? parent.info().owner().or(identity::owner) : identity.owner())
        .issuedAt(now)
        .expiresAt(expiresAt)
        .approvalId(approvalId)
        .approvals(approvals)
        .breakGlass(breakGlass)
        .singleUse(terms.singleUse())
        .ruleIds(allow.ruleIds())
        .delegation(parent == null ? Optional.empty() : Optional.of(parent.grantId()), delegators)
        .delegationsLeft(Math.max(0, delegationsLeft))
        .certificateThumbprint(identity.certificateThumbprint())
        .keyThumbprint(request.keyThumbprint())
        .build();
    LiveGrant live = new LiveGrant(info, request.listeners());
    active.put(grantId, live);
    GrantStore.InsertResult inserted;
    try {
      inserted = store.insert(GrantRecord.live(info, idle, idleDeadline), maxPerIdentity, maxPerTask);
    } catch (RuntimeException e) {
      forget(grantId);
      LOG.warn("grant store failed with {}; request denied", e.getClass().getName());
      throw denied(identity, request, allow, e, "store: the grant store failed");
    }
    if (inserted != GrantStore.InsertResult.INSERTED) {
      forget(grantId);
      String why = inserted == GrantStore.InsertResult.IDENTITY_QUOTA_EXCEEDED
          ? "quota: identity " + identity.id() + " already holds " + maxPerIdentity + " live grants"
          : inserted == GrantStore.InsertResult.TASK_QUOTA_EXCEEDED
              ? "quota: task " + request.taskId() + " already holds " + maxPerTask + " live grants"
              : "store: duplicate grant id";
      throw denied(identity, request, allow, null, why);
    }
    if (parent != null) {
      children.computeIfAbsent(parent.grantId(), k -> ConcurrentHashMap.newKeySet()).add(grantId);
    }
    String token;
    try {
      token = GrantTokens.sign(keys.active(), GrantTokens.claims(info, identity.issuer(), identity.kind()));
    } catch (JOSEException | RuntimeException e) {
      abort(grantId);
      LOG.error("signing grant {} failed with {}; nothing issued", grantId, e.getClass().getName());
      throw denied(identity, request, allow, e, "signing: the token could not be signed");
    }
    Map<String, String> f = grantFields(info);
    f.put(AuditEvent.TOKEN_SHA256, GrantTokens.sha256(token));
    putDecision(f, allow);
    request.justification().ifPresent(j -> f.put(AuditEvent.JUSTIFICATION, j));
    try {
      audit.record(new AuditEvent(AuditEventType.ISSUED, now, f));
      if (breakGlass) {
        audit.record(new AuditEvent(AuditEventType.BREAK_GLASS, now, f));
      }
    } catch (RuntimeException e) {
      if (auditBlocks) {
        abort(grantId);
        LOG.error("audit sink failed with {}; grant {} not issued", e.getClass().getName(), grantId);
        throw denied(identity, request, allow, e, "audit: the audit sink failed, so nothing was issued");
      }
      LOG.error("audit sink failed with {} recording grant {}; issued anyway (auditFailureBlocksIssuance=false)",
          e.getClass().getName(), grantId);
    }
    Grant grant = new Grant(this, info, token);
    if (request.renewing()) {
      renewing.put(grantId, new Renewing(identity, request, grant));
      timer.schedule(live, LifecycleTimer.Kind.REMINT, now.plus(fraction(ttl, renewFraction)));
    } else {
      timer.schedule(live, LifecycleTimer.Kind.EXPIRING, now.plus(fraction(ttl, expiringFraction)));
    }
    // one entry per grant; if the grant ended meanwhile (end() cancelled the entry) this does nothing
    timer.schedule(live, LifecycleTimer.Kind.EXPIRY, idleDeadline.isBefore(expiresAt) ? idleDeadline : expiresAt);
    List<GrantListener> own = request.listeners();
    notify(grantId, own, l -> l.onIssued(info), "onIssued");
    if (parent != null && !isLive(parent.grantId())) {
      // the parent ended while the child was being issued: the child dies with it
      end(grantId, GrantState.REVOKED, Optional.of(RevocationReason.PARENT), null);
    }
    if (breakGlass) {
      notify(grantId, own, l -> l.onBreakGlass(info), "onBreakGlass");
    }
    return grant;
  }

  private void abort(String grantId) {
    try {
      store.remove(grantId);
    } catch (RuntimeException e) {
      LOG.error("could not remove aborted grant {} from the store: {}", grantId, e.getClass().getName());
    }
    forget(grantId);
    children.values().forEach(set -> set.remove(grantId));
  }

  private CompletionStage<Grant> awaitApproval(
      ApprovalHandler approvalHandler, WorkloadIdentity identity, GrantRequest request, Decision.NeedsApproval d) {
    Instant now = clock.instant();
    String approvalId = "apr-" + newId();
    Instant deadline = now.plus(d.requirement().timeout());
    ApprovalTicket ticket =
        new ApprovalTicket(approvalId, identity, request, d.terms(), d.requirement(), d.ruleIds(), now, deadline);
    Map<String, String> f = requestFields(identity, request);
    f.put(AuditEvent.APPROVAL_ID, approvalId);
    putDecision(f, d);
    f.put(AuditEvent.REASON, "approver group " + d.requirement().approverGroup() + ", " + d.requirement().approvals()
        + " approval(s) until " + deadline);
    auditOrDeny(AuditEventType.APPROVAL_REQUESTED, f, identity, request);
    CompletableFuture<Grant> result = new CompletableFuture<>();
    AtomicBoolean settled = new AtomicBoolean();
    Scheduler.Cancellable timeout = scheduler.schedule(() -> {
      if (settled.compareAndSet(false, true)) {
        try {
          approvalHandler.cancel(approvalId);
        } catch (RuntimeException e) {
          LOG.warn("approval handler cancel failed for {}: {}", approvalId, e.getClass().getName());
        }
        Map<String, String> tf = new LinkedHashMap<>(f);
        tf.put(AuditEvent.REASON, "no decision before " + deadline);
        auditQuietly(AuditEventType.APPROVAL_TIMED_OUT, tf);
        result.completeExceptionally(denied(identity, request, d, null, "approval " + approvalId + " timed out at " + deadline));
      }
    }, deadline);
    CompletionStage<ApprovalOutcome> pending;
    try {
      pending = approvalHandler.requestApproval(ticket);
      if (pending == null) {
        throw new IllegalStateException("approval handler returned no stage");
      }
    } catch (RuntimeException e) {
      timeout.cancel();
      settled.set(true);
      return CompletableFuture.failedFuture(denied(identity, request, d, e, "approval handler failed"));
    }
    pending.whenComplete((outcome, error) -> {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      timeout.cancel();
      try {
        result.complete(onApprovalOutcome(identity, request, d, approvalId, deadline, outcome, error, f));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private Grant onApprovalOutcome(WorkloadIdentity identity, GrantRequest request, Decision.NeedsApproval d,
      String approvalId, Instant deadline, ApprovalOutcome outcome, Throwable error, Map<String, String> fields) {
    Map<String, String> f = new LinkedHashMap<>(fields);
    if (error != null || outcome == null) {
      f.put(AuditEvent.REASON, "approval handler failed");
      auditQuietly(AuditEventType.APPROVAL_REJECTED, f);
      throw denied(identity, request, d, error, "approval " + approvalId + " failed in the approval handler");
    }
    if (outcome instanceof ApprovalOutcome.Rejected r) {
      f.put(AuditEvent.APPROVERS, r.approver());
      f.put(AuditEvent.REASON, "rejected: " + r.comment());
      auditQuietly(AuditEventType.APPROVAL_REJECTED, f);
      throw denied(identity, request, d, null, "approval " + approvalId + " rejected by " + r.approver());
    }
    List<Approval> approvals = ((ApprovalOutcome.Approved) outcome).approvals();
    String problem = checkApprovals(identity, d.requirement(), approvals, deadline);
    List<String> approvers = new ArrayList<>();
    approvals.forEach(a -> approvers.add(a.approver()));
    f.put(AuditEvent.APPROVERS, String.join(",", approvers));
    if (problem != null) {
      f.put(AuditEvent.REASON, "refused: " + problem);
      auditQuietly(AuditEventType.APPROVAL_REJECTED, f);
      throw denied(identity, request, d, null, "approval " + approvalId + " refused: " + problem);
    }
    auditOrDeny(AuditEventType.APPROVAL_APPROVED, f, identity, request);
    Decision.Allow allow = new Decision.Allow(d.terms(), d.ruleIds(), d.reasons(), d.policyVersion());
    return issue(identity, request, allow, Optional.of(approvalId), approvals);
  }

  private @Nullable String checkApprovals(
      WorkloadIdentity identity, ApprovalRequirement req, List<Approval> approvals, Instant deadline) {
    Set<String> distinct = new HashSet<>();
    for (Approval a : approvals) {
      if (a.approver().equals(identity.id()) || identity.owner().map(a.approver()::equals).orElse(false)) {
        return "the requester cannot approve its own request (" + a.approver() + ")";
      }
      if (a.at().isAfter(deadline)) {
        return "approval by " + a.approver() + " came after the deadline " + deadline;
      }
      distinct.add(a.approver());
    }
    if (!clock.instant().isBefore(deadline)) {
      return "the approval deadline " + deadline + " has passed";
    }
    if (distinct.size() < req.approvals()) {
      return "needs " + req.approvals() + " distinct approvers, got " + distinct.size();
    }
    return null;
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public boolean revoke(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return revoke(grantId, RevocationReason.EXPLICIT);
  }

  @Override
  public boolean revoke(String grantId, RevocationReason reason) {
    return end(grantId, GrantState.REVOKED, Optional.of(reason), null);
  }

  @Override
  public int revokeTask(String taskId) {
    Objects.requireNonNull(taskId, "taskId");
    int n = 0;
    for (String id : List.copyOf(store.liveByTask(taskId))) {
      if (end(id, GrantState.REVOKED, Optional.of(RevocationReason.TASK), null)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public int revokeIdentity(String identityId) {
    Objects.requireNonNull(identityId, "identityId");
    if (credentialCache != null) {
      credentialCache.forget(identityId);
    }
    int n = 0;
    for (String id : List.copyOf(store.liveByIdentity(identityId))) {
      if (end(id, GrantState.REVOKED, Optional.of(RevocationReason.IDENTITY), null)) {
        n++;
      }
    }
    return n;
  }

  /** Moves a live grant to a terminal state; only the call that changes the state reports it. */
  private boolean end(String grantId, GrantState state, Optional<RevocationReason> reason, @Nullable Instant dueAt) {
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
    GrantRecord ended = after.get();
    // a grant another broker issued into a shared store is not tracked here; its end is still reported
    if (tracked != null && !tracked.claimReport()) {
      return true; // the timer found the record dropped meanwhile and has reported this grant's end
    }
    forget(grantId);
    report(ended, tracked == null ? null : tracked.own(), "");
    cascade(ended.info());
    return true;
  }

  /** Audits and calls back the end of a grant. */
  private void report(GrantRecord ended, @Nullable List<GrantListener> own, String note) {
    GrantInfo info = ended.info();
    String grantId = info.grantId();
    Map<String, String> f = grantFields(info);
    if (ended.state() == GrantState.REVOKED) {
      RevocationReason reason = ended.revocationReason().orElseThrow();
      // String.concat, not '+': an indy string concatenation would be linked on the first revocation
      f.put(AuditEvent.REASON, reason.name().concat(note));
      auditQuietly(AuditEventType.REVOKED, f);
      notify(grantId, own, l -> l.onRevoked(info, reason), "onRevoked");
    } else {
      f.put(AuditEvent.REASON, (ended.idleDeadline().isBefore(info.expiresAt()) ? "idle" : "ttl").concat(note));
      auditQuietly(AuditEventType.EXPIRED, f);
      notify(grantId, own, l -> l.onExpired(info), "onExpired");
    }
  }

  private void cascade(GrantInfo info) {
    String grantId = info.grantId();
    renewing.remove(grantId);
    info.parentGrantId().ifPresent(p -> {
      Set<String> siblings = children.get(p);
      if (siblings != null) {
        siblings.remove(grantId);
      }
    });
    Set<String> kids = children.remove(grantId);
    if (kids != null) {
      for (String kid : kids) {
        end(kid, GrantState.REVOKED, Optional.of(RevocationReason.PARENT), null);
      }
    }
  }

  @Override
  public boolean renew(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    Instant now = clock.instant();
    boolean standing = renewing.containsKey(grantId);
    boolean[] live = new boolean[1];
    Optional<GrantRecord> after = store.update(grantId, rec -> {
      if (!rec.isLiveAt(now)) {
        return rec;
      }
      live[0] = true;
      if (rec.idleTimeout().isEmpty()) {
        return rec;
      }
      Instant next = now.plus(rec.idleTimeout().get());
      if (!standing && next.isAfter(rec.info().expiresAt())) {
        next = rec.info().expiresAt();
      }
      return rec.withIdleDeadline(next);
    });
    if (!live[0] || after.isEmpty()) {
      return false;
    }
    GrantRecord rec = after.get();
    Map<String, String> f = grantFields(rec.info());
    f.put(AuditEvent.REASON, "heartbeat; idle deadline " + rec.idleDeadline());
    auditQuietly(AuditEventType.RENEWED, f);
    notify(grantId, own(grantId), l -> l.onRenewed(rec.info()), "onRenewed");
    return true;
  }

  @Override
  public boolean isLive(String grantId) {
    Instant now = clock.instant();
    return store.find(grantId).map(r -> r.isLiveAt(now)).orElse(false);
  }

  @Override
  public Optional<GrantInfo> find(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return store.find(grantId).map(GrantRecord::info);
  }

  private void onTimer(LiveGrant g, LifecycleTimer.Kind kind) {
    String grantId = g.grantId();
    switch (kind) {
      case EXPIRY -> onExpiryDue(g, grantId);
      case EXPIRING -> store.find(grantId)
            .filter(r -> r.isLiveAt(clock.instant()))
            .ifPresent(r -> notify(grantId, own(grantId), l -> l.onExpiring(r.info()), "onExpiring"));
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

  private @Nullable List<GrantListener> own(String grantId) {
    LiveGrant g = active.get(grantId);
    return g == null ? null : g.own();
  }

  private void onExpiryDue(LiveGrant g, String grantId) {
    Optional<GrantRecord> rec = store.find(grantId);
    if (rec.isPresent() && rec.get().state() != GrantState.LIVE) {
      // ended by a revocation; the call that changed the state reports it (end()), here only forget it
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
    if (!end(grantId, GrantState.EXPIRED, Optional.empty(), now)) {
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
    GrantRecord ended = GrantRecord.live(g.info(), Optional.empty(), Instant.MAX)
        .withState(GrantState.EXPIRED, Optional.empty());
    report(ended, g.own(), " (reported late: the store had already dropped it)");
    cascade(ended.info());
  }

  private void remint(LiveGrant g, String grantId) {
    Renewing st = renewing.get(grantId);
    Instant now = clock.instant();
    Optional<GrantRecord> rec = store.find(grantId);
    if (st == null || rec.isEmpty() || !rec.get().isLiveAt(now)) {
      return;
    }
    Decision d;
    try {
      d = policy.evaluate(new PolicyContext(st.identity(), st.request(), now));
    } catch (RuntimeException e) {
      LOG.warn("policy failed with {} re-minting grant {}; grant revoked", e.getClass().getName(), grantId);
      d = Decision.deny("policy: evaluation failed");
    }
    Set<String> actions = new LinkedHashSet<>(rec.get().info().actions());
    if (d instanceof Decision.Allow) {
      actions.retainAll(((Decision.Allow) d).terms().actions());
    }
    if (!(d instanceof Decision.Allow) || !((Decision.Allow) d).terms().renewable() || actions.isEmpty()) {
      end(grantId, GrantState.REVOKED, Optional.of(RevocationReason.POLICY), null);
      return;
    }
    GrantTerms terms = ((Decision.Allow) d).terms();
    Duration ttl = min(min(st.request().requestedTtl(), terms.maxTtl()), maxTtl);
    GrantInfo old = rec.get().info();
    GrantInfo info = old.toBuilder().actions(actions).issuedAt(now).expiresAt(now.plus(ttl)).ruleIds(d.ruleIds()).build();
    String token;
    try {
      token = GrantTokens.sign(keys.active(), GrantTokens.claims(info, st.identity().issuer(), st.identity().kind()));
    } catch (JOSEException | RuntimeException e) {
      LOG.error("re-minting grant {} failed with {}; it will expire at {}", grantId, e.getClass().getName(), old.expiresAt());
      return;
    }
    boolean[] applied = new boolean[1];
    store.update(grantId, r -> {
      if (!r.isLiveAt(now)) {
        return r;
      }
      applied[0] = true;
      return r.withInfo(info);
    });
    if (!applied[0]) {
      return;
    }
    st.grant().refresh(info, token);
    Map<String, String> f = grantFields(info);
    f.put(AuditEvent.TOKEN_SHA256, GrantTokens.sha256(token));
    putDecision(f, d);
    auditQuietly(AuditEventType.REMINTED, f);
    g.info = info;
    notify(grantId, own(grantId), l -> l.onRenewed(info), "onRenewed");
    timer.schedule(g, LifecycleTimer.Kind.REMINT, now.plus(fraction(ttl, renewFraction)));
  }

  // ---------------------------------------------------------------- keys, verifier, close

  @Override
  public GrantVerifier verifier() {
    return verifier;
  }

  @Override
  public String publicJwks() {
    return keys.publicJwks();
  }

  @Override
  public void rotateKeys() {
    ensureOpen();
    keys.rotate();
    LOG.info("signing key rotated; new kid {}", keys.active().kid());
  }

  private void scheduleRotation() {
    rotationTask = scheduler.schedule(() -> {
      if (closed.get()) {
        return;
      }
      try {
        rotateKeys();
      } finally {
        scheduleRotation();
      }
    }, clock.instant().plus(keyRotation));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Scheduler.Cancellable r = rotationTask;
    if (r != null) {
      r.cancel();
    }
    timer.stop();
    if (ownsScheduler) {
      Scheduler.shutdown(scheduler);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the broker is closed");
    }
  }

  // ---------------------------------------------------------------- audit and listeners

  private void requested(Evaluation ev, GrantRequest request) {
    auditOrDeny(AuditEventType.REQUESTED, requestFields(ev.identity(), request), ev.identity(), request);
  }

  private AccessDeniedException denied(
      @Nullable WorkloadIdentity identity, GrantRequest request, Decision decision, @Nullable Throwable cause,
      @Nullable String extraReason) {
    Decision d = decision;
    if (extraReason != null) {
      List<String> reasons = new ArrayList<>();
      reasons.add(extraReason);
      reasons.addAll(decision.reasons());
      d = decision instanceof Decision.NeedsApproval && extraReason.startsWith("approval required")
          ? decision
          : new Decision.Deny(decision.ruleIds(), reasons, decision.policyVersion());
    }
    Map<String, String> f = requestFields(identity, request);
    f.put(AuditEvent.REASON, extraReason != null ? extraReason : String.join("; ", d.reasons()));
    putDecision(f, d);
    auditQuietly(AuditEventType.DENIED, f);
    Decision finalDecision = d;
    notify(null, request.listeners(), l -> l.onDenied(request, finalDecision), "onDenied");
    return cause == null ? new AccessDeniedException(d) : new AccessDeniedException(d, cause);
  }

  private void auditOrDeny(AuditEventType type, Map<String, String> fields, @Nullable WorkloadIdentity identity,
      GrantRequest request) {
    try {
      audit.record(new AuditEvent(type, clock.instant(), fields));
    } catch (RuntimeException e) {
      if (auditBlocks) {
        LOG.error("audit sink failed with {} recording {}; request denied", e.getClass().getName(), type);
        throw denied(identity, request, Decision.deny("audit: the audit sink failed, so nothing was issued"), e, null);
      }
      LOG.error("audit sink failed with {} recording {}", e.getClass().getName(), type);
    }
  }

  private void auditQuietly(AuditEventType type, Map<String, String> fields) {
    try {
      audit.record(new AuditEvent(type, clock.instant(), fields));
    } catch (RuntimeException e) {
      LOG.error("audit sink failed with {} recording {} for grant {}", e.getClass().getName(), type,
          fields.get(AuditEvent.GRANT_ID));
    }
  }

  private static Map<String, String> requestFields(@Nullable WorkloadIdentity identity, GrantRequest r) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put(AuditEvent.TASK_ID, r.taskId());
    f.put(AuditEvent.IDENTITY, identity == null ? UNVERIFIED : identity.id());
    if (identity != null) {
      identity.owner().ifPresent(o -> f.put(AuditEvent.OWNER, o));
    }
    f.put(AuditEvent.PURPOSE, r.purpose());
    f.put(AuditEvent.RESOURCE, r.resource());
    f.put(AuditEvent.ACTIONS, String.join(" ", r.actions()));
    f.put(AuditEvent.ENVIRONMENT, r.environment());
    if (r.breakGlass()) {
      f.put(AuditEvent.BREAK_GLASS, "true");
    }
    r.justification().ifPresent(j -> f.put(AuditEvent.JUSTIFICATION, j));
    return f;
  }

  private static Map<String, String> grantFields(GrantInfo g) {
    // sized for the usual 10-16 fields with what callers add, so it never rehashes
    Map<String, String> f = new LinkedHashMap<>(32);
    f.put(AuditEvent.GRANT_ID, g.grantId());
    f.put(AuditEvent.TASK_ID, g.taskId());
    f.put(AuditEvent.IDENTITY, g.subject());
    g.owner().ifPresent(o -> f.put(AuditEvent.OWNER, o));
    f.put(AuditEvent.PURPOSE, g.purpose());
    f.put(AuditEvent.RESOURCE, g.resource());
    f.put(AuditEvent.ACTIONS, String.join(" ", g.actions()));
    f.put(AuditEvent.ENVIRONMENT, g.environment());
    if (!g.ruleIds().isEmpty()) {
      f.put(AuditEvent.RULES, String.join(",", g.ruleIds()));
    }
    g.approvalId().ifPresent(a -> f.put(AuditEvent.APPROVAL_ID, a));
    if (!g.approvals().isEmpty()) {
      List<String> by = new ArrayList<>();
      g.approvals().forEach(a -> by.add(a.approver()));
      f.put(AuditEvent.APPROVERS, String.join(",", by));
    }
    f.put(AuditEvent.EXPIRES_AT, IsoInstants.format(g.expiresAt()));
    if (g.breakGlass()) {
      f.put(AuditEvent.BREAK_GLASS, "true");
    }
    return f;
  }

  private static void putDecision(Map<String, String> f, Decision d) {
    if (!d.ruleIds().isEmpty()) {
      f.put(AuditEvent.RULES, String.join(",", d.ruleIds()));
    }
    if (!d.policyVersion().isEmpty()) {
      f.put(AuditEvent.POLICY_VERSION, d.policyVersion());
    }
  }

  private static String kind(Decision d) {
    return d instanceof Decision.Allow ? "allow" : d instanceof Decision.Deny ? "deny" : "needs-approval";
  }

  private void notify(
      @Nullable String grantId, @Nullable List<GrantListener> own, Consumer<GrantListener> call, String event) {
    for (GrantListener l : listeners) {
      dispatch(grantId, l, call, event);
    }
    if (own != null) {
      for (GrantListener l : own) {
        dispatch(grantId, l, call, event);
      }
    }
  }

  private void dispatch(@Nullable String grantId, GrantListener listener, Consumer<GrantListener> call, String event) {
    Runnable r = () -> {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        LOG.warn("listener {} threw {} in {} for grant {}; ignored", listener.getClass().getName(),
            e.getClass().getName(), event, grantId);
      }
    };
    try {
      callbackExecutor.execute(r);
    } catch (RejectedExecutionException e) {
      LOG.warn("callback executor rejected {} for grant {}", event, grantId);
    }
  }

  // ---------------------------------------------------------------- small helpers

  private String newId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration fraction(Duration d, double f) {
    return Duration.ofNanos((long) (d.toNanos() * f));
  }
}
