package dev.jitaccess;

import java.time.Duration;
import java.util.Objects;

/**
 * Who must approve a request and how long they have.
 *
 * @param approverGroup the group whose members may approve
 * @param approvals how many distinct approvers are needed (N of the group)
 * @param timeout how long the approval may stay pending before the request is refused
 */
public record ApprovalRequirement(String approverGroup, int approvals, Duration timeout) {
  /** Checks the values. */
  public ApprovalRequirement {
    Objects.requireNonNull(approverGroup, "approverGroup");
    if (approverGroup.isBlank()) {
      throw new IllegalArgumentException("approverGroup must not be blank");
    }
    if (approvals < 1) {
      throw new IllegalArgumentException("approvals must be >= 1, got " + approvals);
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }
}
