package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Static checks for warnings: rules that can never match, and allow or require-approval rules that a
 * deny rule hides (the deny matches every request the rule matches). The shadowing test is
 * conservative: it only reports what it can prove condition by condition.
 *
 * <p>Deny rules are bucketed by one condition each ({@link Denies}), so an allow rule is compared only
 * with the denies that can cover it, not with every deny: the warnings are the same as comparing every
 * pair, and the first covering deny in id order is the one named.
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
    Denies index = new Denies(denies);
    for (Rule r : rules) {
      String never = neverMatches(r);
      if (never != null) {
        out.add(new Finding(r.id, "rule '" + r.id + "': can never match: " + never));
        continue;
      }
      if (r.effect == Rule.Effect.DENY || r.shadow) {
        continue;
      }
      Rule d = index.firstCovering(r);
      if (d != null) {
        out.add(shadowed(r, d));
      }
    }
    return out;
  }

  static Finding shadowed(Rule r, Rule d) {
    return new Finding(r.id, d.overridable
        ? "rule '" + r.id + "': shadowed by deny rule '" + d.id + "': it can only take effect for break-glass requests"
        : "rule '" + r.id + "': shadowed by hard deny rule '" + d.id + "': it can never take effect");
  }

  /**
   * Deny rules, each filed under the values of one of its conditions (the one shared by the fewest other
   * denies): identity ids, resource glob prefixes, trust domains, issuers, purposes, environments or
   * actions; a deny with none of these is a candidate for every rule. A deny can cover a rule only if the
   * rule meets that condition with values inside the deny's (see {@link #covers}), so looking up the
   * rule's own values finds every deny that can cover it.
   */
  static final class Denies implements PrefixIndex.Sink {
    private static final int IDENTITY = 0;
    private static final int RESOURCE = 1;
    private static final int TRUST_DOMAIN = 2;
    private static final int ISSUER = 3;
    private static final int PURPOSE = 4;
    private static final int ENVIRONMENT = 5;
    private static final int ACTION = 6;
    private static final int KINDS = 7;

    private final List<Rule> denies;
    private final List<Map<String, int[]>> byValue = new ArrayList<>();
    private final PrefixIndex byResourcePrefix;
    private final int[] everywhere;
    private final int[] byAction; // every deny filed under actions
    // per lookup
    private final int[] stamp;
    private int round;
    private int[] found = new int[16];
    private int count;

    Denies(List<Rule> denies) {
      this.denies = denies;
      List<List<Set<String>>> keys = new ArrayList<>();
      List<Map<String, Integer>> counts = new ArrayList<>();
      for (int k = 0; k < KINDS; k++) {
        counts.add(new HashMap<>());
      }
      for (Rule d : denies) {
        List<Set<String>> ks = keys(d);
        keys.add(ks);
        for (int k = 0; k < KINDS; k++) {
          for (String v : ks.get(k)) {
            counts.get(k).merge(v, 1, Integer::sum);
          }
        }
      }
      List<Map<String, List<Integer>>> buckets = new ArrayList<>();
      for (int k = 0; k < KINDS; k++) {
        buckets.add(new HashMap<>());
      }
      List<Integer> rest = new ArrayList<>();
      List<Integer> actionDenies = new ArrayList<>();
      for (int i = 0; i < denies.size(); i++) {
        List<Set<String>> ks = keys.get(i);
        int best = -1;
        long bestCost = Long.MAX_VALUE;
        for (int k = 0; k < KINDS; k++) {
          if (ks.get(k).isEmpty()) {
            continue;
          }
          long cost = 0;
          for (String v : ks.get(k)) {
            cost += counts.get(k).getOrDefault(v, 0);
          }
          if (cost < bestCost) {
            best = k;
            bestCost = cost;
          }
        }
        if (best < 0) {
          rest.add(i);
          continue;
        }
        if (best == ACTION) {
          actionDenies.add(i);
        }
        for (String v : ks.get(best)) {
          buckets.get(best).computeIfAbsent(v, x -> new ArrayList<>()).add(i);
        }
      }
      for (int k = 0; k < KINDS; k++) {
        Map<String, int[]> m = new HashMap<>();
        buckets.get(k).forEach((v, list) -> m.put(v, list.stream().mapToInt(Integer::intValue).toArray()));
        byValue.add(m);
      }
      byResourcePrefix = PrefixIndex.of(byValue.get(RESOURCE));
      everywhere = rest.stream().mapToInt(Integer::intValue).toArray();
      byAction = actionDenies.stream().mapToInt(Integer::intValue).toArray();
      stamp = new int[denies.size()];
    }

    /** The values a deny is filed under, per kind; empty where it cannot be filed. */
    private static List<Set<String>> keys(Rule d) {
      List<Set<String>> ks = new ArrayList<>();
      ks.add(new TreeSet<>(d.identityIds));
      Set<String> prefixes = new TreeSet<>();
      if (!d.resources.isEmpty() && d.resources.stream().noneMatch(Glob::matchesEverything)) {
        for (Glob g : d.resources) {
          String p = g.literalPrefix();
          if (p.isEmpty()) {
            prefixes.clear();
            break;
          }
          prefixes.add(p);
        }
      }
      ks.add(prefixes);
      ks.add(d.trustDomains);
      ks.add(d.issuers);
      ks.add(d.purposes);
      ks.add(d.environments);
      ks.add(d.actions);
      return ks;
    }

    /** The first deny, in list order, that covers {@code r}; null if none. */
    @Nullable Rule firstCovering(Rule r) {
      round++;
      count = 0;
      if (!r.identityIds.isEmpty()) {
        visit(byValue.get(IDENTITY).get(r.identityIds.get(0)));
      }
      if (!r.resources.isEmpty()) {
        byResourcePrefix.lookup(r.resources.get(0).literalPrefix(), this);
      }
      visitFirst(TRUST_DOMAIN, r.trustDomains);
      visitFirst(ISSUER, r.issuers);
      visitFirst(PURPOSE, r.purposes);
      visitFirst(ENVIRONMENT, r.environments);
      Set<String> covered = coveredActions(r);
      if (covered != null) {
        if (covered.isEmpty()) {
          visit(byAction); // every deny's actions contain no action
        } else {
          visit(byValue.get(ACTION).get(covered.iterator().next()));
        }
      }
      visit(everywhere);
      Arrays.sort(found, 0, count);
      for (int i = 0; i < count; i++) {
        Rule d = denies.get(found[i]);
        if (covers(d, r)) {
          return d;
        }
      }
      return null;
    }

    private void visitFirst(int kind, Set<String> values) {
      if (!values.isEmpty()) {
        visit(byValue.get(kind).get(values.iterator().next()));
      }
    }

    @Override
    public void visit(int @Nullable [] bucket) {
      if (bucket == null) {
        return;
      }
      for (int i : bucket) {
        if (stamp[i] != round) {
          stamp[i] = round;
          if (count == found.length) {
            found = Arrays.copyOf(found, count * 2);
          }
          found[count++] = i;
        }
      }
    }
  }

  /** The actions a deny's {@code actions} must contain to cover r; null when no such deny covers r. */
  private static @Nullable Set<String> coveredActions(Rule r) {
    Set<String> covered = new HashSet<>();
    if (!r.actions.isEmpty()) {
      covered.addAll(r.actions);
      if (!r.grantActions.isEmpty()) {
        covered.retainAll(r.grantActions);
      }
    } else if (!r.grantActions.isEmpty()) {
      covered.addAll(r.grantActions);
    } else {
      return null;
    }
    return covered;
  }

  static @Nullable String neverMatches(Rule r) {
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
      boolean covered = d.contains(g.pattern()) || (g.isExact() && deny.stream().anyMatch(x -> x.matches(g.literalPrefix())));
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
    Set<String> covered = coveredActions(r);
    return covered != null && d.actions.containsAll(covered);
  }

  private static boolean conditions(List<AttributeCondition> deny, List<AttributeCondition> rule) {
    return new HashSet<>(rule).containsAll(deny);
  }
}
