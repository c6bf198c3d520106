package dev.jitaccess;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The public facts of a grant: everything its token says, nothing secret. Carried by {@link Grant},
 * listener callbacks, audit events and {@link Verification.Verified}. Build one with {@link #builder()};
 * derive a changed copy with {@link #toBuilder()}.
 *
 * <p>An immutable value with value equality. Related facts are grouped into small values
 * ({@link Delegation}, {@link Binding}, {@link ApprovalFacts}); the flat accessors ({@link #parentGrantId()},
 * {@link #keyThumbprint()}, ...) read the same facts. New facts are added to the builder with a default,
 * so adding one never breaks a caller. Nothing here is secret: thumbprints are public hashes, so
 * {@link #toString()} lists every fact.
 */
public final class GrantInfo {

  /**
   * Where a grant sits in a delegation chain.
   *
   * @param parentGrantId the parent grant when this is an attenuated sub-grant, {@code null} for a grant
   *     issued directly
   * @param delegators the identities that delegated this grant, nearest first (the {@code act} chain);
   *     empty for a grant issued directly
   * @param delegationsLeft how many further times it may be attenuated into sub-grants, {@code >= 0}
   */
  public record Delegation(@Nullable String parentGrantId, List<String> delegators, int delegationsLeft) {

    /** A grant issued directly that may not be delegated. */
    public static final Delegation NONE = new Delegation(null, List.of(), 0);

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException when {@code delegationsLeft} is negative, or a parent is given
     *     without delegators or delegators without a parent
     */
    public Delegation {
      delegators = List.copyOf(Objects.requireNonNull(delegators, "delegators"));
      if (delegationsLeft < 0) {
        throw new IllegalArgumentException("delegationsLeft must be >= 0, got " + delegationsLeft);
      }
      if ((parentGrantId != null) == delegators.isEmpty()) {
        throw new IllegalArgumentException("a sub-grant has both a parent and delegators; a direct grant neither");
      }
    }

    /** Whether this is an attenuated sub-grant of another grant. */
    public boolean isSubGrant() {
      return parentGrantId != null;
    }
  }

  /**
   * What the grant's token is bound to (sender constraint), if anything.
   *
   * @param certificateThumbprint the bound mTLS certificate ({@code cnf.x5t#S256}), or {@code null}
   * @param keyThumbprint the bound DPoP key ({@code cnf.jkt}), or {@code null}
   */
  public record Binding(@Nullable String certificateThumbprint, @Nullable String keyThumbprint) {

    /** A bearer token: bound to nothing. */
    public static final Binding NONE = new Binding(null, null);

    /** Whether the token is bound to a certificate or a key, so it is useless without the holder's proof. */
    public boolean isSenderConstrained() {
      return certificateThumbprint != null || keyThumbprint != null;
    }
  }

  /**
   * The human approval behind a grant, if any.
   *
   * @param approvalId the approval record, or {@code null} when the grant needed no approval
   * @param approvals who approved, when, with which comment; empty without approval
   */
  public record ApprovalFacts(@Nullable String approvalId, List<Approval> approvals) {

    /** A grant that needed no approval. */
    public static final ApprovalFacts NONE = new ApprovalFacts(null, List.of());

    /** Checks and copies. */
    public ApprovalFacts {
      approvals = List.copyOf(Objects.requireNonNull(approvals, "approvals"));
    }
  }

  private final String grantId;
  private final String subject;
  private final String issuer;
  private final String resource;
  private final Set<String> actions;
  private final String taskId;
  private final String purpose;
  private final String environment;
  private final @Nullable String owner;
  private final Instant issuedAt;
  private final Instant expiresAt;
  private final ApprovalFacts approval;
  private final boolean breakGlass;
  private final boolean singleUse;
  private final List<String> ruleIds;
  private final Delegation delegation;
  private final Binding binding;

  private GrantInfo(Builder b) {
    this.grantId = Objects.requireNonNull(b.grantId, "grantId");
    this.subject = Objects.requireNonNull(b.subject, "subject");
    this.issuer = Objects.requireNonNull(b.issuer, "issuer");
    this.resource = Objects.requireNonNull(b.resource, "resource");
    this.actions = Set.copyOf(Objects.requireNonNull(b.actions, "actions"));
    this.taskId = Objects.requireNonNull(b.taskId, "taskId");
    this.purpose = Objects.requireNonNull(b.purpose, "purpose");
    this.environment = Objects.requireNonNull(b.environment, "environment");
    this.owner = b.owner;
    this.issuedAt = Objects.requireNonNull(b.issuedAt, "issuedAt");
    this.expiresAt = Objects.requireNonNull(b.expiresAt, "expiresAt");
    this.approval = new ApprovalFacts(b.approvalId, b.approvals);
    this.breakGlass = b.breakGlass;
    this.singleUse = b.singleUse;
    this.ruleIds = List.copyOf(b.ruleIds);
    this.delegation = new Delegation(b.parentGrantId, b.delegators, b.delegationsLeft);
    this.binding = new Binding(b.certificateThumbprint, b.keyThumbprint);
  }

  /** The grant id, also the token's {@code jti}. */
  public String grantId() {
    return grantId;
  }

  /** The workload identity holding the grant ({@code sub}). */
  public String subject() {
    return subject;
  }

  /** The broker's issuer ({@code iss}). */
  public String issuer() {
    return issuer;
  }

  /** The resource ({@code aud}). */
  public String resource() {
    return resource;
  }

  /** The granted actions ({@code scope}). */
  public Set<String> actions() {
    return actions;
  }

  /** The task the grant is bound to ({@code txn}). */
  public String taskId() {
    return taskId;
  }

  /** The stated purpose. */
  public String purpose() {
    return purpose;
  }

  /** The environment. */
  public String environment() {
    return environment;
  }

  /** The accountable owner, if known. */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  /** When the grant (or its current token) was issued. */
  public Instant issuedAt() {
    return issuedAt;
  }

  /** When the grant (or its current token) expires. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** The human approval behind the grant ({@link ApprovalFacts#NONE} without one). */
  public ApprovalFacts approval() {
    return approval;
  }

  /** The approval record, if the grant was approved by humans. */
  public Optional<String> approvalId() {
    return Optional.ofNullable(approval.approvalId());
  }

  /** Who approved, when, with which comment; empty without approval. */
  public List<Approval> approvals() {
    return approval.approvals();
  }

  /** Whether this is an emergency grant flagged for review. */
  public boolean breakGlass() {
    return breakGlass;
  }

  /** Whether the token verifies once only. */
  public boolean singleUse() {
    return singleUse;
  }

  /** The policy rules that allowed it. */
  public List<String> ruleIds() {
    return ruleIds;
  }

  /** Where the grant sits in a delegation chain ({@link Delegation#NONE} for a direct, final grant). */
  public Delegation delegation() {
    return delegation;
  }

  /** The parent grant when this is an attenuated sub-grant. */
  public Optional<String> parentGrantId() {
    return Optional.ofNullable(delegation.parentGrantId());
  }

  /** The identities that delegated this grant, nearest first; empty for a grant issued directly. */
  public List<String> delegators() {
    return delegation.delegators();
  }

  /** How many further times it may be attenuated into sub-grants. */
  public int delegationsLeft() {
    return delegation.delegationsLeft();
  }

  /** What the token is bound to ({@link Binding#NONE} for a bearer token). */
  public Binding binding() {
    return binding;
  }

  /** The bound mTLS certificate ({@code cnf.x5t#S256}), if sender-constrained by one. */
  public Optional<String> certificateThumbprint() {
    return Optional.ofNullable(binding.certificateThumbprint());
  }

  /** The bound DPoP key ({@code cnf.jkt}), if sender-constrained by one. */
  public Optional<String> keyThumbprint() {
    return Optional.ofNullable(binding.keyThumbprint());
  }

  /** Whether the token is bound to a certificate or a key, so it is useless without the holder's proof. */
  public boolean isSenderConstrained() {
    return binding.isSenderConstrained();
  }

  /** Value equality over every fact. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o == this
        || (o instanceof GrantInfo g
            && grantId.equals(g.grantId)
            && subject.equals(g.subject)
            && issuer.equals(g.issuer)
            && resource.equals(g.resource)
            && actions.equals(g.actions)
            && taskId.equals(g.taskId)
            && purpose.equals(g.purpose)
            && environment.equals(g.environment)
            && Objects.equals(owner, g.owner)
            && issuedAt.equals(g.issuedAt)
            && expiresAt.equals(g.expiresAt)
            && approval.equals(g.approval)
            && breakGlass == g.breakGlass
            && singleUse == g.singleUse
            && ruleIds.equals(g.ruleIds)
            && delegation.equals(g.delegation)
            && binding.equals(g.binding));
  }

  /** A hash over every fact, consistent with {@link #equals}. */
  @Override
  public int hashCode() {
    return Objects.hash(grantId, subject, issuer, resource, actions, taskId, purpose, environment, owner,
        issuedAt, expiresAt, approval, breakGlass, singleUse, ruleIds, delegation, binding);
  }

  /** Every fact; none is secret. */
  @Override
  public String toString() {
    return "GrantInfo[grantId=" + grantId + ", subject=" + subject + ", issuer=" + issuer
        + ", resource=" + resource + ", actions=" + actions + ", taskId=" + taskId + ", purpose=" + purpose
        + ", environment=" + environment + ", owner=" + owner + ", issuedAt=" + issuedAt
        + ", expiresAt=" + expiresAt + ", " + approval + ", breakGlass=" + breakGlass
        + ", singleUse=" + singleUse + ", ruleIds=" + ruleIds + ", " + delegation + ", " + binding + "]";
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
    b.breakGlass = breakGlass;
    b.singleUse = singleUse;
    b.ruleIds = ruleIds;
    return b.approval(approval).delegation(delegation).binding(binding);
  }

  /**
   * Builds a {@link GrantInfo}. Not thread-safe. A setter may be called again to replace a value (that is
   * how {@link GrantInfo#toBuilder()} derives a copy); {@code null} means "absent" for the optional facts.
   * Defaults: no owner, no approval, not break-glass, not single-use, no rules, {@link Delegation#NONE},
   * {@link Binding#NONE}.
   */
  public static final class Builder {
    private @Nullable String grantId;
    private @Nullable String subject;
    private @Nullable String issuer;
    private @Nullable String resource;
    private @Nullable Set<String> actions;
    private @Nullable String taskId;
    private @Nullable String purpose;
    private @Nullable String environment;
    private @Nullable String owner;
    private @Nullable Instant issuedAt;
    private @Nullable Instant expiresAt;
    private @Nullable String approvalId;
    private List<Approval> approvals = List.of();
    private boolean breakGlass;
    private boolean singleUse;
    private List<String> ruleIds = List.of();
    private @Nullable String parentGrantId;
    private List<String> delegators = List.of();
    private int delegationsLeft;
    private @Nullable String certificateThumbprint;
    private @Nullable String keyThumbprint;

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

    /** The owner, or {@code null} when unknown. */
    public Builder owner(@Nullable String v) {
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

    /** The approval id, or {@code null} without approval. */
    public Builder approvalId(@Nullable String v) {
      approvalId = v;
      return this;
    }

    /** The approvals. */
    public Builder approvals(List<Approval> v) {
      approvals = Objects.requireNonNull(v, "approvals");
      return this;
    }

    /** The approval id and the approvals at once. */
    public Builder approval(ApprovalFacts v) {
      Objects.requireNonNull(v, "approval");
      approvalId = v.approvalId();
      approvals = v.approvals();
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
      ruleIds = Objects.requireNonNull(v, "ruleIds");
      return this;
    }

    /** The parent grant of a sub-grant ({@code null} for a direct grant), and the delegators, nearest first. */
    public Builder delegation(@Nullable String parent, List<String> chain) {
      parentGrantId = parent;
      delegators = List.copyOf(Objects.requireNonNull(chain, "chain"));
      return this;
    }

    /** The whole delegation position at once. */
    public Builder delegation(Delegation v) {
      Objects.requireNonNull(v, "delegation");
      delegationsLeft = v.delegationsLeft();
      return delegation(v.parentGrantId(), v.delegators());
    }

    /** How many further delegations are allowed. */
    public Builder delegationsLeft(int v) {
      delegationsLeft = v;
      return this;
    }

    /** The bound certificate thumbprint, or {@code null}. */
    public Builder certificateThumbprint(@Nullable String v) {
      certificateThumbprint = v;
      return this;
    }

    /** The bound key thumbprint, or {@code null}. */
    public Builder keyThumbprint(@Nullable String v) {
      keyThumbprint = v;
      return this;
    }

    /** Both bindings at once. */
    public Builder binding(Binding v) {
      Objects.requireNonNull(v, "binding");
      certificateThumbprint = v.certificateThumbprint();
      keyThumbprint = v.keyThumbprint();
      return this;
    }

    /**
     * Builds the value; the builder is left unchanged.
     *
     * @throws NullPointerException naming the first required field not set
     * @throws IllegalArgumentException when the delegation facts disagree (see {@link Delegation})
     */
    public GrantInfo build() {
      return new GrantInfo(this);
    }
  }
}
