package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
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
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy compiled for evaluation: rules sorted by id (their ordinal), each with its conditions as
 * {@link Checks.Check}s, and each placed in exactly one index, the one where its keys are rarest:
 * exact identity id, exact resource, trust domain, issuer, environment, action, literal prefix of the
 * identity patterns, literal prefix of the resource globs, or the always-scanned list. A request only
 * looks at the buckets for its own keys (for a prefix index: every key that is a prefix of the request's
 * value), so a decision does not scan every rule; if every rule lands in one bucket the result is the
 * same, only slower. Immutable and thread-safe.
 *
 * <p>Explanations: a Deny and a NeedsApproval explain every candidate rule that did not match (up to
 * {@link #MAX_MISSES}); an Allow names its rules, overrides, dropped actions, clamps, the granted terms
 * and shadow rules, and lists the non-matching candidates only when asked to explain fully
 * ({@link RulePolicy#explain}). Each rule's fixed strings are built at compile time.
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
  private static final int D_ID_PREFIX = 6;
  private static final int D_RESOURCE_PREFIX = 7;
  private static final int DIMENSIONS = 8;
  /** The most distinct requested TTLs whose text is kept. */
  private static final int MAX_TTL_TEXTS = 256;

  final Policy policy;
  private final String version;
  private final Duration ceiling;
  private final CRule[] rules;
  private final List<Map<String, int[]>> indexes;
  private final PrefixIndex idPrefixes;
  private final PrefixIndex resourcePrefixes;
  private final int[] always;
  private final ZoneId[] zones;
  private final String ceilingText;
  /** "[a]" for every action some rule names. */
  private final Map<String, String> bracketed;
  /** Formatted requested TTLs, bounded. */
  private final ConcurrentHashMap<Duration, String> ttlTexts = new ConcurrentHashMap<>();

  /** One compiled rule. */
  static final class CRule {
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

    CRule(Rule rule, int ordinal, Checks.Check[] checks, @Nullable Set<String> filter, Duration maxTtl) {
      this.rule = rule;
      this.ordinal = ordinal;
      this.checks = checks;
      this.filter = filter;
      this.maxTtl = maxTtl;
      this.maxTtlText = Durations.format(maxTtl);
      this.allowedPrefix = "allowed by rule " + rule.id + " for ";
      this.allowedAll = filter == null ? null : allowedPrefix + new TreeSet<>(filter);
    }
  }

  private CompiledPolicy(Policy policy, CRule[] rules, List<Map<String, int[]>> indexes, PrefixIndex idPrefixes,
      PrefixIndex resourcePrefixes, int[] always, ZoneId[] zones) {
    this.policy = policy;
    this.version = policy.version();
    this.ceiling = policy.maxTtl();
    this.rules = rules;
    this.indexes = indexes;
    this.idPrefixes = idPrefixes;
    this.resourcePrefixes = resourcePrefixes;
    this.always = always;
    this.zones = zones;
    this.ceilingText = Durations.format(ceiling);
    Map<String, String> b = new HashMap<>();
    for (CRule r : rules) {
      if (r.filter != null) {
        r.filter.forEach(a -> b.put(a, "[" + a + "]"));
      }
    }
    this.bracketed = Map.copyOf(b);
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
    List<List<@Nullable Set<String>>> keys = new ArrayList<>();
    for (CRule r : rules) {
      List<@Nullable Set<String>> k = keys(r);
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
        for (String key : java.util.Objects.requireNonNull(k.get(best))) {
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
    return new CompiledPolicy(policy, rules, List.copyOf(indexes), PrefixIndex.of(indexes.get(D_ID_PREFIX)),
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
  private static List<@Nullable Set<String>> keys(CRule c) {
    Rule r = c.rule;
    List<@Nullable Set<String>> k = new ArrayList<>(java.util.Collections.nCopies(DIMENSIONS, (Set<String>) null));
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
    if (!r.resources.isEmpty()) {
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

  /** Growable int list of (ordinal, code) pairs; allocates on the first add. */
  private static final class Hits {
    private static final int[] NONE = new int[0];
    int[] a = NONE;
    int n;

    void add(int ordinal, int code) {
      if (n + 2 > a.length) {
        a = Arrays.copyOf(a, Math.max(8, a.length * 2));
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
  private final class Run implements PrefixIndex.Sink {
    final Checks.Ctx ctx;
    final Hits denies = new Hits();
    final Hits approvals = new Hits();
    final Hits allows = new Hits();
    final Hits misses = new Hits();
    final Hits shadows = new Hits();
    int visited;

    Run(Checks.Ctx ctx) {
      this.ctx = ctx;
    }

    void visitAll(int @Nullable [] bucket) {
      if (bucket == null) {
        return;
      }
      for (int ord : bucket) {
        visit(ord);
      }
    }

    @Override
    public void visit(int[] bucket) {
      visitAll(bucket);
    }

    void visit(int ord) {
      visited++;
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
    Run run = candidates(context);
    return decide(context, run, explainAll);
  }

  /** How many rules the indexes hand a request (tests: what a decision evaluates). */
  int candidateCount(PolicyContext context) {
    Run run = candidates(context);
    return run.visited;
  }

  private Run candidates(PolicyContext context) {
    String[] actions = context.request().actions().toArray(new String[0]);
    Checks.Ctx ctx = new Checks.Ctx(context, actions, zones);
    Run run = new Run(ctx);
    run.visitAll(indexes.get(D_ID).get(ctx.id));
    run.visitAll(indexes.get(D_RESOURCE).get(ctx.resource));
    if (ctx.trustDomain != null) {
      run.visitAll(indexes.get(D_TRUST_DOMAIN).get(ctx.trustDomain));
    }
    run.visitAll(indexes.get(D_ISSUER).get(ctx.issuer));
    run.visitAll(indexes.get(D_ENVIRONMENT).get(ctx.environment));
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
    run.visitAll(always);
    return run;
  }

  /**
   * Decides a request by evaluating every rule, without the indexes: the reference the indexed
   * evaluation must agree with (tests only; the candidates that did not match differ, nothing else).
   */
  Decision evaluateByScan(PolicyContext context) {
    String[] actions = context.request().actions().toArray(new String[0]);
    Run run = new Run(new Checks.Ctx(context, actions, zones));
    for (int ord = 0; ord < rules.length; ord++) {
      run.visit(ord);
    }
    return decide(context, run, true);
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

  /** The text of a duration, formatted once per distinct value (bounded). */
  private String ttlText(Duration d) {
    if (d.equals(ceiling)) {
      return ceilingText;
    }
    String t = ttlTexts.get(d);
    if (t == null) {
      t = Durations.format(d);
      if (ttlTexts.size() < MAX_TTL_TEXTS) {
        ttlTexts.putIfAbsent(d, t);
      }
    }
    return t;
  }

  /** "[a]" for one action. */
  private String bracket(String action) {
    String b = bracketed.get(action);
    return b != null ? b : "[" + action + "]";
  }

  private Decision decide(PolicyContext context, Run run, boolean explainAll) {
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
        CRule r = rules[run.denies.ordinal(i)];
        if (!(breakGlass && r.rule.overridable)) {
          hard.add(r.rule.id);
          reasons.add("denied by rule " + r.rule.id + unknownSuffix(r, run.denies.code(i), run.ctx)
              + (breakGlass ? " (hard deny: break-glass cannot pass it)" : ""));
        }
      }
      if (!hard.isEmpty()) {
        explainRest(reasons, run, true);
        return new Decision.Deny(hard, reasons, version);
      }
      overridden = new ArrayList<>();
      for (int i = 0; i < run.denies.size(); i++) {
        CRule r = rules[run.denies.ordinal(i)];
        overridden.add(r.rule.id);
        reasons.add("break-glass overrode deny rule " + r.rule.id + unknownSuffix(r, run.denies.code(i), run.ctx));
      }
    }

    // 2. which actions are covered, by allow and require-approval rules
    long covered = 0;
    for (int i = 0; i < run.allows.size(); i++) {
      covered |= coverage(rules[run.allows.ordinal(i)], actions);
    }
    List<String> doubtful = List.of();
    List<CRule> approvals = List.of();
    for (int i = 0; i < run.approvals.size(); i++) {
      CRule r = rules[run.approvals.ordinal(i)];
      if (run.approvals.code(i) == MATCH) {
        covered |= coverage(r, actions);
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
      reasons.addAll(doubtful);
      explainRest(reasons, run, true);
      return new Decision.Deny(List.of(), reasons, version);
    }
    Set<String> granted;
    String grantedText;
    int all = actions.length;
    if (all == 1) {
      granted = Set.of(actions[0]);
      grantedText = bracket(actions[0]);
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
    Duration requested = context.request().requestedTtl();
    Duration ttl = requested;
    Duration idle = null;
    boolean singleUse = false;
    boolean renewable = true;
    int depth = Integer.MAX_VALUE;
    List<String> clamps = List.of();
    if (ceiling.compareTo(requested) < 0) {
      ttl = ceiling;
      clamps = new ArrayList<>();
      clamps.add("ttl clamped from " + ttlText(requested) + " to " + ceilingText + " by the policy ceiling");
    }
    int contributing = run.allows.size() + run.approvals.size();
    for (int i = 0; i < contributing; i++) {
      CRule r = i < run.allows.size() ? rules[run.allows.ordinal(i)]
          : rules[run.approvals.ordinal(i - run.allows.size())];
      Rule rule = r.rule;
      if (r.maxTtl.compareTo(requested) < 0) {
        if (clamps.isEmpty()) {
          clamps = new ArrayList<>();
        }
        clamps.add("ttl clamped from " + ttlText(requested) + " to " + r.maxTtlText + " by rule " + rule.id);
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
      List<String> out = new ArrayList<>(head);
      out.add("actions " + grantedText + " on approval");
      out.addAll(reasons);
      out.addAll(clamps);
      explainRest(out, run, true);
      return new Decision.NeedsApproval(terms, requirement, ids, out, version);
    }

    // 5. allow: one line per allow rule, then overrides, dropped actions, clamps and the granted terms
    List<String> out = new ArrayList<>(run.allows.size() + reasons.size() + clamps.size() + 1
        + run.shadows.size());
    List<String> ids;
    if (run.allows.size() == 1 && overridden.isEmpty()) {
      CRule r = rules[run.allows.ordinal(0)];
      ids = List.of(r.rule.id);
      out.add(allowedLine(r, actions));
    } else {
      Set<String> sortedIds = new TreeSet<>();
      for (int i = 0; i < run.allows.size(); i++) {
        CRule r = rules[run.allows.ordinal(i)];
        sortedIds.add(r.rule.id);
        out.add(allowedLine(r, actions));
      }
      sortedIds.addAll(overridden);
      ids = new ArrayList<>(sortedIds);
    }
    out.addAll(reasons);
    out.addAll(clamps);
    out.add("granted " + grantedText + " for " + ttlText(ttl) + (breakGlass ? " (break-glass)" : ""));
    explainRest(out, run, explainAll);
    return new Decision.Allow(terms, ids, out, version);
  }

  /** "allowed by rule X for [the requested actions it covers]", from the rule's fixed strings. */
  private String allowedLine(CRule r, String[] actions) {
    if (r.filter == null) { // covers every requested action, and they are all granted
      return r.allowedPrefix + (actions.length == 1 ? bracket(actions[0]) : covered(r, actions).toString());
    }
    int count = Long.bitCount(coverage(r, actions));
    if (count == r.filter.size()) {
      return java.util.Objects.requireNonNull(r.allowedAll);
    }
    return r.allowedPrefix + (count == 1 && actions.length == 1 ? bracket(actions[0])
        : covered(r, actions).toString());
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

  /** Shadow rules and, when asked, the non-matching candidates, in rule id order, capped. */
  private void explainRest(List<String> reasons, Run run, boolean misses) {
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
    if (!misses) {
      return;
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
