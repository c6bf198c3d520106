package dev.jitaccess.spi;

import dev.jitaccess.Approval;
import java.util.List;
import java.util.Objects;

/** What approvers decided: {@link Approved} or {@link Rejected}. */
public sealed interface ApprovalOutcome permits ApprovalOutcome.Approved, ApprovalOutcome.Rejected {

  /**
   * Approved by these approvers.
   *
   * @param approvals one per approver
   */
  record Approved(List<Approval> approvals) implements ApprovalOutcome {
    /** Checks and copies. */
    public Approved {
      approvals = List.copyOf(approvals);
      if (approvals.isEmpty()) {
        throw new IllegalArgumentException("an approval needs at least one approver");
      }
    }
  }

  /**
   * Refused by an approver.
   *
   * @param approver who refused
   * @param comment why
   */
  record Rejected(String approver, String comment) implements ApprovalOutcome {
    /** Checks the values. */
    public Rejected {
      Objects.requireNonNull(approver, "approver");
      Objects.requireNonNull(comment, "comment");
    }
  }
}
