package dev.jitaccess;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The public facts of a grant: everything its token says, nothing secret. Carried by {@link Grant},
 * listener callbacks, audit events and {@link Verification.Verified}.
 *
 * @param grantId the grant id, also the token's {@code jti}
 * @param subject the workload identity the grant was issued to ({@code sub})
 * @param issuer the broker's issuer ({@code iss})
 * @param resource the resource ({@code aud})
 * @param actions the granted actions ({@code scope})
 * @param taskId the task the grant is bound to
 * @param purpose the stated purpose
 * @param environment the environment
 * @param owner the accountable owner, if known
 * @param issuedAt when the grant (or its current token) was issued
 * @param expiresAt when the grant (or its current token) expires
 * @param approvalId the approval record, if the grant was approved by humans
 * @param approvals who approved, when, with which comment
 * @param breakGlass whether this is an emergency grant flagged for review
 * @param singleUse whether the token verifies once only
 * @param ruleIds the policy rules that allowed it
 * @param parentGrantId the parent grant when this is an attenuated sub-grant
 */
public record GrantInfo(
    String grantId,
    String subject,
    String issuer,
    String resource,
    Set<String> actions,
    String taskId,
    String purpose,
    String environment,
    Optional<String> owner,
    Instant issuedAt,
    Instant expiresAt,
    Optional<String> approvalId,
    List<Approval> approvals,
    boolean breakGlass,
    boolean singleUse,
    List<String> ruleIds,
    Optional<String> parentGrantId) {

  /** Checks and copies. */
  public GrantInfo {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(resource, "resource");
    actions = Set.copyOf(actions);
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(approvalId, "approvalId");
    approvals = List.copyOf(approvals);
    ruleIds = List.copyOf(ruleIds);
    Objects.requireNonNull(parentGrantId, "parentGrantId");
  }
}
