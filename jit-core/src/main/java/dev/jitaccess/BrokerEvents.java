package dev.jitaccess;

import dev.jitaccess.internal.GrantAuditFields;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantListener;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the broker tells the outside: audit records (their fields, and whether a failing sink blocks
 * issuance) and listener callbacks. A listener's exception is caught, logged at WARN with the grant id,
 * and never changes an outcome; a callback executor that rejects work is logged the same way.
 */
final class BrokerEvents {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);
  static final String UNVERIFIED = "unverified";

  private final AuditSink audit;
  private final boolean auditBlocks;
  private final List<GrantListener> listeners;
  private final Executor callbackExecutor;
  private final Clock clock;
  private final ClaimedSubject claimed;

  BrokerEvents(BrokerConfig config) {
    this.audit = config.audit();
    this.auditBlocks = config.auditBlocks();
    this.listeners = config.listeners();
    this.callbackExecutor = config.callbackExecutor();
    this.clock = config.clock();
    this.claimed = new ClaimedSubject(config.maxCredentialBytes());
  }

  /** Whether a failing audit sink blocks issuance. */
  boolean auditBlocks() {
    return auditBlocks;
  }

  // ---------------------------------------------------------------- audit

  /** Records an event; a failing sink is logged at ERROR and otherwise ignored. */
  void record(AuditEventType type, Map<String, String> fields) {
    try {
      audit.record(new AuditEvent(type, clock.instant(), fields));
    } catch (RuntimeException e) {
      LOG.error("audit sink failed with {} recording {} for grant {}", e.getClass().getName(), type,
          fields.get(AuditEvent.GRANT_ID));
    }
  }

  /**
   * Records an event that gates issuance: when the sink fails and {@link #auditBlocks()}, the request is
   * denied (and that denial audited as far as the sink allows).
   *
   * @throws AccessDeniedException when the sink failed and failures block issuance
   */
  void recordOrDeny(AuditEventType type, Map<String, String> fields, @Nullable WorkloadIdentity identity,
      GrantRequest request) {
    try {
      audit.record(new AuditEvent(type, clock.instant(), fields));
    } catch (RuntimeException e) {
      if (auditBlocks) {
        LOG.error("audit sink failed with {} recording {}; request denied", e.getClass().getName(), type);
        throw denied(identity, request,
            Decision.deny(DenialCategory.UNAVAILABLE, "audit: the audit sink failed, so nothing was issued"), e);
      }
      LOG.error("audit sink failed with {} recording {}", e.getClass().getName(), type);
    }
  }

  /**
   * Records an event straight to the sink, letting its exception through: for the ISSUED record, whose
   * failure the issuer handles itself.
   */
  void recordOrThrow(AuditEventType type, Map<String, String> fields) {
    audit.record(new AuditEvent(type, clock.instant(), fields));
  }

  /**
   * Audits a denial (DENIED) of {@code decision} as it is, tells the listeners ({@code onDenied}) and
   * returns the exception to throw.
   */
  AccessDeniedException denied(
      @Nullable WorkloadIdentity identity, GrantRequest request, Decision decision, @Nullable Throwable cause) {
    return denied(identity, request, decision, cause, null, DenialCategory.POLICY);
  }

  /**
   * Audits a denial (DENIED), tells the request's and the broker's listeners ({@code onDenied}) and
   * returns the exception to throw. {@code extraReason}, when given, goes first among the reasons of a
   * new Deny of {@code category} (a NeedsApproval answered with "approval required" stays as it is).
   */
  AccessDeniedException denied(
      @Nullable WorkloadIdentity identity, GrantRequest request, Decision decision, @Nullable Throwable cause,
      @Nullable String extraReason, DenialCategory category) {
    return denied(requestFields(identity, request), request, decision, cause, extraReason, category);
  }

  /**
   * Audits a refused delegation whose parent is not a grant of this broker, naming the parent grant id it
   * claims ({@link AuditEvent#CLAIMED_PARENT_GRANT_ID}, when it names one), and returns the exception to
   * throw; the REQUESTED record is written first (a failing sink denies when it blocks issuance).
   */
  AccessDeniedException deniedDelegation(GrantRequest request, Decision.Deny problem,
      @Nullable String claimedParentId) {
    Map<String, String> f = requestFields(null, request);
    if (claimedParentId != null) {
      f.put(AuditEvent.CLAIMED_PARENT_GRANT_ID, claimedParentId);
    }
    recordOrDeny(AuditEventType.REQUESTED, f, null, request);
    return denied(f, request, problem, null, null, DenialCategory.POLICY);
  }

  private AccessDeniedException denied(Map<String, String> f, GrantRequest request, Decision decision,
      @Nullable Throwable cause, @Nullable String extraReason, DenialCategory category) {
    Decision d = decision;
    if (extraReason != null) {
      List<String> reasons = new ArrayList<>();
      reasons.add(extraReason);
      reasons.addAll(decision.reasons());
      d = decision instanceof Decision.NeedsApproval && extraReason.startsWith("approval required")
          ? decision
          : new Decision.Deny(decision.ruleIds(), reasons, decision.policyVersion(), category);
    }
    f.put(AuditEvent.REASON, extraReason != null ? extraReason : String.join("; ", d.reasons()));
    putDecision(f, d);
    record(AuditEventType.DENIED, f);
    Decision finalDecision = d;
    notify(null, request.listeners(), l -> l.onDenied(request, finalDecision), "onDenied");
    return cause == null ? new AccessDeniedException(d) : new AccessDeniedException(d, cause);
  }

  /**
   * The audit fields of a request, before a grant exists. Without a verified identity the record says
   * {@code identity=unverified} and, when the credential names one, the subject it claims
   * ({@link AuditEvent#CLAIMED_SUBJECT}, sanitised). A delegation names its parent grant and delegator.
   */
  Map<String, String> requestFields(@Nullable WorkloadIdentity identity, GrantRequest r) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put(AuditEvent.TASK_ID, r.taskId());
    if (identity == null) {
      f.put(AuditEvent.IDENTITY, UNVERIFIED);
      String subject = claimed.subject(r.credential());
      if (subject != null) {
        f.put(AuditEvent.CLAIMED_SUBJECT, subject);
      }
    } else {
      f.put(AuditEvent.IDENTITY, identity.id());
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
    if (r.attributes().get(AuditEvent.CORRELATION_ID) instanceof String correlationId) {
      f.put(AuditEvent.CORRELATION_ID, correlationId);
    }
    if (r.attributes().get(DelegationRequest.PARENT_ATTRIBUTE) instanceof String parent) {
      f.put(AuditEvent.PARENT_GRANT_ID, parent);
    }
    if (r.attributes().get(DelegationRequest.DELEGATOR_ATTRIBUTE) instanceof String delegator) {
      f.put(AuditEvent.DELEGATOR, delegator);
    }
    return f;
  }

  /** The reader of what unverified credentials claim. */
  ClaimedSubject claims() {
    return claimed;
  }

  /** The audit fields of a grant (the one implementation: {@link GrantAuditFields#of}). */
  static Map<String, String> grantFields(GrantInfo g) {
    return GrantAuditFields.of(g);
  }

  /** Adds the deciding rules and the policy version. */
  static void putDecision(Map<String, String> f, Decision d) {
    if (!d.ruleIds().isEmpty()) {
      f.put(AuditEvent.RULES, String.join(",", d.ruleIds()));
    }
    if (!d.policyVersion().isEmpty()) {
      f.put(AuditEvent.POLICY_VERSION, d.policyVersion());
    }
  }

  /** "allow", "deny" or "needs-approval". */
  static String kind(Decision d) {
    return d instanceof Decision.Allow ? "allow" : d instanceof Decision.Deny ? "deny" : "needs-approval";
  }

  // ---------------------------------------------------------------- listeners

  /** Calls the broker's listeners, then the grant's own ({@code own}, when known), on the callback executor. */
  void notify(@Nullable String grantId, @Nullable List<GrantListener> own, Consumer<GrantListener> call, String event) {
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
}
