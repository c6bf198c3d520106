package dev.jitaccess.policy;

import dev.jitaccess.ApprovalRequirement;
import dev.jitaccess.Decision;
import dev.jitaccess.DenialCategory;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.spi.PolicyContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A policy compiled for evaluation, in three parts: the {@link RuleIndex} (compiled rules, each in its
 * cheapest index) finds the candidate rules of a request; this class combines what they say (deny wins
 * unless break-glass may pass it, require-approval beats allow, the strictest terms of every contributing
 * rule); the {@link Explainer} words the decision. Immutable and thread-safe.
 *
 * <p>Explanations: a Deny and a NeedsApproval explain every candidate rule that did not match (up to
 * {@link Explainer#MAX_MISSES}); an Allow names its rules, overrides, dropped actions, clamps, the granted
 * terms and shadow rules, and lists the non-matching candidates only when asked to explain fully
 * ({@link RulePolicy#explain}).
 *
 * <p>A default deny (no deny rule applies and no rule covers a requested action) refuses only the resource
 * ({@link Decision.Deny.Facet#RESOURCE}) when an allow or require-approval rule would match for certain on
 * another resource: every condition but its resource holds. Those rules are found through a second index
 * of the same compiled rules placed without their resources, so a denial does not scan every rule.
 */
final class CompiledPolicy {
  /** The most rule ids the reasons of a refusal of the resource alone name. */
  static final int MAX_OTHER_RESOURCE = 8;
  final Policy policy;
  private final String version;
  private final Duration ceiling;
  private final RuleIndex index;
  /** The rules that could grant on another resource, indexed without their resources. */
  private final RuleIndex resourceFree;
  private final CompiledRule[] rules;
  private final Explainer explainer;

  private CompiledPolicy(Policy policy, RuleIndex index) {
    this.policy = policy;
    this.version = policy.version();
    this.ceiling = policy.maxTtl();
    this.index = index;
    this.resourceFree = index.withoutResources();
    this.rules = index.rules();
    this.explainer = new Explainer(rules, version, ceiling);
  }

  /** Compiles a policy. */
  static CompiledPolicy compile(Policy policy) {
    return new CompiledPolicy(policy, RuleIndex.build(policy));
  }

  String version() {
    return version;
  }

  /** Decides a request; an Allow does not list the candidate rules that did not match. */
  Decision evaluate(PolicyContext context) {
    return evaluate(context, false);
  }

  /**
   * Decides a request through the indexes.
   *
   * @param explainAll whether an Allow also lists the candidate rules that did not match
   */
  Decision evaluate(PolicyContext context, boolean explainAll) {
    Candidates run = candidates(context);
    return decide(context, run, explainAll, false);
  }

  /** How many rules the indexes hand a request (tests: what a decision evaluates). */
  int candidateCount(PolicyContext context) {
    Candidates run = candidates(context);
    return run.visited;
  }

  private Candidates candidates(PolicyContext context) {
    String[] actions = context.request().actions().toArray(new String[0]);
    Candidates run = new Candidates(index.rules(), new Checks.Ctx(context, actions, index.zones()));
    index.visitCandidates(run.ctx, run);
    return run;
  }

  /**
   * Decides a request by evaluating every rule, without the indexes: the reference the indexed
   * evaluation must agree with (tests only; the candidates that did not match differ, nothing else).
   */
  Decision evaluateByScan(PolicyContext context) {
    String[] actions = context.request().actions().toArray(new String[0]);
    Candidates run = new Candidates(rules, new Checks.Ctx(context, actions, index.zones()));
    for (int ord = 0; ord < rules.length; ord++) {
      run.visit(ord);
    }
    return decide(context, run, true, true);
  }

  /**
   * The ids of the rules that would grant this request on another resource, sorted: a default deny with
   * any is a refusal of the resource alone ({@link Decision.Deny.Facet#RESOURCE}).
   *
   * @param scan whether to evaluate every rule instead of the resource-free index (the reference)
   */
  private List<String> grantingElsewhere(Checks.Ctx ctx, boolean scan) {
    Set<String> ids = new TreeSet<>();
    RuleIndex.Visitor check = ord -> {
      CompiledRule r = rules[ord];
      if (!r.rule.shadow && r.rule.effect != Rule.Effect.DENY && r.matchesBesidesResource(ctx)) {
        ids.add(r.rule.id);
      }
    };
    if (scan) {
      for (int ord = 0; ord < rules.length; ord++) {
        check.visit(ord);
      }
    } else {
      resourceFree.visitCandidates(ctx, check);
    }
    return List.copyOf(ids);
  }

  private Decision decide(PolicyContext context, Candidates run, boolean explainAll, boolean scan) {
    boolean breakGlass = context.request().breakGlass();
    run.denies.sort();
    run.approvals.sort();
    run.allows.sort();
    run.shadows.sort();
    run.misses.sort();
    String[] actions = run.ctx.actions;

    // 1. deny wins, unless break-glass passes every matching deny (all overridable)
    List<String> reasons = new ArrayList<>(2);
    List<String> overridden = List.of();
    if (run.denies.size() > 0) {
      List<String> hard = new ArrayList<>();
      for (int i = 0; i < run.denies.size(); i++) {
        CompiledRule r = rules[run.denies.ordinal(i)];
        if (!(breakGlass && r.rule.overridable)) {
          hard.add(r.rule.id);
          reasons.add("denied by rule " + r.rule.id + Explainer.unknownSuffix(r, run.denies.code(i), run.ctx)
              + (breakGlass ? " (hard deny: break-glass cannot pass it)" : ""));
        }
      }
      if (!hard.isEmpty()) {
        explainer.explainRest(reasons, run, true);
        return new Decision.Deny(hard, reasons, version);
      }
      overridden = new ArrayList<>();
      for (int i = 0; i < run.denies.size(); i++) {
        CompiledRule r = rules[run.denies.ordinal(i)];
        overridden.add(r.rule.id);
        reasons.add("break-glass overrode deny rule " + r.rule.id + Explainer.unknownSuffix(r, run.denies.code(i), run.ctx));
      }
    }

    // 2. which actions are covered, by allow and require-approval rules
    long covered = 0;
    for (int i = 0; i < run.allows.size(); i++) {
      covered |= rules[run.allows.ordinal(i)].coverage(actions);
    }
    List<String> doubtful = List.of();
    List<CompiledRule> approvals = List.of();
    for (int i = 0; i < run.approvals.size(); i++) {
      CompiledRule r = rules[run.approvals.ordinal(i)];
      if (run.approvals.code(i) == CompiledRule.MATCH) {
        covered |= r.coverage(actions);
      } else {
        // in doubt a require-approval rule gates what other rules allow, but grants nothing itself
        if (doubtful.isEmpty()) {
          doubtful = new ArrayList<>();
        }
        doubtful.add("rule " + r.rule.id + ": could not evaluate "
            + r.checks[run.approvals.code(i) >> 1].explain(run.ctx)
            + "; in doubt a require-approval rule grants nothing by itself");
      }
      if (breakGlass && r.rule.overridable) {
        if (overridden.isEmpty()) {
          overridden = new ArrayList<>();
        }
        overridden.add(r.rule.id);
        reasons.add("break-glass overrode approval rule " + r.rule.id);
      } else {
        if (approvals.isEmpty()) {
          approvals = new ArrayList<>();
        }
        approvals.add(r);
      }
    }
    if (covered == 0) {
      reasons.add(0, "no rule allows any of the requested actions " + List.of(actions) + " (default deny)");
      List<String> elsewhere = doubtful.isEmpty() ? grantingElsewhere(run.ctx, scan) : List.of();
      if (!elsewhere.isEmpty()) {
        String shown = elsewhere.size() <= MAX_OTHER_RESOURCE ? elsewhere.toString()
            : elsewhere.subList(0, MAX_OTHER_RESOURCE) + " and " + (elsewhere.size() - MAX_OTHER_RESOURCE) + " more";
        reasons.add(1, "only the resource is refused: rules " + shown + " would apply to this request on"
            + " another resource, not on " + Checks.show(run.ctx.resource));
      }
      reasons.addAll(doubtful);
      explainer.explainRest(reasons, run, true);
      return new Decision.Deny(List.of(), reasons, version, DenialCategory.POLICY,
          elsewhere.isEmpty() ? Decision.Deny.Facet.REQUEST : Decision.Deny.Facet.RESOURCE);
    }
    Set<String> granted;
    String grantedText;
    int all = actions.length;
    if (all == 1) {
      granted = Set.of(actions[0]);
      grantedText = explainer.bracket(actions[0]);
    } else {
      Set<String> sorted = new TreeSet<>();
      List<String> dropped = new ArrayList<>();
      for (int i = 0; i < actions.length; i++) {
        if ((covered & (1L << i)) != 0) {
          sorted.add(actions[i]);
        } else {
          dropped.add(actions[i]);
        }
      }
      if (!dropped.isEmpty()) {
        reasons.add("actions " + dropped + " are not allowed by any rule and are not granted");
      }
      granted = sorted;
      grantedText = sorted.toString();
    }

    // 3. terms: the strictest of every contributing rule
    Duration requested = context.request().ttl();
    Duration ttl = requested;
    Duration idle = null;
    boolean singleUse = false;
    boolean renewable = true;
    int depth = Integer.MAX_VALUE;
    boolean sharedTask = true;
    Duration grace = null;
    List<String> clamps = List.of();
    if (ceiling.compareTo(requested) < 0) {
      ttl = ceiling;
      clamps = new ArrayList<>();
      clamps.add("ttl clamped from " + explainer.ttlText(requested) + " to " + explainer.ceilingText() + " by the policy ceiling");
    }
    int contributing = run.allows.size() + run.approvals.size();
    for (int i = 0; i < contributing; i++) {
      CompiledRule r = i < run.allows.size() ? rules[run.allows.ordinal(i)]
          : rules[run.approvals.ordinal(i - run.allows.size())];
      Rule rule = r.rule;
      if (r.maxTtl.compareTo(requested) < 0) {
        if (clamps.isEmpty()) {
          clamps = new ArrayList<>();
        }
        clamps.add("ttl clamped from " + explainer.ttlText(requested) + " to " + r.maxTtlText + " by rule " + rule.id);
        if (r.maxTtl.compareTo(ttl) < 0) {
          ttl = r.maxTtl;
        }
      }
      if (rule.idleTimeout != null && (idle == null || rule.idleTimeout.compareTo(idle) < 0)) {
        idle = rule.idleTimeout;
      }
      singleUse |= rule.singleUse;
      renewable &= rule.renewable;
      depth = Math.min(depth, rule.maxDelegationDepth);
      sharedTask &= rule.sharedTask;
      if (rule.credentialExpiryGrace != null && (grace == null || rule.credentialExpiryGrace.compareTo(grace) < 0)) {
        grace = rule.credentialExpiryGrace;
      }
    }
    if (idle != null && idle.compareTo(ttl) > 0) {
      idle = ttl;
    }
    GrantTerms terms = new GrantTerms(granted, ttl, idle, singleUse, renewable && !singleUse,
        breakGlass, depth, sharedTask && contributing > 0, grace);

    // 4. require-approval beats allow
    if (!approvals.isEmpty()) {
      CompiledRule lead = approvals.get(0);
      Duration timeout = lead.rule.requiredApprovalTimeout();
      List<String> ids = new ArrayList<>();
      List<String> head = new ArrayList<>();
      for (CompiledRule r : approvals) {
        ids.add(r.rule.id);
        if (r.rule.approvals > lead.rule.approvals) {
          lead = r;
        }
        if (r.rule.requiredApprovalTimeout().compareTo(timeout) < 0) {
          timeout = r.rule.requiredApprovalTimeout();
        }
        head.add("approval required by rule " + r.rule.id + ": " + r.rule.approvals + " of group '"
            + r.rule.approverGroup + "' within " + Durations.format(r.rule.requiredApprovalTimeout())
            + Explainer.unknownSuffix(r, Explainer.codeOf(run.approvals, r.ordinal), run.ctx)
            + (breakGlass ? " (not overridable: break-glass cannot pass it)" : ""));
      }
      ApprovalRequirement requirement = new ApprovalRequirement(lead.rule.requiredApproverGroup(), lead.rule.approvals, timeout);
      List<String> out = new ArrayList<>(head);
      out.add("actions " + grantedText + " on approval");
      out.addAll(reasons);
      out.addAll(clamps);
      explainer.explainRest(out, run, true);
      return new Decision.NeedsApproval(terms, requirement, ids, out, version);
    }

    // 5. allow: one line per allow rule, then overrides, dropped actions, clamps and the granted terms
    List<String> out = new ArrayList<>(run.allows.size() + reasons.size() + clamps.size() + 1
        + run.shadows.size());
    List<String> ids;
    if (run.allows.size() == 1 && overridden.isEmpty()) {
      CompiledRule r = rules[run.allows.ordinal(0)];
      ids = List.of(r.rule.id);
      out.add(explainer.allowedLine(r, actions));
    } else {
      Set<String> sortedIds = new TreeSet<>();
      for (int i = 0; i < run.allows.size(); i++) {
        CompiledRule r = rules[run.allows.ordinal(i)];
        sortedIds.add(r.rule.id);
        out.add(explainer.allowedLine(r, actions));
      }
      sortedIds.addAll(overridden);
      ids = new ArrayList<>(sortedIds);
    }
    out.addAll(reasons);
    out.addAll(clamps);
    out.add("granted " + grantedText + " for " + explainer.ttlText(ttl) + (breakGlass ? " (break-glass)" : ""));
    explainer.explainRest(out, run, explainAll);
    return new Decision.Allow(terms, ids, out, version);
  }
}
