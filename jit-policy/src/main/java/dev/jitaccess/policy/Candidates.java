package dev.jitaccess.policy;

import java.util.Arrays;

/**
 * What one evaluation found: every candidate rule the index handed over, evaluated once and sorted into
 * the matching denies, require-approvals, allows and shadows, and the candidates that did not match (for
 * the explanation). Each entry is a rule ordinal and the code {@link CompiledRule#evaluate} returned.
 * Used by one thread for one decision.
 */
final class Candidates implements RuleIndex.Visitor {
  /** Growable int list of (ordinal, code) pairs; allocates on the first add. */
  static final class Hits {
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

  private final CompiledRule[] rules;
  final Checks.Ctx ctx;
  final Hits denies = new Hits();
  final Hits approvals = new Hits();
  final Hits allows = new Hits();
  final Hits misses = new Hits();
  final Hits shadows = new Hits();
  int visited;

  Candidates(CompiledRule[] rules, Checks.Ctx ctx) {
    this.rules = rules;
    this.ctx = ctx;
  }

  @Override
  public void visit(int ord) {
    visited++;
    CompiledRule r = rules[ord];
    int code = r.evaluate(ctx);
    boolean certain = code == CompiledRule.MATCH;
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
