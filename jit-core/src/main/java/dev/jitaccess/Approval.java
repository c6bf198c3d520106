package dev.jitaccess;

import java.time.Instant;
import java.util.Objects;

/**
 * One approver's approval, recorded in the grant's claims and the audit trail.
 *
 * @param approver the approving identity (a person or an approving system)
 * @param at when it was given
 * @param comment the approver's comment, possibly empty
 */
public record Approval(String approver, Instant at, String comment) {
  /** Checks the values. */
  public Approval {
    Objects.requireNonNull(approver, "approver");
    if (approver.isBlank()) {
      throw new IllegalArgumentException("approver must not be blank");
    }
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(comment, "comment");
  }
}
