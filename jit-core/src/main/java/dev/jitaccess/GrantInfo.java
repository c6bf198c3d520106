package dev.jitaccess;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The public facts of a grant: everything its token says, nothing secret. Carried by {@link Grant},
 * listener callbacks, audit events and {@link Verification.Verified}. Build one with {@link #builder()}.
 *
 * @param grantId the grant id, also the token's {@code jti}
 * @param subject the workload identity holding the grant ({@code sub})
 * @param issuer the broker's issuer ({@code iss})
 * @param resource the resource ({@code aud})
 * @param actions the granted actions ({@code scope})
 * @param taskId the task the grant is bound to ({@code txn})
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
 * @param delegators the identities that delegated this grant, nearest first (the {@code act} chain);
 *     empty for a grant issued directly
 * @param delegationsLeft how many further times it may be attenuated into sub-grants
 * @param certificateThumbprint the bound mTLS certificate ({@code cnf.x5t#S256}), if sender-constrained
 * @param keyThumbprint the bound DPoP key ({@code cnf.jkt}), if sender-constrained
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
    Optional<String> parentGrantId,
    List<String> delegators,
    int delegationsLeft,
    Optional<String> certificateThumbprint,
    Optional<String> keyThumbprint) {

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
    delegators = List.copyOf(delegators);
    if (delegationsLeft < 0) {
      throw new IllegalArgumentException("delegationsLeft must be >= 0, got " + delegationsLeft);
    }
    Objects.requireNonNull(certificateThumbprint, "certificateThumbprint");
    Objects.requireNonNull(keyThumbprint, "keyThumbprint");
    if (parentGrantId.isPresent() != !delegators.isEmpty()) {
      throw new IllegalArgumentException("a sub-grant has both a parent and delegators; a direct grant neither");
    }
  }

  /** Whether the token is bound to a certificate or a key, so it is useless without the holder's proof. */
  public boolean isSenderConstrained() {
    return certificateThumbprint.isPresent() || keyThumbprint.isPresent();
  }

  /** Starts a builder; every field without a default must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this grant's values, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.grantId = grantId;
    b.subject = subject;
    b.issuer = issuer;
    b.resource = resource;
    b.actions = actions;
    b.taskId = taskId;
    b.purpose = purpose;
    b.environment = environment;
    b.owner = owner;
    b.issuedAt = issuedAt;
    b.expiresAt = expiresAt;
    b.approvalId = approvalId;
    b.approvals = approvals;
    b.breakGlass = breakGlass;
    b.singleUse = singleUse;
    b.ruleIds = ruleIds;
    b.parentGrantId = parentGrantId;
    b.delegators = delegators;
    b.delegationsLeft = delegationsLeft;
    b.certificateThumbprint = certificateThumbprint;
    b.keyThumbprint = keyThumbprint;
    return b;
  }

  /** Builds a {@link GrantInfo}. Not thread-safe. */
  public static final class Builder {
    private @Nullable String grantId;
    private @Nullable String subject;
    private @Nullable String issuer;
    private @Nullable String resource;
    private @Nullable Set<String> actions;
    private @Nullable String taskId;
    private @Nullable String purpose;
    private @Nullable String environment;
    private Optional<String> owner = Optional.empty();
    private @Nullable Instant issuedAt;
    private @Nullable Instant expiresAt;
    private Optional<String> approvalId = Optional.empty();
    private List<Approval> approvals = List.of();
    private boolean breakGlass;
    private boolean singleUse;
    private List<String> ruleIds = List.of();
    private Optional<String> parentGrantId = Optional.empty();
    private List<String> delegators = List.of();
    private int delegationsLeft;
    private Optional<String> certificateThumbprint = Optional.empty();
    private Optional<String> keyThumbprint = Optional.empty();

    private Builder() {}

    /** The grant id. */
    public Builder grantId(String v) {
      grantId = v;
      return this;
    }

    /** The holder. */
    public Builder subject(String v) {
      subject = v;
      return this;
    }

    /** The issuer. */
    public Builder issuer(String v) {
      issuer = v;
      return this;
    }

    /** The resource. */
    public Builder resource(String v) {
      resource = v;
      return this;
    }

    /** The actions. */
    public Builder actions(Set<String> v) {
      actions = v;
      return this;
    }

    /** The task id. */
    public Builder taskId(String v) {
      taskId = v;
      return this;
    }

    /** The purpose. */
    public Builder purpose(String v) {
      purpose = v;
      return this;
    }

    /** The environment. */
    public Builder environment(String v) {
      environment = v;
      return this;
    }

    /** The owner. */
    public Builder owner(Optional<String> v) {
      owner = v;
      return this;
    }

    /** When issued. */
    public Builder issuedAt(Instant v) {
      issuedAt = v;
      return this;
    }

    /** When it expires. */
    public Builder expiresAt(Instant v) {
      expiresAt = v;
      return this;
    }

    /** The approval id. */
    public Builder approvalId(Optional<String> v) {
      approvalId = v;
      return this;
    }

    /** The approvals. */
    public Builder approvals(List<Approval> v) {
      approvals = v;
      return this;
    }

    /** The break-glass flag. */
    public Builder breakGlass(boolean v) {
      breakGlass = v;
      return this;
    }

    /** The single-use flag. */
    public Builder singleUse(boolean v) {
      singleUse = v;
      return this;
    }

    /** The deciding rules. */
    public Builder ruleIds(List<String> v) {
      ruleIds = v;
      return this;
    }

    /** The parent grant of a sub-grant, and the delegators, nearest first. */
    public Builder delegation(Optional<String> parent, List<String> chain) {
      parentGrantId = parent;
      delegators = new ArrayList<>(chain);
      return this;
    }

    /** How many further delegations are allowed. */
    public Builder delegationsLeft(int v) {
      delegationsLeft = v;
      return this;
    }

    /** The bound certificate thumbprint. */
    public Builder certificateThumbprint(Optional<String> v) {
      certificateThumbprint = v;
      return this;
    }

    /** The bound key thumbprint. */
    public Builder keyThumbprint(Optional<String> v) {
      keyThumbprint = v;
      return this;
    }

    /**
     * Builds the value.
     *
     * @throws NullPointerException naming the first required field not set
     */
    public GrantInfo build() {
      return new GrantInfo(
          Objects.requireNonNull(grantId, "grantId"),
          Objects.requireNonNull(subject, "subject"),
          Objects.requireNonNull(issuer, "issuer"),
          Objects.requireNonNull(resource, "resource"),
          Objects.requireNonNull(actions, "actions"),
          Objects.requireNonNull(taskId, "taskId"),
          Objects.requireNonNull(purpose, "purpose"),
          Objects.requireNonNull(environment, "environment"),
          owner,
          Objects.requireNonNull(issuedAt, "issuedAt"),
          Objects.requireNonNull(expiresAt, "expiresAt"),
          approvalId, approvals, breakGlass, singleUse, ruleIds, parentGrantId, delegators, delegationsLeft,
          certificateThumbprint, keyThumbprint);
    }
  }
}
