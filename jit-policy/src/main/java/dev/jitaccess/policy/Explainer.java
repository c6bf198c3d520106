package dev.jitaccess.policy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The words of a decision: the line each allow rule contributes, why a deny or approval rule applied when
 * one of its conditions could not be evaluated, the shadow rules (also logged at INFO), and the candidate
 * rules that did not match (at most {@value #MAX_MISSES}). Fixed strings are built at compile time and
 * formatted durations are kept (bounded), so an Allow costs few allocations. Thread-safe.
 */
final class Explainer {
  private static final Logger LOG = LoggerFactory.getLogger(RulePolicy.class);
  /** The most explanations of non-matching candidates a decision carries. */
  static final int MAX_MISSES = 16;
  /** The most distinct requested TTLs whose text is kept. */
  private static final int MAX_TTL_TEXTS = 256;

  private final CompiledRule[] rules;
  private final String version;
  private final Duration ceiling;
  private final String ceilingText;
  /** "[a]" for every action some rule names. */
  private final Map<String, String> bracketed;
  /** Formatted requested TTLs, bounded. */
  private final ConcurrentHashMap<Duration, String> ttlTexts = new ConcurrentHashMap<>();

  Explainer(CompiledRule[] rules, String version, Duration ceiling) {
    this.rules = rules;
    this.version = version;
    this.ceiling = ceiling;
    this.ceilingText = Durations.format(ceiling);
    Map<String, String> b = new HashMap<>();
    for (CompiledRule r : rules) {
      if (r.filter != null) {
        r.filter.forEach(a -> b.put(a, "[" + a + "]"));
      }
    }
    this.bracketed = Map.copyOf(b);
  }

  /** The policy ceiling as text. */
  String ceilingText() {
    return ceilingText;
  }

  /** The text of a duration, formatted once per distinct value (bounded). */
  String ttlText(Duration d) {
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
  String bracket(String action) {
    String b = bracketed.get(action);
    return b != null ? b : "[" + action + "]";
  }

  /** "allowed by rule X for [the requested actions it covers]", from the rule's fixed strings. */
  String allowedLine(CompiledRule r, String[] actions) {
    if (r.filter == null) { // covers every requested action, and they are all granted
      return r.allowedPrefix + (actions.length == 1 ? bracket(actions[0]) : r.covered(actions).toString());
    }
    int count = Long.bitCount(r.coverage(actions));
    if (count == r.filter.size()) {
      return Objects.requireNonNull(r.allowedAll);
    }
    return r.allowedPrefix + (count == 1 && actions.length == 1 ? bracket(actions[0])
        : r.covered(actions).toString());
  }

  static int codeOf(Candidates.Hits hits, int ordinal) {
    for (int i = 0; i < hits.size(); i++) {
      if (hits.ordinal(i) == ordinal) {
        return hits.code(i);
      }
    }
    return CompiledRule.MATCH;
  }

  static String unknownSuffix(CompiledRule r, int code, Checks.Ctx ctx) {
    if (code == CompiledRule.MATCH) {
      return "";
    }
    return ": could not evaluate " + r.checks[code >> 1].explain(ctx) + "; a " + r.rule.effect.yamlName()
        + " rule applies when in doubt";
  }

  /** Shadow rules and, when asked, the non-matching candidates, in rule id order, capped. */
  void explainRest(List<String> reasons, Candidates run, boolean misses) {
    for (int i = 0; i < run.shadows.size(); i++) {
      CompiledRule r = rules[run.shadows.ordinal(i)];
      String what = switch (r.rule.effect) {
        case DENY -> "deny";
        case REQUIRE_APPROVAL -> "require approval by " + r.rule.approvals + " of group '" + r.rule.approverGroup + "'";
        default -> "allow " + r.covered(run.ctx.actions);
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
      CompiledRule r = rules[run.misses.ordinal(i)];
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
