package dev.jitaccess;

import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request that needs a human approval: asks the {@link ApprovalHandler}, times the request out at its
 * deadline, and checks what the handler answers (distinct approvers, none of them the requester, all
 * before the deadline) before the grant is issued.
 */
final class ApprovalFlow {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);

  /** Issues the approved grant. */
  @FunctionalInterface
  interface Issue {
    Grant issue(WorkloadIdentity identity, GrantRequest request, Decision.Allow allow, String approvalId,
        List<Approval> approvals);
  }

  private final ApprovalHandler handler;
  private final GuardedScheduler scheduler;
  private final Clock clock;
  private final BrokerEvents events;
  private final Issuer issuer;
  private final Admission admission;

  ApprovalFlow(ApprovalHandler handler, BrokerConfig config, BrokerEvents events, Issuer issuer, Admission admission) {
    this.admission = admission;
    this.handler = handler;
    this.scheduler = config.scheduler();
    this.clock = config.clock();
    this.events = events;
    this.issuer = issuer;
  }

  /** Asks for the approval; the stage completes with the grant, or fails with the (audited) denial. */
  CompletionStage<Grant> await(WorkloadIdentity identity, GrantRequest request, Decision.NeedsApproval d, Issue issue) {
    Instant now = clock.instant();
    String approvalId = "apr-" + issuer.newId();
    Instant deadline = now.plus(d.requirement().timeout());
    ApprovalTicket ticket =
        new ApprovalTicket(approvalId, identity, request, d.terms(), d.requirement(), d.ruleIds(), now, deadline);
    Map<String, String> f = events.requestFields(identity, request);
    f.put(AuditEvent.APPROVAL_ID, approvalId);
    BrokerEvents.putDecision(f, d);
    f.put(AuditEvent.REASON, "approver group " + d.requirement().approverGroup() + ", " + d.requirement().approvals()
        + " approval(s) until " + deadline);
    events.recordOrDeny(AuditEventType.APPROVAL_REQUESTED, f, identity, request);
    CompletableFuture<Grant> result = new CompletableFuture<>();
    AtomicBoolean settled = new AtomicBoolean();
    Scheduler.@Nullable Cancellable scheduled = scheduler.trySchedule(() -> {
      if (settled.compareAndSet(false, true)) {
        try {
          handler.cancel(approvalId);
        } catch (RuntimeException e) {
          LOG.warn("approval handler cancel failed for {}: {}", approvalId, e.getClass().getName());
        }
        Map<String, String> tf = new LinkedHashMap<>(f);
        tf.put(AuditEvent.REASON, "no decision before " + deadline);
        events.record(AuditEventType.APPROVAL_TIMED_OUT, tf);
        result.completeExceptionally(
            events.denied(identity, request, d, null, "approval " + approvalId + " timed out at " + deadline,
                DenialCategory.APPROVAL));
      }
    }, deadline);
    if (scheduled == null) {
      // without a timeout the request could wait for ever: fail closed
      settled.set(true);
      return CompletableFuture.failedFuture(
          events.denied(identity, request, d, null, "approval: the scheduler could not time the approval",
              DenialCategory.UNAVAILABLE));
    }
    Scheduler.Cancellable timeout = scheduled;
    CompletionStage<ApprovalOutcome> pending;
    try {
      pending = handler.requestApproval(ticket);
      if (pending == null) {
        throw new IllegalStateException("approval handler returned no stage");
      }
    } catch (RuntimeException e) {
      timeout.cancel();
      settled.set(true);
      return CompletableFuture.failedFuture(events.denied(identity, request, d, e, "approval handler failed",
          DenialCategory.UNAVAILABLE));
    }
    pending.whenComplete((outcome, error) -> {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      timeout.cancel();
      try {
        result.complete(onOutcome(identity, request, d, approvalId, now, deadline, outcome, error, f, issue));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private Grant onOutcome(WorkloadIdentity identity, GrantRequest request, Decision.NeedsApproval d,
      String approvalId, Instant requestedAt, Instant deadline, @Nullable ApprovalOutcome outcome,
      @Nullable Throwable error,
      Map<String, String> fields, Issue issue) {
    Map<String, String> f = new LinkedHashMap<>(fields);
    if (error != null || outcome == null) {
      f.put(AuditEvent.REASON, "approval handler failed");
      events.record(AuditEventType.APPROVAL_REJECTED, f);
      throw events.denied(identity, request, d, error, "approval " + approvalId + " failed in the approval handler",
          DenialCategory.UNAVAILABLE);
    }
    if (outcome instanceof ApprovalOutcome.Rejected r) {
      f.put(AuditEvent.APPROVERS, r.approver());
      f.put(AuditEvent.REASON, "rejected: " + r.comment());
      events.record(AuditEventType.APPROVAL_REJECTED, f);
      throw events.denied(identity, request, d, null, "approval " + approvalId + " rejected by " + r.approver(),
          DenialCategory.APPROVAL);
    }
    List<Approval> approvals = ((ApprovalOutcome.Approved) outcome).approvals();
    String problem = check(identity, d.requirement(), approvals, deadline);
    List<String> approvers = new ArrayList<>();
    approvals.forEach(a -> approvers.add(a.approver()));
    f.put(AuditEvent.APPROVERS, String.join(",", approvers));
    if (problem != null) {
      f.put(AuditEvent.REASON, "refused: " + problem);
      events.record(AuditEventType.APPROVAL_REJECTED, f);
      throw events.denied(identity, request, d, null, "approval " + approvalId + " refused: " + problem,
          DenialCategory.APPROVAL);
    }
    // what happened while the request waited: the approval covers the request as it was, not as it is now
    Instant now = clock.instant();
    Decision.Deny stale = null;
    if (!now.isBefore(identity.expiresAt())) {
      stale = Decision.deny(DenialCategory.IDENTITY,
          "approval " + approvalId + ": the requester's credential expired at " + identity.expiresAt() + " while it waited");
    } else if (admission.revokedSince(identity.id(), requestedAt)) {
      stale = Decision.deny(DenialCategory.IDENTITY,
          "approval " + approvalId + ": the requester's identity was revoked while it waited");
    }
    Decision current = stale != null ? stale : admission.evaluatePolicy(identity, request, now, false).decision();
    Decision.Allow allow;
    if (current instanceof Decision.Allow a) {
      allow = a;
    } else if (current instanceof Decision.NeedsApproval n && n.requirement().equals(d.requirement())) {
      allow = new Decision.Allow(n.terms(), n.ruleIds(), n.reasons(), n.policyVersion());
    } else {
      String why = current instanceof Decision.Deny deny && stale != null
          ? String.join("; ", deny.reasons())
          : "approval " + approvalId + ": the current policy no longer grants this request with this approval";
      f.put(AuditEvent.REASON, "refused at approval time: " + why);
      events.record(AuditEventType.APPROVAL_REJECTED, f);
      DenialCategory category = current instanceof Decision.Deny deny ? deny.category() : DenialCategory.APPROVAL;
      throw events.denied(identity, request, current, null, why, category);
    }
    events.recordOrDeny(AuditEventType.APPROVAL_APPROVED, f, identity, request);
    return issue.issue(identity, request, allow, approvalId, approvals);
  }

  /** The broker's own final check of what the approval handler answered; null when it holds. */
  private @Nullable String check(
      WorkloadIdentity identity, ApprovalRequirement req, List<Approval> approvals, Instant deadline) {
    Set<String> distinct = new HashSet<>();
    String requester = Approval.normalize(identity.id());
    String owner = identity.owner().map(Approval::normalize).orElse(null);
    for (Approval a : approvals) {
      String approver = a.normalizedApprover();
      if (approver.equals(requester) || approver.equals(owner)) {
        return "the requester cannot approve its own request (" + a.approver() + ")";
      }
      if (a.at().isAfter(deadline)) {
        return "approval by " + a.approver() + " came after the deadline " + deadline;
      }
      distinct.add(approver);
    }
    if (!clock.instant().isBefore(deadline)) {
      return "the approval deadline " + deadline + " has passed";
    }
    if (distinct.size() < req.approvals()) {
      return "needs " + req.approvals() + " distinct approvers, got " + distinct.size();
    }
    return null;
  }
}
