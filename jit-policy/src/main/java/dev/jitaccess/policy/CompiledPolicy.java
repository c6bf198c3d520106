package dev.jitaccess.policy;

import dev.jitaccess.ApprovalRequirement;
import dev.jitaccess.Decision;
import dev.jitaccess.GrantTerms;
import dev.jitaccess.spi.PolicyContext;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy compiled for evaluation: rules sorted by id (their ordinal), each with its conditions as
 * {@link Checks.Check}s, and each placed in exactly one index, the one where its keys are rarest:
 * exact identity id, exact resource, trust domain, issuer, environment, action, or the always-scanned
 * list. A request only looks at the buckets for its own keys, so a decision does not scan every rule;
 * if every rule lands in one bucket the result is the same, only slower. Immutable and thread-safe.
 */
final class CompiledPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(RulePolicy.class);
  /** The most explanations of non-matching candidates a decision carries. */
  static final int MAX_MISSES = 16;

  private static final int D_ID = 0;
  private static final int D_RESOURCE = 1;
  private static final int D_TRUST_DOMAIN = 2;
  private static final int D_ISSUER = 3;
  private static final int D_ENVIRONMENT = 4;
  private static final int D_ACTION = 5;
  private static final int DIMENSIONS = 6;

  final Policy policy;
  private final String version;
  private final Duration ceiling;
  private final CRule[] rules;
  private final List<Map<String, int[]>> indexes;
  private final int[] always;
  private final ZoneId[] zones;

  /** One compiled rule. */
  static final class CRule {
    final Rule rule;
    final int ordinal;
    final Checks.Check[] checks;
    /** The actions the rule applies to (deny) or covers (allow, require-approval); null for all. */
    final @Nullable Set<String> filter;
    final Duration maxTtl;

    CRule(Rule rule, int ordinal, Checks.Check[] checks, @Nullable Set<String> filter, Duration maxTtl) {
      this.rule = rule;
      this.ordinal = ordinal;
      this.checks = checks;
      this.filter = filter;
      this.maxTtl = maxTtl;
    }
  }

  private CompiledPolicy(Policy policy, CRule[] rules, List<Map<String, int[]>> indexes, int[] always, ZoneId[] zones) {
    this.policy = policy;
    this.version = policy.version();
    this.ceiling = policy.maxTtl();
    this.rules = rules;
    this.indexes = indexes;
    this.always = always;
    this.zones = zones;
  }

  static CompiledPolicy compile(Policy policy) {
    List<Rule> list = policy.rules();
    Map<ZoneId, Integer> zoneIndex = new HashMap<>();
    CRule[] rules = new CRule[list.size()];
    for (int i = 0; i < rules.length; i++) {
      rules[i] = compileRule(list.get(i), i, zoneIndex, policy.maxTtl());
    }
    ZoneId[] zones = new ZoneId[zoneIndex.size()];
    zoneIndex.forEach((z, i) -> zones[i] = z);

    // pass 1: how many rules share each key, per dimension
    List<Map<String, Integer>> counts = new ArrayList<>();
    for (int d = 0; d < DIMENSIONS; d++) {
      counts.add(new HashMap<>());
    }
    List<List<Set<String>>> keys = new ArrayList<>();
    for (CRule r : rules) {
      List<Set<String>> k = keys(r);
      keys.add(k);
      for (int d = 0; d < DIMENSIONS; d++) {
        if (k.get(d) != null) {
          for (String key : k.get(d)) {
            counts.get(d).merge(key, 1, Integer::sum);
          }
        }
      }
    }
    // pass 2: each rule goes to the dimension where it will be looked at least often
    List<Map<String, List<Integer>>> buckets = new ArrayList<>();
    for (int d = 0; d < DIMENSIONS; d++) {
      buckets.add(new HashMap<>());
    }
    List<Integer> alwaysList = new ArrayList<>();
    for (int i = 0; i < rules.length; i++) {
      List<Set<String>> k = keys.get(i);
      int best = -1;
      long bestCost = rules.length;
      for (int d = 0; d < DIMENSIONS; d++) {
        if (k.get(d) == null) {
          continue;
        }
        long cost = 0;
        for (String key : k.get(d)) {
          cost += counts.get(d).getOrDefault(key, 0); // every key of k was counted
        }
        if (cost < bestCost || (best < 0 && cost <= bestCost)) {
          best = d;
          bestCost = cost;
        }
      }
      if (best < 0) {
        if (rules[i].filter != null && rules[i].filter.isEmpty()) {
          continue; // covers no action: can never match
        }
        alwaysList.add(i);
      } else {
        for (String key : k.get(best)) {
          buckets.get(best).computeIfAbsent(key, x -> new ArrayList<>()).add(i);
        }
      }
    }
    List<Map<String, int[]>> indexes = new ArrayList<>();
    for (int d = 0; d < DIMENSIONS; d++) {
      Map<String, int[]> m = new HashMap<>();
      buckets.get(d).forEach((key, ords) -> m.put(key, ords.stream().mapToInt(Integer::intValue).toArray()));
      indexes.add(Map.copyOf(m));
    }
    return new CompiledPolicy(policy, rules, List.copyOf(indexes),
        alwaysList.stream().mapToInt(Integer::intValue).toArray(), zones);
  }

  /** The keys of a rule per dimension; null where the rule cannot be indexed in that dimension. */
  private static List<Set<String>> keys(CRule c) {
    Rule r = c.rule;
    List<Set<String>> k = new ArrayList<>(java.util.Collections.nCopies(DIMENSIONS, (Set<String>) null));
    if (!r.identityIds.isEmpty() && r.spiffeIds.stream().allMatch(SpiffePattern::isExact)
        && r.otherIds.stream().allMatch(Glob::isExact)) {
      k.set(D_ID, new TreeSet<>(r.identityIds));
    }
    if (!r.resources.isEmpty() && r.resources.stream().allMatch(Glob::isExact)) {
      Set<String> s = new TreeSet<>();
      r.resources.forEach(g -> s.add(g.pattern()));
      k.set(D_RESOURCE, s);
    }
    if (!r.trustDomains.isEmpty()) {
      k.set(D_TRUST_DOMAIN, r.trustDomains);
    } else if (!r.spiffeIds.isEmpty() && r.otherIds.isEmpty()) {
      Set<String> s = new TreeSet<>();
      r.spiffeIds.forEach(p -> s.add(p.trustDomain()));
      k.set(D_TRUST_DOMAIN, s);
    }
    if (!r.issuers.isEmpty()) {
      k.set(D_ISSUER, r.issuers);
    }
    if (!r.environments.isEmpty()) {
      k.set(D_ENVIRONMENT, r.environments);
    }
    if (c.filter != null && !c.filter.isEmpty()) {
      k.set(D_ACTION, c.filter);
    }
    return k;
  }

  private static CRule compileRule(Rule r, int ordinal, Map<ZoneId, Integer> zoneIndex, Duration ceiling) {
    List<Checks.Check> checks = new ArrayList<>();
    if (!r.identityIds.isEmpty()) {
      checks.add(new Checks.IdentityIds(r));
    }
    if (!r.trustDomains.isEmpty()) {
      checks.add(new Checks.TrustDomains(r.trustDomains));
    }
    if (!r.issuers.isEmpty()) {
      checks.add(new Checks.InSet(Checks.InSet.Field.ISSUER, r.issuers));
    }
    for (AttributeCondition c : r.claims) {
      checks.add(new Checks.Attribute(true, c));
    }
    if (!r.purposes.isEmpty()) {
      checks.add(new Checks.InSet(Checks.InSet.Field.PURPOSE, r.purposes));
    }
    if (!r.taskIds.isEmpty()) {
      checks.add(new Checks.Globs(true, r.taskIds));
    }
    if (!r.resources.isEmpty()) {
      checks.add(new Checks.Globs(false, r.resources));
    }
    Set<String> filter = null;
    if (!r.actions.isEmpty()) {
      filter = new LinkedHashSet<>(r.actions);
    }
    if (r.grantsActions() && !r.grantActions.isEmpty()) {
      if (filter == null) {
        filter = new LinkedHashSet<>(r.grantActions);
      } else {
        filter.retainAll(r.grantActions);
      }
    }
    if (filter != null) {
      filter = Set.copyOf(new TreeSet<>(filter));
      checks.add(new Checks.Actions(filter));
    }
    if (!r.environments.isEmpty()) {
      checks.add(new Checks.InSet(Checks.InSet.Field.ENVIRONMENT, r.environments));
    }
    if (!r.within.isEmpty()) {
      checks.add(new Checks.Windows(r.within, zones(r.within, zoneIndex), true));
    }
    if (!r.outside.isEmpty()) {
      checks.add(new Checks.Windows(r.outside, zones(r.outside, zoneIndex), false));
    }
    if (r.validFrom != null || r.validUntil != null) {
      checks.add(new Checks.Dates(r.validFrom, r.validUntil));
    }
    for (AttributeCondition c : r.attributes) {
      checks.add(new Checks.Attribute(false, c));
    }
    Duration maxTtl = r.maxTtl == null ? ceiling : r.maxTtl;
    return new CRule(r, ordinal, checks.toArray(new Checks.Check[0]), filter, maxTtl);
  }

  private static int[] zones(List<TimeWindow> windows, Map<ZoneId, Integer> zoneIndex) {
    int[] out = new int[windows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = zoneIndex.computeIfAbsent(windows.get(i).zone(), z -> zoneIndex.size());
    }
    return out;
  }

  String version() {
    return version;
  }

  // ---------------------------------------------------------------------------------------------
  // evaluation

  /** Growable int list of (ordinal, code) pairs. */
  private static final class Hits {
    int[] a = new int[8];
    int n;

    void add(int ordinal, int code) {
      if (n + 2 > a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = ordinal;
      a[n++] = code;
    }

    int size() {
      return n / 2;
    }

    int ordinal(int i) {
      return a[2 * i];
    }

    int code(int i) {
      return a[2 * i + 1];
    }

    /** Sorts pairs by ordinal (insertion sort: lists are short). */
    void sort() {
      for (int i = 2; i < n; i += 2) {
        int o = a[i];
        int c = a[i + 1];
        int j = i - 2;
        while (j >= 0 && a[j] > o) {
          a[j + 2] = a[j];
          a[j + 3] = a[j + 1];
          j -= 2;
        }
        a[j + 2] = o;
        a[j + 3] = c;
      }
    }
  }

  private static final int MATCH = -1;

  /** MATCH, or 2*i for FALSE at check i, or 2*i+1 for UNKNOWN at check i with no FALSE. */
  private static int evalRule(CRule r, Checks.Ctx ctx) {
    int unknown = -1;
    Checks.Check[] checks = r.checks;
    for (int i = 0; i < checks.length; i++) {
      int v = checks[i].eval(ctx);
      if (v == Checks.FALSE) {
        return 2 * i;
      }
      if (v == Checks.UNKNOWN && unknown < 0) {
        unknown = i;
      }
    }
    return unknown < 0 ? MATCH : 2 * unknown + 1;
  }

  /** The per-evaluation collector. */
  private final class Run {
    final Checks.Ctx ctx;
    final Hits denies = new Hits();
    final Hits approvals = new Hits();
    final Hits allows = new Hits();
    final Hits misses = new Hits();
    final Hits shadows = new Hits();

    Run(Checks.Ctx ctx) {
      this.ctx = ctx;
    }

    void visit(int @Nullable [] bucket) {
      if (bucket == null) {
        return;
      }
      for (int ord : bucket) {
        visit(ord);
      }
    }

    void visit(int ord) {
      CRule r = rules[ord];
      int code = evalRule(r, ctx);
      boolean certain = code == MATCH;
      boolean unknown = code >= 0 && (code & 1) == 1;
      Rule rule = r.rule;
      if (rule.shadow) {
        if (certain || (unknown && rule.effect != Rule.Effect.ALLOW)) {
          shadows.add(ord, code);
        }
        return;
      }
      switch (rule.effect) {
        case DENY -> {
          if (certain || unknown) {
            denies.add(ord, code);
            return;
          }
        }
        case REQUIRE_APPROVAL -> {
          if (certain || unknown) {
            approvals.add(ord, code);
            return;
          }
        }
        default -> {
          if (certain) {
            allows.add(ord, code);
            return;
          }
        }
      }
      misses.add(ord, code);
    }
  }

  Decision evaluate(PolicyContext context) {
    String[] actions = context.request().actions().toArray(new String[0]);
    Checks.Ctx ctx = new Checks.Ctx(context, actions, zones);
    Run run = new Run(ctx);
    run.visit(indexes.get(D_ID).get(ctx.id));
    run.visit(indexes.get(D_RESOURCE).get(ctx.resource));
    if (ctx.trustDomain != null) {
      run.visit(indexes.get(D_TRUST_DOMAIN).get(ctx.trustDomain));
    }
    run.visit(indexes.get(D_ISSUER).get(ctx.issuer));
    run.visit(indexes.get(D_ENVIRONMENT).get(ctx.environment));
    Map<String, int[]> byAction = indexes.get(D_ACTION);
    for (int i = 0; i < actions.length; i++) {
      int[] bucket = byAction.get(actions[i]);
      if (bucket == null) {
        continue;
      }
      for (int ord : bucket) {
        if (!seenEarlier(rules[ord].filter, actions, i)) {
          run.visit(ord);
        }
      }
    }
    run.visit(always);
    return decide(context, run);
  }

  private static boolean seenEarlier(@Nullable Set<String> filter, String[] actions, int i) {
    if (filter == null) {
      return i > 0; // a rule for all actions has seen every earlier action
    }
    for (int j = 0; j < i; j++) {
      if (filter.contains(actions[j])) {
        return true;
      }
    }
    return false;
  }

  private Decision decide(PolicyContext context, Run run) {
    boolean breakGlass = context.request().breakGlass();
    run.denies.sort();
    run.approvals.sort();
    run.allows.sort();
    run.shadows.sort();
    run.misses.sort();
    List<String> reasons = new ArrayList<>();

    // 1. deny wins, unless break-glass passes every matching deny (all overridable)
    List<String> hard = new ArrayList<>();
    List<String> overridden = new ArrayList<>();
    for (int i = 0; i < run.denies.size(); i++) {
      CRule r = rules[run.denies.ordinal(i)];
      int code = run.denies.code(i);
      if (breakGlass && r.rule.overridable) {
        overridden.add(r.rule.id);
        reasons.add("break-glass overrode deny rule " + r.rule.id + unknownSuffix(r, code, run.ctx));
      } else {
        hard.add(r.rule.id);
        reasons.add("denied by rule " + r.rule.id + unknownSuffix(r, code, run.ctx)
            + (breakGlass ? " (hard deny: break-glass cannot pass it)" : ""));
      }
    }
    if (!hard.isEmpty()) {
      reasons.removeIf(s -> s.startsWith("break-glass overrode"));
      explainRest(reasons, run);
      return new Decision.Deny(hard, reasons, version);
    }

    // 2. which actions are covered, by allow and require-approval rules
    String[] actions = run.ctx.actions;
    long covered = 0;
    List<CRule> contributing = new ArrayList<>();
    List<CRule> approvals = new ArrayList<>();
    for (int i = 0; i < run.allows.size(); i++) {
      CRule r = rules[run.allows.ordinal(i)];
      contributing.add(r);
      covered |= coverage(r, actions);
    }
    List<String> doubtful = new ArrayList<>();
    for (int i = 0; i < run.approvals.size(); i++) {
      CRule r = rules[run.approvals.ordinal(i)];
      contributing.add(r);
      if (run.approvals.code(i) == MATCH) {
        covered |= coverage(r, actions);
      } else {
        // in doubt a require-approval rule gates what other rules allow, but grants nothing itself
        doubtful.add("rule " + r.rule.id + ": could not evaluate "
            + r.checks[run.approvals.code(i) >> 1].explain(run.ctx)
            + "; in doubt a require-approval rule grants nothing by itself");
      }
      if (breakGlass && r.rule.overridable) {
        overridden.add(r.rule.id);
        reasons.add("break-glass overrode approval rule " + r.rule.id);
      } else {
        approvals.add(r);
      }
    }
    if (covered == 0) {
      reasons.add(0, "no rule allows any of the requested actions " + List.of(actions) + " (default deny)");
      reasons.addAll(doubtful);
      explainRest(reasons, run);
      return new Decision.Deny(List.of(), reasons, version);
    }
    Set<String> granted = new TreeSet<>();
    List<String> dropped = new ArrayList<>();
    for (int i = 0; i < actions.length; i++) {
      if ((covered & (1L << i)) != 0) {
        granted.add(actions[i]);
      } else {
        dropped.add(actions[i]);
      }
    }
    if (!dropped.isEmpty()) {
      reasons.add("actions " + dropped + " are not allowed by any rule and are not granted");
    }

    // 3. terms: the strictest of every contributing rule
    Duration requested = context.request().requestedTtl();
    Duration ttl = requested;
    Duration idle = null;
    boolean singleUse = false;
    boolean renewable = true;
    int depth = Integer.MAX_VALUE;
    List<String> clamps = new ArrayList<>();
    if (ceiling.compareTo(requested) < 0) {
      ttl = ceiling;
      clamps.add("ttl clamped from " + Durations.format(requested) + " to " + Durations.format(ceiling)
          + " by the policy ceiling");
    }
    for (CRule r : contributing) {
      Rule rule = r.rule;
      if (r.maxTtl.compareTo(requested) < 0) {
        clamps.add("ttl clamped from " + Durations.format(requested) + " to " + Durations.format(r.maxTtl)
            + " by rule " + rule.id);
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
    }
    if (idle != null && idle.compareTo(ttl) > 0) {
      idle = ttl;
    }
    GrantTerms terms = new GrantTerms(granted, ttl, Optional.ofNullable(idle), singleUse, renewable && !singleUse,
        breakGlass, depth);

    // 4. require-approval beats allow
    if (!approvals.isEmpty()) {
      CRule lead = approvals.get(0);
      Duration timeout = lead.rule.requiredApprovalTimeout();
      List<String> ids = new ArrayList<>();
      List<String> head = new ArrayList<>();
      for (CRule r : approvals) {
        ids.add(r.rule.id);
        if (r.rule.approvals > lead.rule.approvals) {
          lead = r;
        }
        if (r.rule.requiredApprovalTimeout().compareTo(timeout) < 0) {
          timeout = r.rule.requiredApprovalTimeout();
        }
        head.add("approval required by rule " + r.rule.id + ": " + r.rule.approvals + " of group '"
            + r.rule.approverGroup + "' within " + Durations.format(r.rule.requiredApprovalTimeout())
            + unknownSuffix(r, codeOf(run.approvals, r.ordinal), run.ctx)
            + (breakGlass ? " (not overridable: break-glass cannot pass it)" : ""));
      }
      ApprovalRequirement requirement = new ApprovalRequirement(lead.rule.requiredApproverGroup(), lead.rule.approvals, timeout);
      List<String> all = new ArrayList<>(head);
      all.add("actions " + granted + " on approval");
      all.addAll(reasons);
      all.addAll(clamps);
      explainRest(all, run);
      return new Decision.NeedsApproval(terms, requirement, ids, all, version);
    }

    // 5. allow
    List<String> all = new ArrayList<>();
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < run.allows.size(); i++) {
      CRule r = rules[run.allows.ordinal(i)];
      ids.add(r.rule.id);
      all.add("allowed by rule " + r.rule.id + " for " + covered(r, actions));
    }
    ids.addAll(overridden);
    all.addAll(reasons);
    all.addAll(clamps);
    all.add("granted " + granted + " for " + Durations.format(ttl) + (breakGlass ? " (break-glass)" : ""));
    explainRest(all, run);
    return new Decision.Allow(terms, new ArrayList<>(ids), all, version);
  }

  private static int codeOf(Hits hits, int ordinal) {
    for (int i = 0; i < hits.size(); i++) {
      if (hits.ordinal(i) == ordinal) {
        return hits.code(i);
      }
    }
    return MATCH;
  }

  private static String unknownSuffix(CRule r, int code, Checks.Ctx ctx) {
    if (code == MATCH) {
      return "";
    }
    return ": could not evaluate " + r.checks[code >> 1].explain(ctx) + "; a " + r.rule.effect.yamlName()
        + " rule applies when in doubt";
  }

  private static long coverage(CRule r, String[] actions) {
    long mask = 0;
    for (int i = 0; i < actions.length; i++) {
      if (r.filter == null || r.filter.contains(actions[i])) {
        mask |= 1L << i;
      }
    }
    return mask;
  }

  private static List<String> covered(CRule r, String[] actions) {
    List<String> out = new ArrayList<>();
    for (String a : actions) {
      if (r.filter == null || r.filter.contains(a)) {
        out.add(a);
      }
    }
    out.sort(null);
    return out;
  }

  /** Shadow rules and non-matching candidates, in rule id order, capped. */
  private void explainRest(List<String> reasons, Run run) {
    for (int i = 0; i < run.shadows.size(); i++) {
      CRule r = rules[run.shadows.ordinal(i)];
      String what = switch (r.rule.effect) {
        case DENY -> "deny";
        case REQUIRE_APPROVAL -> "require approval by " + r.rule.approvals + " of group '" + r.rule.approverGroup + "'";
        default -> "allow " + covered(r, run.ctx.actions);
      };
      String line = "shadow rule " + r.rule.id + " would " + what + unknownSuffix(r, run.shadows.code(i), run.ctx)
          + " (not enforced)";
      reasons.add(line);
      if (LOG.isInfoEnabled()) {
        LOG.info("{}: identity={} task={} resource={} environment={} policy={}", line, run.ctx.id,
            run.ctx.taskId, run.ctx.resource, run.ctx.environment, version);
      }
    }
    int shown = Math.min(run.misses.size(), MAX_MISSES);
    for (int i = 0; i < shown; i++) {
      CRule r = rules[run.misses.ordinal(i)];
      int code = run.misses.code(i);
      String why = r.checks[code >> 1].explain(run.ctx);
      reasons.add((code & 1) == 1
          ? "rule " + r.rule.id + ": could not evaluate " + why + "; an allow rule does not match when in doubt"
          : "rule " + r.rule.id + ": " + why);
    }
    if (run.misses.size() > shown) {
      reasons.add("... and " + (run.misses.size() - shown) + " more candidate rules did not match");
    }
  }
}
