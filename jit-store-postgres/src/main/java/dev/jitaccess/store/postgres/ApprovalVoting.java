package dev.jitaccess.store.postgres;

import dev.jitaccess.JitException;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The decision rules of {@link PostgresApprovalHandler}, each decision one transaction under the ticket's
 * row lock: who may approve (a member of the ticket's group, case-folded, never the requester or its
 * owner), distinct votes up to the number required, one rejection refuses, nothing at or after the
 * deadline; with an audit sink, every vote, rejection and time-out is audited in the same transaction.
 * Completing the stages waiting in this JVM is {@link WaitingApprovals}' job.
 */
final class ApprovalVoting {
  private final Transactions tx;
  private final String table;
  private final String votes;
  private final Clock clock;
  private final Map<String, Map<String, String>> groups; // group -> folded member -> member
  private final @Nullable PostgresAuditSink audit;

  ApprovalVoting(Transactions tx, String schema, Clock clock, Map<String, Set<String>> groups,
      @Nullable PostgresAuditSink audit) {
    this.tx = tx;
    this.table = SchemaName.quoted(schema) + ".jit_approval";
    this.votes = SchemaName.quoted(schema) + ".jit_approval_vote";
    this.clock = clock;
    Map<String, Map<String, String>> g = new HashMap<>();
    groups.forEach((name, members) -> {
      Map<String, String> byKey = new HashMap<>();
      members.forEach(m -> byKey.put(Approvers.fold(m), m));
      g.put(name, Map.copyOf(byKey));
    });
    this.groups = Map.copyOf(g);
    this.audit = audit;
  }

  /** The approvals table, quoted. */
  String table() {
    return table;
  }

  /** The votes table, quoted. */
  String votes() {
    return votes;
  }

  /** The configured group names. */
  Set<String> groupNames() {
    return groups.keySet();
  }

  /** Why the ticket cannot be given here, or null if its group can give it. */
  @Nullable String eligibility(ApprovalTicket ticket) {
    Map<String, String> members = groups.get(ticket.requirement().approverGroup());
    if (members == null) {
      return "no approver group '" + ticket.requirement().approverGroup() + "' is configured";
    }
    long eligible = members.values().stream()
        .filter(m -> !Approvers.isRequester(m, ticket.requester().id(), ticket.requester().owner().orElse(null)))
        .count();
    if (eligible < ticket.requirement().approvals()) {
      return "group '" + ticket.requirement().approverGroup() + "' has " + eligible
          + " eligible approver(s), fewer than the " + ticket.requirement().approvals() + " required";
    }
    return null;
  }

  /** Records one vote; see {@link PostgresApprovalHandler#approve}. */
  ApprovalRows.Decision approve(String approvalId, String approver, String comment) {
    return onPending("approve", approvalId, (c, p, now) -> {
      String member = checkApprover(p, approver);
      if (!ApprovalRows.insertVote(c, votes, approvalId, member, now, comment)) {
        throw new IllegalStateException("'" + member + "' already approved " + approvalId
            + ": approvals must come from distinct approvers");
      }
      int given = ApprovalRows.countVotes(c, votes, approvalId);
      int remaining = Math.max(0, p.needed() - given);
      if (remaining == 0) {
        ApprovalRows.decide(c, table, approvalId, "APPROVED", now, null, null);
      }
      record(c, AuditEventType.APPROVAL_APPROVED, p, member, now,
          "approval " + given + " of " + p.needed() + " recorded" + (remaining == 0 ? "; approved" : "; pending"));
      return new ApprovalRows.Decision(remaining, null);
    });
  }

  /** Records a rejection; see {@link PostgresApprovalHandler#reject}. */
  ApprovalRows.Decision reject(String approvalId, String approver, String comment) {
    return onPending("reject", approvalId, (c, p, now) -> {
      String member = member(p, approver);
      ApprovalRows.decide(c, table, approvalId, "REJECTED", now, member, comment);
      record(c, AuditEventType.APPROVAL_REJECTED, p, member, now, "rejected: " + comment);
      return new ApprovalRows.Decision(0, null);
    });
  }

  /** What a vote does to a ticket still pending before its deadline, inside the ticket's transaction. */
  @FunctionalInterface
  private interface Vote {
    ApprovalRows.Decision cast(Connection c, ApprovalRows.Pending p, Instant now) throws SQLException;
  }

  /**
   * The shared prologue of approve and reject: locks the pending ticket, times it out when its deadline has
   * passed, and casts the vote otherwise.
   */
  private ApprovalRows.Decision onPending(String action, String approvalId, Vote vote) {
    return tx.inTransaction(action + " " + approvalId, c -> {
      ApprovalRows.Pending p = ApprovalRows.lockPending(c, table, approvalId);
      Instant now = clock.instant();
      return now.isBefore(p.deadline()) ? vote.cast(c, p, now) : timeOut(c, p, now);
    });
  }

  /** Marks a ticket cancelled; see {@link PostgresApprovalHandler#cancel}. */
  void cancel(String approvalId) {
    tx.inTransaction("cancel " + approvalId, c -> {
      ApprovalRows.cancel(c, table, approvalId, clock.instant());
      return Boolean.TRUE; // nothing to return; non-null for NullAway
    });
  }

  /** Times out every ticket past its deadline; see {@link PostgresApprovalHandler#expireDue}. */
  List<String> expireDue() {
    Instant now = clock.instant();
    return tx.inTransaction("expire approvals", c -> {
      List<ApprovalRows.Pending> due = ApprovalRows.lockDue(c, table, now);
      List<String> out = new ArrayList<>();
      for (ApprovalRows.Pending p : due) {
        timeOut(c, p, now);
        out.add(p.approvalId());
      }
      return out;
    });
  }

  /** Marks the ticket timed out (in the caller's transaction, which commits) and says so. */
  private ApprovalRows.Decision timeOut(Connection c, ApprovalRows.Pending p, Instant now) throws SQLException {
    ApprovalRows.decide(c, table, p.approvalId(), "TIMED_OUT", now, null, null);
    record(c, AuditEventType.APPROVAL_TIMED_OUT, p, null, now, "no decision before " + p.deadline());
    return new ApprovalRows.Decision(0, timedOut(p.approvalId(), p.ruleIds(), p.deadline()));
  }

  /** The refusal of a ticket that reached its deadline undecided. */
  static JitException timedOut(String approvalId, List<String> ruleIds, Instant deadline) {
    return new JitException("approval " + approvalId + " for rules " + ruleIds + " timed out at " + deadline);
  }

  private String checkApprover(ApprovalRows.Pending p, String approver) {
    if (Approvers.isRequester(approver, p.requesterId(), p.requesterOwner())) {
      throw new JitException("'" + approver + "' cannot approve approval " + p.approvalId()
          + " required by rules " + p.ruleIds() + ": it is the requester or the requester's owner,"
          + " and an identity never approves its own request");
    }
    return member(p, approver);
  }

  private String member(ApprovalRows.Pending p, String approver) {
    String member = groups.getOrDefault(p.group(), Map.of()).get(Approvers.fold(approver));
    if (member == null) {
      throw new JitException("'" + approver + "' is not a member of approver group '" + p.group()
          + "' required by rules " + p.ruleIds());
    }
    return member;
  }

  private void record(Connection c, AuditEventType type, ApprovalRows.Pending p, @Nullable String approver,
      Instant at, String reason) {
    if (audit == null) {
      return;
    }
    Map<String, String> f = new LinkedHashMap<>();
    f.put(AuditEvent.APPROVAL_ID, p.approvalId());
    f.put(AuditEvent.IDENTITY, p.requesterId());
    f.put(AuditEvent.TASK_ID, p.taskId());
    f.put(AuditEvent.RESOURCE, p.resource());
    f.put(AuditEvent.RULES, String.join(",", p.ruleIds()));
    if (approver != null) {
      f.put(AuditEvent.APPROVERS, approver);
    }
    f.put(AuditEvent.REASON, reason);
    audit.append(c, new AuditEvent(type, at, f));
  }
}
