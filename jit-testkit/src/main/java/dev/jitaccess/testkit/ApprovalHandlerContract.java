package dev.jitaccess.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jitaccess.Approval;
import dev.jitaccess.ApprovalRequirement;
import dev.jitaccess.Credential;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The {@link ApprovalHandler} contract as JUnit 5 tests: extend this class in your test sources, return
 * a fresh handler whose approver group {@link #approverGroup()} has the members {@link #approvers()},
 * and say how an approver approves or rejects a ticket in your system.
 * <pre>{@code
 * class SlackApprovalsContractTest extends ApprovalHandlerContract<SlackApprovals> {
 *   protected SlackApprovals newHandler() { return new SlackApprovals(fakeSlack, clock); }
 *   protected String approverGroup() { return "release"; }
 *   protected List<String> approvers() { return List.of("alice", "bob", "carol"); }
 *   protected void approve(SlackApprovals h, ApprovalTicket t, String who) { fakeSlack.click(t, who, "approve"); }
 *   protected void reject(SlackApprovals h, ApprovalTicket t, String who) { fakeSlack.click(t, who, "reject"); }
 * }
 * }</pre>
 * What it checks: a request stays pending until the required number of distinct group members
 * approve, then completes with exactly their approvals, timed within the ticket's window; one
 * rejection refuses; the requester (by id or owner) never approves its own request; repeated approvals
 * by one approver count once; non-members do not count; nothing counts after the deadline; {@code
 * cancel} is idempotent and ends the approval; tickets are independent. {@link #approve} and {@link
 * #reject} may throw for an approval the handler refuses; the contract only looks at the outcome.
 * Outcomes are read at once after each call, so decisions must take effect before the call returns.
 *
 * @param <H> the handler type, so the approve and reject hooks can reach its own methods
 */
public abstract class ApprovalHandlerContract<H extends ApprovalHandler> {
  /** A manual clock at {@link JitTestKit#DEFAULT_START}; build your handler on it. */
  protected final ManualClock clock = ManualClock.at(JitTestKit.DEFAULT_START);

  private int sequence;

  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected ApprovalHandlerContract() {}

  /** A fresh handler; called once per test. */
  protected abstract H newHandler();

  /** The approver group the contract's tickets name. */
  protected abstract String approverGroup();

  /** At least three distinct members of {@link #approverGroup()}. */
  protected abstract List<String> approvers();

  /** {@code approver} approves {@code ticket}; may throw if the handler refuses the approval. */
  protected abstract void approve(H handler, ApprovalTicket ticket, String approver);

  /** {@code approver} rejects {@code ticket}; may throw if the handler refuses the rejection. */
  protected abstract void reject(H handler, ApprovalTicket ticket, String approver);

  /**
   * A ticket needing {@code approvals} approvals from {@link #approverGroup()} within 30 minutes of the
   * clock's instant, requested by {@code spiffe://example.org/ci/deploy} whose owner is {@code owner}.
   */
  protected ApprovalTicket ticket(int approvals, String owner) {
    Instant now = clock.instant();
    Duration timeout = Duration.ofMinutes(30);
    WorkloadIdentity requester = WorkloadIdentity.builder("spiffe://example.org/ci/deploy", "spiffe://example.org")
        .kind("jwt-svid").owner(owner).expiresAt(now.plus(Duration.ofHours(1))).build();
    sequence++;
    GrantRequest request = GrantRequest.builder()
        .credential(Credential.jwtSvid("contract.placeholder.token"))
        .taskId("deploy-" + sequence).purpose("deploy").resource("db://prod").actions("write")
        .environment("prod").ttl(Duration.ofMinutes(5)).build();
    return new ApprovalTicket("approval-" + sequence + "-" + Pki.randomId(), requester, request,
        GrantTerms.of(Set.of("write"), Duration.ofMinutes(5)),
        new ApprovalRequirement(approverGroup(), approvals, timeout), List.of("contract-rule"), now, now.plus(timeout));
  }

  /** N distinct approvals approve, with exactly those approvers, and not before the N-th. */
  @Test
  public void approvesOnceEnoughDistinctMembersApprove() {
    H h = newHandler();
    ApprovalTicket t = ticket(2, "team-ci");
    CompletableFuture<ApprovalOutcome> outcome = start(h, t);
    assertFalse(outcome.isDone(), "the approval completed before anyone approved");
    approve(h, t, member(0));
    assertFalse(outcome.isDone(), "one approval of two completed the request");
    clock.advance(Duration.ofMinutes(1));
    approve(h, t, member(1));
    ApprovalOutcome.Approved approved = approved(outcome);
    assertEquals(Set.of(member(0), member(1)), approvers(approved));
    for (Approval a : approved.approvals()) {
      assertFalse(a.at().isBefore(t.requestedAt()), "approval before the request: " + a.at());
      assertFalse(a.at().isAfter(t.deadline()), "approval after the deadline: " + a.at());
    }
  }

  /** One rejection refuses the request. */
  @Test
  public void oneRejectionRefuses() {
    H h = newHandler();
    ApprovalTicket t = ticket(2, "team-ci");
    CompletableFuture<ApprovalOutcome> outcome = start(h, t);
    approve(h, t, member(0));
    reject(h, t, member(1));
    assertRefused(outcome, "one rejection must refuse the request");
    ApprovalOutcome o = outcome.isCompletedExceptionally() ? null : outcome.join();
    if (o instanceof ApprovalOutcome.Rejected rejected) {
      assertEquals(member(1), rejected.approver());
    }
  }

  /** The requester's owner, although a group member, cannot approve its own request. */
  @Test
  public void theRequesterNeverApprovesItself() {
    H h = newHandler();
    ApprovalTicket t = ticket(1, member(0));
    CompletableFuture<ApprovalOutcome> outcome = start(h, t);
    attempt(() -> approve(h, t, member(0)));
    assertNotApproved(outcome, "the requester's owner approved its own request");
    if (!outcome.isDone()) {
      approve(h, t, member(1));
      assertEquals(Set.of(member(1)), approvers(approved(outcome)));
    }
  }

  /** Approving twice counts once. */
  @Test
  public void repeatedApprovalsCountOnce() {
    H h = newHandler();
    ApprovalTicket t = ticket(2, "team-ci");
    CompletableFuture<ApprovalOutcome> outcome = start(h, t);
    approve(h, t, member(0));
    attempt(() -> approve(h, t, member(0)));
    assertNotApproved(outcome, "one approver approving twice met a requirement of two");
  }

  /** Someone outside the group cannot approve. */
  @Test
  public void nonMembersCannotApprove() {
    H h = newHandler();
    ApprovalTicket t = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> outcome = start(h, t);
    attempt(() -> approve(h, t, "mallory-not-in-" + approverGroup()));
    assertNotApproved(outcome, "a non-member approved");
  }

  /** Nothing counts once the deadline has passed. */
  @Test
  public void approvalsAfterTheDeadlineDoNotCount() {
    H h = newHandler();
    ApprovalTicket t = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> outcome = start(h, t);
    clock.advanceTo(t.deadline());
    attempt(() -> approve(h, t, member(1)));
    assertNotApproved(outcome, "an approval at the deadline was accepted");
  }

  /** cancel is idempotent, harmless for unknown ids, and ends the approval. */
  @Test
  public void cancelEndsTheApprovalAndIsIdempotent() {
    H h = newHandler();
    ApprovalTicket t = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> outcome = start(h, t);
    h.cancel(t.approvalId());
    h.cancel(t.approvalId());
    h.cancel("no-such-approval");
    attempt(() -> approve(h, t, member(1)));
    assertNotApproved(outcome, "a cancelled approval was approved");
  }

  /** Deciding one ticket leaves another untouched. */
  @Test
  public void ticketsAreIndependent() {
    H h = newHandler();
    ApprovalTicket a = ticket(1, "team-ci");
    ApprovalTicket b = ticket(1, "team-ci");
    CompletableFuture<ApprovalOutcome> first = start(h, a);
    CompletableFuture<ApprovalOutcome> second = start(h, b);
    approve(h, a, member(1));
    approved(first);
    assertFalse(second.isDone(), "approving one ticket decided another");
    reject(h, b, member(2));
    assertRefused(second, "the rejection of the second ticket was lost");
    approved(first);
  }

  private CompletableFuture<ApprovalOutcome> start(H h, ApprovalTicket t) {
    CompletionStage<ApprovalOutcome> stage = h.requestApproval(t);
    assertNotNull(stage, "requestApproval must return a stage");
    return stage.toCompletableFuture();
  }

  private String member(int i) {
    List<String> members = approvers();
    if (members.size() < 3 || Set.copyOf(members).size() != members.size()) {
      fail("approvers() must name at least three distinct members, got " + members);
    }
    return members.get(i);
  }

  private static ApprovalOutcome.Approved approved(CompletableFuture<ApprovalOutcome> outcome) {
    assertTrue(outcome.isDone(), "the approval is still pending");
    ApprovalOutcome o;
    try {
      o = outcome.join();
    } catch (CompletionException e) {
      throw new AssertionError("the approval failed instead of approving", e.getCause());
    }
    assertTrue(o instanceof ApprovalOutcome.Approved, "expected Approved, got " + o);
    return (ApprovalOutcome.Approved) o;
  }

  private static void assertNotApproved(CompletableFuture<ApprovalOutcome> outcome, String message) {
    if (outcome.isDone() && !outcome.isCompletedExceptionally()) {
      assertFalse(outcome.join() instanceof ApprovalOutcome.Approved, message);
    }
  }

  private static void assertRefused(CompletableFuture<ApprovalOutcome> outcome, String message) {
    assertTrue(outcome.isDone(), message + " (still pending)");
    assertNotApproved(outcome, message);
  }

  private static Set<String> approvers(ApprovalOutcome.Approved approved) {
    return approved.approvals().stream().map(Approval::approver).collect(Collectors.toSet());
  }

  private static void attempt(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException expected) {
      // refusing the attempt is one correct answer; the outcome decides
    }
  }
}
