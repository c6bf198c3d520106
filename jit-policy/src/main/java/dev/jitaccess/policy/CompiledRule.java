package dev.jitaccess.policy;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * One rule compiled for evaluation: its conditions as {@link Checks.Check}s in evaluation order, the
 * actions it applies to, its TTL and the fixed strings of its explanations, built once. Immutable.
 */
final class CompiledRule {
  final Rule rule;
  final int ordinal;
  final Checks.Check[] checks;
  /** The actions the rule applies to (deny) or covers (allow, require-approval); null for all. */
  final @Nullable Set<String> filter;
  final Duration maxTtl;
  /** {@code Durations.format(maxTtl)}. */
  final String maxTtlText;
  /** "allowed by rule X for ". */
  final String allowedPrefix;
  /** "allowed by rule X for [every action of the filter]"; null without a filter. */
  final @Nullable String allowedAll;
  /** The position of the resource check in {@link #checks}, or -1 when the rule names no resource. */
  final int resourceCheck;

  CompiledRule(Rule rule, int ordinal, Checks.Check[] checks, @Nullable Set<String> filter, Duration maxTtl,
      int resourceCheck) {
    this.rule = rule;
    this.ordinal = ordinal;
    this.checks = checks;
    this.resourceCheck = resourceCheck;
    this.filter = filter;
    this.maxTtl = maxTtl;
    this.maxTtlText = Durations.format(maxTtl);
    this.allowedPrefix = "allowed by rule " + rule.id + " for ";
    this.allowedAll = filter == null ? null : allowedPrefix + new TreeSet<>(filter);
  }

  /**
   * Compiles one rule: its conditions as checks in evaluation order, its action filter and its TTL.
   *
   * @param zoneIndex the time zones seen so far, each with its slot in the evaluation context (grows)
   * @param ceiling the policy's TTL ceiling, the rule's TTL when it names none
   */
  static CompiledRule compile(Rule r, int ordinal, Map<ZoneId, Integer> zoneIndex, Duration ceiling) {
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
    int resourceCheck = -1;
    if (!r.resources.isEmpty()) {
      resourceCheck = checks.size();
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
    return new CompiledRule(r, ordinal, checks.toArray(new Checks.Check[0]), filter, maxTtl, resourceCheck);
  }

  private static int[] zones(List<TimeWindow> windows, Map<ZoneId, Integer> zoneIndex) {
    int[] out = new int[windows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = zoneIndex.computeIfAbsent(windows.get(i).zone(), z -> zoneIndex.size());
    }
    return out;
  }

  /** The result of {@link #evaluate} when every check holds. */
  static final int MATCH = -1;

  /** MATCH, or 2*i for FALSE at check i, or 2*i+1 for UNKNOWN at check i with no FALSE. */
  int evaluate(Checks.Ctx ctx) {
    int unknown = -1;
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

  /**
   * Whether this rule names a resource and every other check holds for certain: the request would match
   * it on another resource. What makes a default deny a refusal of the resource alone.
   */
  boolean matchesBesidesResource(Checks.Ctx ctx) {
    if (resourceCheck < 0) {
      return false;
    }
    for (int i = 0; i < checks.length; i++) {
      if (i != resourceCheck && checks[i].eval(ctx) != Checks.TRUE) {
        return false;
      }
    }
    return true;
  }

  /** A bit per requested action (by position) that this rule covers. */
  long coverage(String[] actions) {
    long mask = 0;
    for (int i = 0; i < actions.length; i++) {
      if (filter == null || filter.contains(actions[i])) {
        mask |= 1L << i;
      }
    }
    return mask;
  }

  /** The requested actions this rule covers, sorted. */
  List<String> covered(String[] actions) {
    List<String> out = new ArrayList<>();
    for (String a : actions) {
      if (filter == null || filter.contains(a)) {
        out.add(a);
      }
    }
    out.sort(null);
    return out;
  }
}
