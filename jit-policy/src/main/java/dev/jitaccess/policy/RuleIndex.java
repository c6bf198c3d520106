package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The compiled rules of a policy, each placed in exactly one index, the one where its keys are rarest:
 * exact identity id, exact resource, trust domain, issuer, environment, action, literal prefix of the
 * identity patterns, literal prefix of the resource globs, or the always-scanned list. A request only
 * looks at the buckets for its own keys (for a prefix index: every key that is a prefix of the request's
 * value), so a decision does not scan every rule; if every rule lands in one bucket the result is the
 * same, only slower. Immutable and thread-safe.
 */
final class RuleIndex {
  private static final int D_ID = 0;
  private static final int D_RESOURCE = 1;
  private static final int D_TRUST_DOMAIN = 2;
  private static final int D_ISSUER = 3;
  private static final int D_ENVIRONMENT = 4;
  private static final int D_ACTION = 5;
  private static final int D_ID_PREFIX = 6;
  private static final int D_RESOURCE_PREFIX = 7;
  private static final int DIMENSIONS = 8;
  private static final List<@Nullable Set<String>> NO_KEYS = Collections.nCopies(DIMENSIONS, null);

  /** What the indexes hand their rules to: a whole bucket ({@link PrefixIndex.Sink}) or one rule. */
  interface Visitor extends PrefixIndex.Sink {
    /** One rule, by ordinal. */
    void visit(int ordinal);

    @Override
    default void visit(int[] bucket) {
      for (int ord : bucket) {
        visit(ord);
      }
    }
  }

  private final CompiledRule[] rules;
  private final List<Map<String, int[]>> indexes;
  private final PrefixIndex idPrefixes;
  private final PrefixIndex resourcePrefixes;
  private final int[] always;
  private final ZoneId[] zones;

  private RuleIndex(CompiledRule[] rules, List<Map<String, int[]>> indexes, PrefixIndex idPrefixes,
      PrefixIndex resourcePrefixes, int[] always, ZoneId[] zones) {
    this.rules = rules;
    this.indexes = indexes;
    this.idPrefixes = idPrefixes;
    this.resourcePrefixes = resourcePrefixes;
    this.always = always;
    this.zones = zones;
  }

  /** Compiles every rule of {@code policy} and places each in its cheapest index. */
  static RuleIndex build(Policy policy) {
    List<Rule> list = policy.rules();
    Map<ZoneId, Integer> zoneIndex = new HashMap<>();
    CompiledRule[] rules = new CompiledRule[list.size()];
    for (int i = 0; i < rules.length; i++) {
      rules[i] = CompiledRule.compile(list.get(i), i, zoneIndex, policy.maxTtl());
    }
    ZoneId[] zones = new ZoneId[zoneIndex.size()];
    zoneIndex.forEach((z, i) -> zones[i] = z);
    return place(rules, zones, ord -> true, true);
  }

  /**
   * The same compiled rules, only those that name a resource and could grant something (allow and
   * require-approval rules, not shadows), placed as if they named no resource: the candidates of
   * {@link CompiledRule#matchesBesidesResource}, found without scanning every rule.
   */
  RuleIndex withoutResources() {
    return place(rules, zones, ord -> rules[ord].resourceCheck >= 0 && !rules[ord].rule.shadow
        && rules[ord].rule.effect != Rule.Effect.DENY, false);
  }

  /**
   * Places the rules {@code include} accepts, each in its cheapest index.
   *
   * @param byResource whether the resource dimensions are indexes (false: a rule is placed by its other keys)
   */
  private static RuleIndex place(CompiledRule[] rules, ZoneId[] zones, IntPredicate include, boolean byResource) {
    // pass 1: how many rules share each key, per dimension
    List<Map<String, Integer>> counts = new ArrayList<>();
    for (int d = 0; d < DIMENSIONS; d++) {
      counts.add(new HashMap<>());
    }
    List<List<@Nullable Set<String>>> keys = new ArrayList<>();
    for (CompiledRule r : rules) {
      List<@Nullable Set<String>> k = include.test(r.ordinal) ? keys(r, byResource) : NO_KEYS;
      keys.add(k);
      for (int d = 0; d < DIMENSIONS; d++) {
        Set<String> kd = k.get(d);
        if (kd != null) {
          for (String key : kd) {
            counts.get(d).merge(key, 1, Integer::sum);
          }
        }
      }
    }
    // a request that reaches a prefix key also reaches every shorter key that is a prefix of it
    prefixCosts(counts.get(D_ID_PREFIX));
    prefixCosts(counts.get(D_RESOURCE_PREFIX));
    // pass 2: each rule goes to the dimension where it will be looked at least often
    List<Map<String, List<Integer>>> buckets = new ArrayList<>();
    for (int d = 0; d < DIMENSIONS; d++) {
      buckets.add(new HashMap<>());
    }
    List<Integer> alwaysList = new ArrayList<>();
    for (int i = 0; i < rules.length; i++) {
      if (!include.test(i)) {
        continue;
      }
      List<@Nullable Set<String>> k = keys.get(i);
      int best = -1;
      long bestCost = rules.length;
      for (int d = 0; d < DIMENSIONS; d++) {
        Set<String> kd = k.get(d);
        if (kd == null) {
          continue;
        }
        long cost = 0;
        for (String key : kd) {
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
        for (String key : Objects.requireNonNull(k.get(best))) {
          buckets.get(best).computeIfAbsent(key, x -> new ArrayList<>()).add(i);
        }
      }
    }
    List<Map<String, int[]>> indexes = new ArrayList<>();
    for (int d = 0; d < DIMENSIONS; d++) {
      Map<String, int[]> m = new HashMap<>();
      buckets.get(d).forEach((key, ords) -> m.put(key, toArray(ords)));
      indexes.add(Map.copyOf(m));
    }
    return new RuleIndex(rules, List.copyOf(indexes), PrefixIndex.of(indexes.get(D_ID_PREFIX)),
        PrefixIndex.of(indexes.get(D_RESOURCE_PREFIX)), alwaysList.stream().mapToInt(Integer::intValue).toArray(),
        zones);
  }

  private static int[] toArray(List<Integer> list) {
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  /** Turns per-key counts into the number of rules visited for a value that reaches the key. */
  private static void prefixCosts(Map<String, Integer> counts) {
    if (counts.isEmpty()) {
      return;
    }
    Set<Integer> lengthSet = new TreeSet<>();
    counts.keySet().forEach(k -> lengthSet.add(k.length()));
    Map<String, Integer> own = new HashMap<>(counts);
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      String key = e.getKey();
      int total = 0;
      for (int length : lengthSet) {
        if (length > key.length()) {
          break;
        }
        total += own.getOrDefault(key.substring(0, length), 0);
      }
      e.setValue(total);
    }
  }

  /**
   * The literal prefixes of patterns, each a condition every matching value meets, reduced so that no
   * key is a prefix of another (a value then reaches at most one key of a rule); null if one is empty.
   */
  private static @Nullable Set<String> prefixKeys(List<String> prefixes) {
    if (prefixes.size() == 1) {
      String p = prefixes.get(0);
      return p.isEmpty() ? null : Set.of(p);
    }
    List<String> sorted = new ArrayList<>(new TreeSet<>(prefixes));
    Set<String> out = new TreeSet<>();
    String last = null;
    for (String p : sorted) { // sorted: a prefix comes right before the strings it begins
      if (p.isEmpty()) {
        return null;
      }
      if (last != null && p.startsWith(last)) {
        continue;
      }
      out.add(p);
      last = p;
    }
    return out;
  }

  /** The keys of a rule per dimension; null where the rule cannot be indexed in that dimension. */
  private static List<@Nullable Set<String>> keys(CompiledRule c, boolean byResource) {
    Rule r = c.rule;
    List<@Nullable Set<String>> k = new ArrayList<>(Collections.nCopies(DIMENSIONS, (Set<String>) null));
    if (!r.identityIds.isEmpty()) {
      if (r.spiffeIds.stream().allMatch(SpiffePattern::isExact) && r.otherIds.stream().allMatch(Glob::isExact)) {
        Set<String> s = new TreeSet<>(); // the one id each pattern matches (escapes resolved)
        r.spiffeIds.forEach(p -> s.add(p.pattern()));
        r.otherIds.forEach(g -> s.add(g.literalPrefix()));
        k.set(D_ID, s);
      } else {
        List<String> prefixes = new ArrayList<>(r.identityIds.size());
        r.spiffeIds.forEach(p -> prefixes.add(p.literalPrefix()));
        r.otherIds.forEach(g -> prefixes.add(g.literalPrefix()));
        k.set(D_ID_PREFIX, prefixKeys(prefixes));
      }
    }
    if (byResource && !r.resources.isEmpty()) {
      if (r.resources.stream().allMatch(Glob::isExact)) {
        Set<String> s = new TreeSet<>();
        r.resources.forEach(g -> s.add(g.literalPrefix()));
        k.set(D_RESOURCE, s);
      } else {
        List<String> prefixes = new ArrayList<>();
        r.resources.forEach(g -> prefixes.add(g.literalPrefix()));
        k.set(D_RESOURCE_PREFIX, prefixKeys(prefixes));
      }
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

  /** The compiled rules by ordinal (shared, never modified). */
  CompiledRule[] rules() {
    return rules;
  }

  /** The time zones the rules' windows use, by the slot {@link Checks.Ctx} keeps for each. */
  ZoneId[] zones() {
    return zones;
  }

  /**
   * Hands {@code run} every rule the indexes hold for its request: the buckets of the request's own keys
   * and, for the prefix indexes, of every key that is a prefix of its value, then the always-scanned rules.
   */
  void visitCandidates(Checks.Ctx ctx, Visitor run) {
    String[] actions = ctx.actions;
    visitAll(run, indexes.get(D_ID).get(ctx.id));
    visitAll(run, indexes.get(D_RESOURCE).get(ctx.resource));
    if (ctx.trustDomain != null) {
      visitAll(run, indexes.get(D_TRUST_DOMAIN).get(ctx.trustDomain));
    }
    visitAll(run, indexes.get(D_ISSUER).get(ctx.issuer));
    visitAll(run, indexes.get(D_ENVIRONMENT).get(ctx.environment));
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
    idPrefixes.lookup(ctx.id, run);
    resourcePrefixes.lookup(ctx.resource, run);
    run.visit(always);
  }

  private static void visitAll(Visitor run, int @Nullable [] bucket) {
    if (bucket != null) {
      run.visit(bucket);
    }
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
}
