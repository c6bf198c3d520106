package dev.jitaccess.internal;

import dev.jitaccess.Approval;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.InMemoryApprovalHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@link InMemoryApprovalHandler}: pending approvals in a map guarded by this object's lock; each
 * ticket's future completes outside the lock. Made by {@code ApprovalHandler.inMemory(clock)}.
 */
public final class InMemoryApprovals implements InMemoryApprovalHandler {
  private final Clock clock;
  private final Map<String, Set<String>> groups;
  private final @Nullable Consumer<ApprovalTicket> onRequest;
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  private static final class Pending {
    final ApprovalTicket ticket;
    final CompletableFuture<ApprovalOutcome> future = new CompletableFuture<>();
    final Map<String, Approval> approvals = new LinkedHashMap<>();

    Pending(ApprovalTicket ticket) {
      this.ticket = ticket;
    }
  }

  /**
   * A handler; use {@link dev.jitaccess.spi.ApprovalHandler#inMemory(Clock)}.
   *
   * @param clock the clock deadlines are checked against
   * @param groups approver groups and their members (copied)
   * @param onRequest called with each new ticket, or null
   */
  public InMemoryApprovals(Clock clock, Map<String, Set<String>> groups, @Nullable Consumer<ApprovalTicket> onRequest) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.groups = Map.copyOf(groups);
    this.onRequest = onRequest;
  }

  @Override
  public CompletionStage<ApprovalOutcome> requestApproval(ApprovalTicket ticket) {
    Objects.requireNonNull(ticket, "ticket");
    Pending p = new Pending(ticket);
    String problem = null;
    Set<String> members = groups.get(ticket.requirement().approverGroup());
    if (members == null) {
      problem = "no approver group '" + ticket.requirement().approverGroup() + "' is configured";
    } else {
      long eligible = members.stream().filter(m -> !isRequester(ticket, m)).count();
      if (eligible < ticket.requirement().approvals()) {
        problem = "group '" + ticket.requirement().approverGroup() + "' has " + eligible
            + " eligible approver(s), fewer than the " + ticket.requirement().approvals() + " required";
      }
    }
    synchronized (this) {
      if (problem == null && pending.containsKey(ticket.approvalId())) {
        problem = "approval '" + ticket.approvalId() + "' is already pending";
      } else if (problem == null) {
        pending.put(ticket.approvalId(), p);
      }
    }
    if (problem != null) {
      p.future.completeExceptionally(new JitException("approval " + ticket.approvalId() + " for rules "
          + ticket.ruleIds() + " cannot be given: " + problem));
      return p.future.minimalCompletionStage();
    }
    if (onRequest != null) {
      try {
        onRequest.accept(ticket);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(InMemoryApprovals.class)
            .warn("approval request callback failed for approval {}; ignored", ticket.approvalId(), e);
      }
    }
    return p.future.minimalCompletionStage();
  }

  /**
   * Records one approval.
   *
   * @param approvalId the ticket's approval id
   * @param approver who approves; must be a member of the ticket's group, not the requester or its owner
   * @param comment the approver's comment, possibly empty
   * @return how many further approvals are needed; 0 means the request is approved
   * @throws IllegalStateException if there is no such pending approval or this approver already approved
   * @throws JitException if the approver is the requester or its owner, is not in the group, or the
   *     deadline has passed (the ticket is then refused)
   */
  @Override
  public int approve(String approvalId, String approver, String comment) {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(comment, "comment");
    if (approver.isBlank()) {
      throw new IllegalArgumentException("approver must not be blank");
    }
    Pending p;
    ApprovalOutcome outcome = null;
    int remaining;
    synchronized (this) {
      p = live(approvalId);
      checkApprover(p.ticket, approver);
      if (p.approvals.containsKey(Approval.normalize(approver))) {
        throw new IllegalStateException("'" + approver + "' already approved " + approvalId
            + ": approvals must come from distinct approvers");
      }
      p.approvals.put(Approval.normalize(approver), new Approval(approver, clock.instant(), comment));
      remaining = Math.max(0, p.ticket.requirement().approvals() - p.approvals.size());
      if (remaining == 0) {
        pending.remove(approvalId);
        outcome = new ApprovalOutcome.Approved(new ArrayList<>(p.approvals.values()));
      }
    }
    if (outcome != null) {
      p.future.complete(outcome);
    }
    return remaining;
  }

  /**
   * Rejects a pending approval; one rejection refuses the request.
   *
   * @throws IllegalStateException if there is no such pending approval
   * @throws JitException if the approver is not in the group, or the deadline has passed
   */
  @Override
  public void reject(String approvalId, String approver, String comment) {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(comment, "comment");
    Pending p;
    synchronized (this) {
      p = live(approvalId);
      Set<String> members = groups.getOrDefault(p.ticket.requirement().approverGroup(), Set.of());
      if (!members.contains(approver)) {
        throw new JitException("'" + approver + "' is not a member of approver group '"
            + p.ticket.requirement().approverGroup() + "' for approval " + approvalId);
      }
      pending.remove(approvalId);
    }
    p.future.complete(new ApprovalOutcome.Rejected(approver, comment));
  }

  @Override
  public void cancel(String approvalId) {
    Pending p;
    synchronized (this) {
      p = pending.remove(approvalId);
    }
    if (p != null) {
      p.future.completeExceptionally(new JitException("approval " + approvalId + " was cancelled"));
    }
  }

  /**
   * Refuses every pending approval whose deadline has passed (at or after the deadline, by the clock).
   *
   * @return the approval ids refused, in request order
   */
  @Override
  public List<String> expireDue() {
    Instant now = clock.instant();
    List<Pending> due = new ArrayList<>();
    synchronized (this) {
      pending.values().removeIf(p -> {
        if (!now.isBefore(p.ticket.deadline())) {
          due.add(p);
          return true;
        }
        return false;
      });
    }
    List<String> ids = new ArrayList<>();
    for (Pending p : due) {
      ids.add(p.ticket.approvalId());
      p.future.completeExceptionally(timedOut(p.ticket));
    }
    return ids;
  }

  /** The pending tickets, oldest first. */
  @Override
  public synchronized List<ApprovalTicket> pending() {
    List<ApprovalTicket> out = new ArrayList<>();
    pending.values().forEach(p -> out.add(p.ticket));
    out.sort(Comparator.comparing(ApprovalTicket::requestedAt).thenComparing(ApprovalTicket::approvalId));
    return out;
  }

  /** The pending approval, refusing it first if its deadline has passed. Call holding the lock. */
  private Pending live(String approvalId) {
    Pending p = pending.get(approvalId);
    if (p == null) {
      throw new IllegalStateException("no pending approval '" + approvalId + "'");
    }
    if (!clock.instant().isBefore(p.ticket.deadline())) {
      pending.remove(approvalId);
      JitException e = timedOut(p.ticket);
      p.future.completeExceptionally(e);
      throw e;
    }
    return p;
  }

  private void checkApprover(ApprovalTicket t, String approver) {
    if (isRequester(t, approver)) {
      throw new JitException("'" + approver + "' cannot approve approval " + t.approvalId()
          + " required by rules " + t.ruleIds() + ": it is the requester or the requester's owner,"
          + " and an identity never approves its own request");
    }
    Set<String> members = groups.getOrDefault(t.requirement().approverGroup(), Set.of());
    if (!members.contains(approver)) {
      throw new JitException("'" + approver + "' is not a member of approver group '"
          + t.requirement().approverGroup() + "' required by rules " + t.ruleIds());
    }
  }

  private static boolean isRequester(ApprovalTicket t, String approver) {
    String a = Approval.normalize(approver); // the broker's own comparison, one function
    return Approval.normalize(t.requester().id()).equals(a)
        || t.requester().owner().map(o -> Approval.normalize(o).equals(a)).orElse(false);
  }

  private static JitException timedOut(ApprovalTicket t) {
    return new JitException("approval " + t.approvalId() + " for rules " + t.ruleIds() + " timed out at "
        + t.deadline());
  }

  @Override
  public synchronized String toString() {
    return "InMemoryApprovalHandler[pending=" + pending.size() + ", groups=" + groups.keySet() + "]";
  }
}
