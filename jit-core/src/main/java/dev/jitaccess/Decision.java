package dev.jitaccess;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of evaluating a request: {@link Allow}, {@link Deny} or {@link NeedsApproval}. Each carries
 * the ids of the rules that decided it, human-readable reasons, and the version of the policy that
 * produced it, so "why was this denied" always has an answer.
 */
public sealed interface Decision permits Decision.Allow, Decision.Deny, Decision.NeedsApproval {

  /** The ids of the rules that decided. */
  List<String> ruleIds();

  /** Why: deciding rules, conditions that failed with their actual values, clamps applied. */
  List<String> reasons();

  /** An identifier of the policy version that decided (for example a hash), or empty. */
  String policyVersion();

  /** Whether this decision lets a grant be issued without further steps. */
  default boolean isAllowed() {
    return this instanceof Allow;
  }

  /** A policy denial ({@link DenialCategory#POLICY}) with reasons and no rule ids or policy version. */
  static Deny deny(String... reasons) {
    return new Deny(List.of(), List.of(reasons), "");
  }

  /** A denial of {@code category} with reasons and no rule ids or policy version. */
  static Deny deny(DenialCategory category, String... reasons) {
    return new Deny(List.of(), List.of(reasons), "", category);
  }

  /**
   * The request may be granted on these terms.
   *
   * @param terms what is granted
   * @param ruleIds the deciding rules
   * @param reasons why
   * @param policyVersion the policy version
   */
  record Allow(GrantTerms terms, List<String> ruleIds, List<String> reasons, String policyVersion)
      implements Decision {
    /** Checks and copies. */
    public Allow {
      Objects.requireNonNull(terms, "terms");
      ruleIds = List.copyOf(ruleIds);
      reasons = List.copyOf(reasons);
      Objects.requireNonNull(policyVersion, "policyVersion");
    }
  }

  /**
   * The request is refused.
   *
   * @param ruleIds the deciding rules (empty for a default deny)
   * @param reasons why
   * @param policyVersion the policy version
   * @param category what kind of refusal it is, for mapping to a status without parsing the reasons
   * @param facet which part of the request was refused: {@link Facet#RESOURCE} when a policy refused only
   *     the requested resource, else {@link Facet#REQUEST}
   */
  record Deny(List<String> ruleIds, List<String> reasons, String policyVersion, DenialCategory category,
      Facet facet) implements Decision {
    /** Checks and copies. */
    public Deny {
      ruleIds = List.copyOf(ruleIds);
      reasons = List.copyOf(reasons);
      Objects.requireNonNull(policyVersion, "policyVersion");
      Objects.requireNonNull(category, "category");
      Objects.requireNonNull(facet, "facet");
      if (facet == Facet.RESOURCE && category != DenialCategory.POLICY) {
        throw new IllegalArgumentException("only a POLICY denial can refuse the resource alone, got " + category);
      }
    }

    /** A denial of {@code category} that refuses the request as a whole ({@link Facet#REQUEST}). */
    public Deny(List<String> ruleIds, List<String> reasons, String policyVersion, DenialCategory category) {
      this(ruleIds, reasons, policyVersion, category, Facet.REQUEST);
    }

    /** A policy denial ({@link DenialCategory#POLICY}) of the request as a whole, as a policy returns it. */
    public Deny(List<String> ruleIds, List<String> reasons, String policyVersion) {
      this(ruleIds, reasons, policyVersion, DenialCategory.POLICY, Facet.REQUEST);
    }

    /**
     * Which part of a request a denial refuses, so a service can answer a refused target apart from
     * another refusal (RFC 8693 section 2.2.2 {@code invalid_target}) without reading the reasons.
     */
    public enum Facet {
      /**
       * The request as a whole: its identity, actions, conditions or time, a deny rule, or a component that
       * failed. The default.
       */
      REQUEST,
      /**
       * Only the requested resource: no deny rule applies, and a rule would allow (or send for approval)
       * this identity's request, actions and conditions on another resource. Always a
       * {@link DenialCategory#POLICY} denial.
       */
      RESOURCE
    }
  }

  /**
   * The request may be granted on these terms once a human approves it.
   *
   * @param terms what is granted once approved
   * @param requirement who must approve, how many, how long they have
   * @param ruleIds the deciding rules
   * @param reasons why
   * @param policyVersion the policy version
   */
  record NeedsApproval(
      GrantTerms terms,
      ApprovalRequirement requirement,
      List<String> ruleIds,
      List<String> reasons,
      String policyVersion)
      implements Decision {
    /** Checks and copies. */
    public NeedsApproval {
      Objects.requireNonNull(terms, "terms");
      Objects.requireNonNull(requirement, "requirement");
      ruleIds = List.copyOf(ruleIds);
      reasons = List.copyOf(reasons);
      Objects.requireNonNull(policyVersion, "policyVersion");
    }
  }
}
