package dev.jitaccess.spi;

import java.time.Clock;
import java.util.concurrent.CompletionStage;

/**
 * Asks humans (or an approving system) to approve a request that the policy marked as needing approval.
 * The broker enforces the requirement on the outcome: enough distinct approvers, none of them the
 * requester, all before the deadline. A handler that throws or completes exceptionally refuses the request.
 */
public interface ApprovalHandler {

  /**
   * Starts building an in-memory handler (tests, examples, small deployments): approver groups in the
   * builder, approvals given through {@link InMemoryApprovalHandler#approve}.
   *
   * @param clock the clock deadlines are checked against
   */
  static InMemoryApprovalHandler.Builder inMemory(Clock clock) {
    return new InMemoryApprovalHandler.Builder(clock);
  }

  /** Starts an approval; the stage completes when approvers have decided. */
  CompletionStage<ApprovalOutcome> requestApproval(ApprovalTicket ticket);

  /** Called when the broker stops waiting (timeout); the default does nothing. */
  default void cancel(String approvalId) {}
}
