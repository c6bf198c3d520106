package dev.jitaccess.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Static checks for warnings: rules that can never match, and allow or require-approval rules that a
 * deny rule hides (the deny matches every request the rule matches). The shadowing test is
 * conservative: it only reports what it can prove condition by condition.
 */
final class PolicyAnalysis {
  private PolicyAnalysis() {}

  /** A warning about one rule. */
  record Finding(String ruleId, String message) {}

  static List<Finding> analyze(List<Rule> rules) {
    List<Finding> out = new ArrayList<>();
    List<Rule> denies = new ArrayList<>();
    for (Rule r : rules) {
      if (r.effect == Rule.Effect.DENY && !r.shadow) {
        denies.add(r);
      }
    }
    for (Rule r : rules) {
      String never = neverMatches(r);
      if (never != null) {
        out.add(new Finding(r.id, "rule " + r.id + " can never match: " + never));
        continue;
      }
      if (r.effect == Rule.Effect.DENY || r.shadow) {
        continue;
      }
      for (Rule d : denies) {
        if (covers(d, r)) {
          out.add(new Finding(r.id, d.overridable
              ? "rule " + r.id + " is shadowed by deny rule " + d.id + ": it can only take effect for break-glass requests"
              : "rule " + r.id + " is shadowed by hard deny rule " + d.id + ": it can never take effect"));
          break;
        }
      }
    }
    return out;
  }

  private static @Nullable String neverMatches(Rule r) {
    if (r.grantsActions() && !r.actions.isEmpty() && !r.grantActions.isEmpty()) {
      Set<String> both = new HashSet<>(r.actions);
      both.retainAll(r.grantActions);
      if (both.isEmpty()) {
        return "its actions " + r.actions + " and its granted actions " + r.grantActions + " do not overlap";
      }
    }
    for (TimeWindow w : r.within) {
      if (r.outside.contains(w)) {
        return "time window " + w.describe() + " is both in 'within' and in 'outside'";
      }
    }
    if (!r.trustDomains.isEmpty() && !r.spiffeIds.isEmpty() && r.otherIds.isEmpty()) {
      boolean any = r.spiffeIds.stream().anyMatch(p -> r.trustDomains.contains(p.trustDomain()));
      if (!any) {
        return "none of its SPIFFE ID patterns is in its trust domains " + r.trustDomains;
      }
    }
    Set<String> present = new HashSet<>();
    Set<String> absent = new HashSet<>();
    for (AttributeCondition c : r.attributes) {
      if (c.operator() == AttributeCondition.Operator.ABSENT) {
        absent.add(c.name());
      } else {
        present.add(c.name());
      }
    }
    present.retainAll(absent);
    if (!present.isEmpty()) {
      return "attribute(s) " + present + " must be both absent and present";
    }
    return null;
  }

  /** Whether deny d matches every request that r matches. */
  static boolean covers(Rule d, Rule r) {
    return set(d.identityIds, r.identityIds)
        && set(d.trustDomains, r.trustDomains)
        && set(d.issuers, r.issuers)
        && conditions(d.claims, r.claims)
        && set(d.purposes, r.purposes)
        && globs(d.taskIds, r.taskIds)
        && globs(d.resources, r.resources)
        && actions(d, r)
        && set(d.environments, r.environments)
        && (d.within.isEmpty() || d.within.equals(r.within))
        && (d.outside.isEmpty() || d.outside.equals(r.outside))
        && (d.validFrom == null || (r.validFrom != null && !r.validFrom.isBefore(d.validFrom)))
        && (d.validUntil == null || (r.validUntil != null && !r.validUntil.isAfter(d.validUntil)))
        && conditions(d.attributes, r.attributes);
  }

  private static boolean set(Collection<String> deny, Collection<String> rule) {
    return deny.isEmpty() || (!rule.isEmpty() && deny.containsAll(rule));
  }

  private static boolean globs(List<Glob> deny, List<Glob> rule) {
    if (deny.isEmpty() || deny.stream().anyMatch(Glob::matchesEverything)) {
      return true;
    }
    if (rule.isEmpty()) {
      return false;
    }
    Set<String> d = new HashSet<>();
    deny.forEach(g -> d.add(g.pattern()));
    for (Glob g : rule) {
      boolean covered = d.contains(g.pattern()) || (g.isExact() && deny.stream().anyMatch(x -> x.matches(g.pattern())));
      if (!covered) {
        return false;
      }
    }
    return true;
  }

  private static boolean actions(Rule d, Rule r) {
    if (d.actions.isEmpty()) {
      return true;
    }
    Set<String> covered = new HashSet<>();
    if (!r.actions.isEmpty()) {
      covered.addAll(r.actions);
      if (!r.grantActions.isEmpty()) {
        covered.retainAll(r.grantActions);
      }
    } else if (!r.grantActions.isEmpty()) {
      covered.addAll(r.grantActions);
    } else {
      return false;
    }
    return d.actions.containsAll(covered);
  }

  private static boolean conditions(List<AttributeCondition> deny, List<AttributeCondition> rule) {
    return new HashSet<>(rule).containsAll(deny);
  }
}
