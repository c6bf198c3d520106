package dev.jitaccess.spi;

import dev.jitaccess.ApprovalRequirement;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.WorkloadIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A pending approval as shown to approvers: who asks for what, on which terms, which rules require the
 * approval, and until when it can be given.
 *
 * @param approvalId the approval record id
 * @param requester the verified identity asking
 * @param request the request (its credential is never shown by {@code toString()})
 * @param terms what would be granted
 * @param requirement who must approve and how many
 * @param ruleIds the rules requiring approval
 * @param requestedAt when the approval was requested
 * @param deadline after this the request is refused
 */
public record ApprovalTicket(
    String approvalId,
    WorkloadIdentity requester,
    GrantRequest request,
    GrantTerms terms,
    ApprovalRequirement requirement,
    List<String> ruleIds,
    Instant requestedAt,
    Instant deadline) {
  /** Checks and copies. */
  public ApprovalTicket {
    Objects.requireNonNull(approvalId, "approvalId");
    Objects.requireNonNull(requester, "requester");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(terms, "terms");
    Objects.requireNonNull(requirement, "requirement");
    ruleIds = List.copyOf(ruleIds);
    Objects.requireNonNull(requestedAt, "requestedAt");
    Objects.requireNonNull(deadline, "deadline");
  }
}
