package dev.jitaccess.policy;

import static dev.jitaccess.policy.RuleArguments.globTexts;
import static dev.jitaccess.policy.RuleArguments.globs;
import static dev.jitaccess.policy.RuleArguments.once;
import static dev.jitaccess.policy.RuleArguments.sorted;
import static dev.jitaccess.policy.RuleArguments.text;
import static dev.jitaccess.policy.RuleArguments.texts;
import static dev.jitaccess.policy.RuleArguments.windows;

import dev.jitaccess.internal.Arguments;
import dev.jitaccess.internal.Glob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One policy rule: an id and an owner, what it matches, and its effect. Every condition given must hold
 * (a list inside one condition means "any of"); a condition left out matches everything. Immutable;
 * built with {@link #builder(String)} or read from YAML (see {@code POLICY.md}).
 *
 * <p>A rule is {@linkplain Builder#overridable(boolean) overridable} when a break-glass request may pass
 * it (deny and require-approval rules only; a deny that is not overridable is a hard deny). A
 * {@linkplain Builder#shadow(boolean) shadow} rule is evaluated, logged and reported, never enforced.
 */
public final class Rule {
  /** What a matching rule does. */
  public enum Effect {
    /** Refuse the request. */
    DENY,
    /** Grant the covered actions on the rule's terms. */
    ALLOW,
    /** Grant the covered actions on the rule's terms once approvers agree. */
    REQUIRE_APPROVAL;

    /** The YAML name: {@code deny}, {@code allow}, {@code require-approval}. */
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  final String id;
  final String owner;
  final String description;
  final Effect effect;
  final boolean overridable;
  final boolean shadow;
  // identity
  final List<String> identityIds;
  final List<SpiffePattern> spiffeIds;
  final List<Glob> otherIds;
  final Set<String> trustDomains;
  final Set<String> issuers;
  final List<AttributeCondition> claims;
  // request
  final Set<String> purposes;
  final List<Glob> taskIds;
  final List<Glob> resources;
  final Set<String> actions;
  final Set<String> environments;
  final List<TimeWindow> within;
  final List<TimeWindow> outside;
  final @Nullable Instant validFrom;
  final @Nullable Instant validUntil;
  final List<AttributeCondition> attributes;
  // terms
  final @Nullable Duration maxTtl;
  final @Nullable Duration idleTimeout;
  final boolean singleUse;
  final boolean renewable;
  final Set<String> grantActions;
  final int maxDelegationDepth;
  final boolean sharedTask;
  final @Nullable Duration credentialExpiryGrace;
  // approval
  final @Nullable String approverGroup;
  final int approvals;
  final @Nullable Duration approvalTimeout;

  private Rule(Builder b) {
    id = b.id;
    owner = b.owner == null ? "" : b.owner;
    description = b.description == null ? "" : b.description;
    effect = Objects.requireNonNull(b.effect, "effect"); // build() checked it
    overridable = Boolean.TRUE.equals(b.overridable);
    shadow = Boolean.TRUE.equals(b.shadow);
    identityIds = b.identityIds == null ? List.of() : b.identityIds;
    spiffeIds = identityIds.stream().filter(SpiffePattern::looksLikeSpiffe).map(SpiffePattern::parse).toList();
    otherIds = identityIds.stream().filter(p -> !SpiffePattern.looksLikeSpiffe(p)).map(Glob::compile).toList();
    trustDomains = sorted(b.trustDomains);
    issuers = sorted(b.issuers);
    claims = List.copyOf(b.claims);
    purposes = sorted(b.purposes);
    taskIds = globs(b.taskIds);
    resources = globs(b.resources);
    actions = sorted(b.actions);
    environments = sorted(b.environments);
    within = b.within == null ? List.of() : b.within;
    outside = b.outside == null ? List.of() : b.outside;
    validFrom = b.validFrom;
    validUntil = b.validUntil;
    attributes = List.copyOf(b.attributes);
    maxTtl = b.maxTtl;
    idleTimeout = b.idleTimeout;
    singleUse = Boolean.TRUE.equals(b.singleUse);
    renewable = Boolean.TRUE.equals(b.renewable);
    grantActions = sorted(b.grantActions);
    maxDelegationDepth = b.maxDelegationDepth == null ? 0 : b.maxDelegationDepth;
    sharedTask = Boolean.TRUE.equals(b.sharedTask);
    credentialExpiryGrace = b.credentialExpiryGrace;
    approverGroup = b.approverGroup;
    approvals = b.approvals;
    approvalTimeout = b.approvalTimeout;
  }

  /** The approver group of a require-approval rule; requireApproval() sets it with the effect. */
  String requiredApproverGroup() {
    return Objects.requireNonNull(approverGroup, "a require-approval rule has an approver group");
  }

  /** The approval timeout of a require-approval rule; requireApproval() sets it with the effect. */
  Duration requiredApprovalTimeout() {
    return Objects.requireNonNull(approvalTimeout, "a require-approval rule has an approval timeout");
  }

  /**
   * Starts a builder.
   *
   * @param id the rule id: letters, digits, {@code . _ : -}, at most 128 characters, unique in a policy
   */
  public static Builder builder(String id) {
    return new Builder(id);
  }

  /** The rule id. */
  public String id() {
    return id;
  }

  /** Who owns the rule (a team or a person), possibly empty. */
  public String owner() {
    return owner;
  }

  /** What the rule is for, possibly empty. */
  public String description() {
    return description;
  }

  /** The effect. */
  public Effect effect() {
    return effect;
  }

  /** Whether break-glass may pass this rule. */
  public boolean overridable() {
    return overridable;
  }

  /** Whether this rule is only evaluated and reported, never enforced. */
  public boolean shadow() {
    return shadow;
  }

  boolean grantsActions() {
    return effect != Effect.DENY;
  }

  @Override
  public String toString() {
    return "Rule[" + id + ", " + effect.yamlName() + (overridable ? ", overridable" : "")
        + (shadow ? ", shadow" : "") + (owner.isEmpty() ? "" : ", owner=" + owner) + "]";
  }

  /**
   * Builds a {@link Rule}. Each option may be set once ({@link #claim} and {@link #attribute} add);
   * null arguments throw {@link NullPointerException}, bad values {@link IllegalArgumentException}.
   * Not thread-safe.
   */
  public static final class Builder {
    private final String id;
    private @Nullable String owner;
    private @Nullable String description;
    private @Nullable Effect effect;
    private @Nullable Boolean overridable;
    private @Nullable Boolean shadow;
    private @Nullable List<String> identityIds;
    private @Nullable Set<String> trustDomains;
    private @Nullable Set<String> issuers;
    private final List<AttributeCondition> claims = new ArrayList<>();
    private @Nullable Set<String> purposes;
    private @Nullable List<String> taskIds;
    private @Nullable List<String> resources;
    private @Nullable Set<String> actions;
    private @Nullable Set<String> environments;
    private @Nullable List<TimeWindow> within;
    private @Nullable List<TimeWindow> outside;
    private @Nullable Instant validFrom;
    private @Nullable Instant validUntil;
    private final List<AttributeCondition> attributes = new ArrayList<>();
    private @Nullable Duration maxTtl;
    private @Nullable Duration idleTimeout;
    private @Nullable Boolean singleUse;
    private @Nullable Boolean renewable;
    private @Nullable Set<String> grantActions;
    private @Nullable Integer maxDelegationDepth;
    private @Nullable Boolean sharedTask;
    private @Nullable Duration credentialExpiryGrace;
    private @Nullable String approverGroup;
    private int approvals;
    private @Nullable Duration approvalTimeout;

    private Builder(String id) {
      this.id = RuleArguments.checkId(id);
    }

    /** The owner (team or person) responsible for the rule. */
    public Builder owner(String owner) {
      once(this.owner, "owner");
      this.owner = text(owner, "owner");
      return this;
    }

    /** A description. */
    public Builder description(String description) {
      once(this.description, "description");
      this.description = Objects.requireNonNull(description, "description");
      return this;
    }

    /** Makes this a deny rule. */
    public Builder deny() {
      return effect(Effect.DENY);
    }

    /** Makes this an allow rule. */
    public Builder allow() {
      return effect(Effect.ALLOW);
    }

    /**
     * Makes this a require-approval rule: the covered actions are granted on this rule's terms once
     * {@code approvals} distinct members of {@code group} approve within {@code timeout}.
     */
    public Builder requireApproval(String group, int approvals, Duration timeout) {
      text(group, "group");
      Objects.requireNonNull(timeout, "timeout");
      Arguments.requireInRange(approvals, 1, 100, "approvals");
      Arguments.requirePositive(timeout, "approval timeout");
      effect(Effect.REQUIRE_APPROVAL);
      this.approverGroup = group;
      this.approvals = approvals;
      this.approvalTimeout = timeout;
      return this;
    }

    private Builder effect(Effect e) {
      if (effect != null) {
        throw new IllegalStateException("effect was already set to " + effect.yamlName());
      }
      effect = e;
      return this;
    }

    /** Whether break-glass requests may pass this rule (deny and require-approval rules only). */
    public Builder overridable(boolean value) {
      once(overridable, "overridable");
      overridable = value;
      return this;
    }

    /** Whether the rule is only evaluated and reported, never enforced. */
    public Builder shadow(boolean value) {
      once(shadow, "shadow");
      shadow = value;
      return this;
    }

    /**
     * Identity ids (any of): exact ids or globs. A pattern starting with {@code spiffe://} is a SPIFFE ID
     * pattern: literal trust domain, {@code *} within one path segment, {@code **} as the last segment
     * for any deeper path. Other patterns are globs on the whole id, in the project's one glob syntax
     * ({@code *} within a segment, {@code **} across segments, {@code ?} one character other than
     * {@code /}, {@code \} escapes; see POLICY.md).
     */
    public Builder identityIds(String... patterns) {
      once(identityIds, "identityIds");
      List<String> list = texts(patterns, "identity id");
      list.forEach(RuleArguments::checkIdentityPattern);
      identityIds = List.copyOf(list);
      return this;
    }

    /** SPIFFE trust domains (any of), such as {@code prod.example.org}. */
    public Builder trustDomains(String... domains) {
      once(trustDomains, "trustDomains");
      List<String> list = texts(domains, "trust domain");
      list.forEach(RuleArguments::checkTrustDomain);
      trustDomains = Set.copyOf(list);
      return this;
    }

    /** Identity issuers (any of): an OIDC issuer URL or a SPIFFE trust domain id, compared exactly. */
    public Builder issuers(String... issuers) {
      once(this.issuers, "issuers");
      this.issuers = Set.copyOf(texts(issuers, "issuer"));
      return this;
    }

    /** Adds a condition on an identity claim (an attribute of the verified identity). */
    public Builder claim(AttributeCondition condition) {
      claims.add(Objects.requireNonNull(condition, "condition"));
      return this;
    }

    /** Purposes (any of), compared exactly. */
    public Builder purposes(String... purposes) {
      once(this.purposes, "purposes");
      this.purposes = Set.copyOf(texts(purposes, "purpose"));
      return this;
    }

    /** Task id globs (any of), in the one glob syntax of {@link #identityIds}. */
    public Builder taskIds(String... patterns) {
      once(taskIds, "taskIds");
      taskIds = List.copyOf(globTexts(patterns, "task id pattern"));
      return this;
    }

    /** Resource globs or exact resources (any of), in the one glob syntax of {@link #identityIds}. */
    public Builder resources(String... patterns) {
      once(resources, "resources");
      resources = List.copyOf(globTexts(patterns, "resource pattern"));
      return this;
    }

    /**
     * Actions (any of): the rule applies when the request asks for at least one of them. An allow or
     * require-approval rule covers only these of the requested actions.
     */
    public Builder actions(String... actions) {
      once(this.actions, "actions");
      this.actions = Set.copyOf(texts(actions, "action"));
      return this;
    }

    /** Environments (any of), compared exactly. */
    public Builder environments(String... environments) {
      once(this.environments, "environments");
      this.environments = Set.copyOf(texts(environments, "environment"));
      return this;
    }

    /** The rule applies only inside one of these windows. */
    public Builder within(TimeWindow... windows) {
      once(within, "within");
      within = windows(windows, "within");
      return this;
    }

    /** The rule applies only outside all of these windows. */
    public Builder outside(TimeWindow... windows) {
      once(outside, "outside");
      outside = windows(windows, "outside");
      return this;
    }

    /** The rule applies from this instant on (inclusive). */
    public Builder validFrom(Instant from) {
      once(validFrom, "validFrom");
      validFrom = Objects.requireNonNull(from, "validFrom");
      return this;
    }

    /** The rule applies before this instant (exclusive). */
    public Builder validUntil(Instant until) {
      once(validUntil, "validUntil");
      validUntil = Objects.requireNonNull(until, "validUntil");
      return this;
    }

    /** Adds a condition on a request attribute. */
    public Builder attribute(AttributeCondition condition) {
      attributes.add(Objects.requireNonNull(condition, "condition"));
      return this;
    }

    /** Adds a risk threshold: the numeric request attribute {@code risk} compared with {@code value}. */
    public Builder risk(AttributeCondition.Operator operator, double value) {
      return attribute(AttributeCondition.compare("risk", operator, value));
    }

    /** The longest grant (allow and require-approval); defaults to the policy's ceiling. */
    public Builder maxTtl(Duration ttl) {
      once(maxTtl, "maxTtl");
      maxTtl = Arguments.requirePositive(ttl, "maxTtl");
      return this;
    }

    /** The idle timeout of the grant. */
    public Builder idleTimeout(Duration timeout) {
      once(idleTimeout, "idleTimeout");
      idleTimeout = Arguments.requirePositive(timeout, "idleTimeout");
      return this;
    }

    /** Whether the grant's token verifies only once. */
    public Builder singleUse(boolean value) {
      once(singleUse, "singleUse");
      singleUse = value;
      return this;
    }

    /** Whether a renewing grant is allowed. */
    public Builder renewable(boolean value) {
      once(renewable, "renewable");
      renewable = value;
      return this;
    }

    /** Narrows the scope: of the requested actions, the rule grants at most these. */
    public Builder grantActions(String... actions) {
      once(grantActions, "grantActions");
      grantActions = Set.copyOf(texts(actions, "granted action"));
      return this;
    }

    /** How many times the grant may be attenuated into sub-grants (0 to 10, default 0). */
    public Builder maxDelegationDepth(int depth) {
      once(maxDelegationDepth, "maxDelegationDepth");
      maxDelegationDepth = Arguments.requireInRange(depth, 0, 10, "maxDelegationDepth");
      return this;
    }

    /**
     * Whether the grant may join a task whose live grants belong to another owner (default false: while a
     * task has live grants it belongs to the owner that opened it; identities of that owner share it).
     * The per-task quota still counts per (owner, task).
     */
    public Builder sharedTask(boolean value) {
      once(sharedTask, "sharedTask");
      sharedTask = value;
      return this;
    }

    /**
     * Caps the grant's expiry at the presenting credential's own expiry plus {@code grace} (0 to 1 day), so
     * a 1-minute credential cannot buy a 1-hour grant; a renewing grant's re-mint is capped by the
     * credential presented for it. Off by default (see SECURITY.md for the trade-off).
     */
    public Builder capAtCredentialExpiry(Duration grace) {
      once(credentialExpiryGrace, "capAtCredentialExpiry");
      Objects.requireNonNull(grace, "grace");
      if (grace.isNegative() || grace.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("capAtCredentialExpiry grace must be between 0 and 1 day, got " + grace);
      }
      credentialExpiryGrace = grace;
      return this;
    }

    /**
     * Builds the rule.
     *
     * @throws IllegalStateException if no effect was set or options contradict each other
     */
    public Rule build() {
      List<String> problems = problems();
      if (!problems.isEmpty()) {
        throw new IllegalStateException("rule " + id + ": " + String.join("; ", problems));
      }
      return new Rule(this);
    }

    /** Every cross-option problem, for the YAML reader to report at once. */
    List<String> problems() {
      List<String> out = new ArrayList<>();
      if (effect == null) {
        out.add("an effect (deny, allow or require-approval) is required");
        return out;
      }
      if (owner == null) {
        out.add("an owner is required");
      }
      if (effect == Effect.DENY && (maxTtl != null || idleTimeout != null || singleUse != null || renewable != null
          || grantActions != null || maxDelegationDepth != null || sharedTask != null || credentialExpiryGrace != null)) {
        out.add("a deny rule grants nothing: it takes no grant terms");
      }
      if (effect == Effect.ALLOW && Boolean.TRUE.equals(overridable)) {
        out.add("only deny and require-approval rules can be overridable");
      }
      if (Boolean.TRUE.equals(singleUse) && Boolean.TRUE.equals(renewable)) {
        out.add("a grant cannot be both single-use and renewable");
      }
      if (maxTtl != null && idleTimeout != null && idleTimeout.compareTo(maxTtl) > 0) {
        out.add("idleTimeout " + Durations.format(idleTimeout) + " is above maxTtl " + Durations.format(maxTtl));
      }
      if (validFrom != null && validUntil != null && !validFrom.isBefore(validUntil)) {
        out.add("validFrom " + validFrom + " is not before validUntil " + validUntil);
      }
      return out;
    }
  }
}
