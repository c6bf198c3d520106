package dev.jitaccess.policy;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A glob over a whole string: {@code *} matches any run of characters (also empty, also {@code /}),
 * {@code ?} matches exactly one character; every other character matches itself. No character classes,
 * no escapes, no regular expressions: matching is linear in practice and never backtracks exponentially.
 */
final class Glob {
  private final String pattern;
  private final int kind; // 0 exact, 1 prefix*, 2 general
  private final String prefix;

  private Glob(String pattern) {
    this.pattern = pattern;
    int star = pattern.indexOf('*');
    boolean question = pattern.indexOf('?') >= 0;
    if (star < 0 && !question) {
      kind = 0;
      prefix = pattern;
    } else if (!question && star == pattern.length() - 1) {
      kind = 1;
      prefix = pattern.substring(0, star);
    } else {
      kind = 2;
      prefix = ""; // unused by a general pattern
    }
  }

  static Glob of(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException("a glob must not be empty");
    }
    return new Glob(pattern);
  }

  /** Whether the pattern has no wildcard and matches only itself. */
  boolean isExact() {
    return kind == 0;
  }

  /** Whether this glob matches every string. */
  boolean matchesEverything() {
    return kind == 1 && prefix.isEmpty();
  }

  String pattern() {
    return pattern;
  }

  /**
   * The literal characters before the first wildcard: every string this glob matches starts with it.
   * The whole pattern when it is exact; empty when it starts with a wildcard.
   */
  String literalPrefix() {
    return literalPrefix(pattern);
  }

  /** The characters of a glob pattern before its first {@code *} or {@code ?}. */
  static String literalPrefix(String pattern) {
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*' || c == '?') {
        return pattern.substring(0, i);
      }
    }
    return pattern;
  }

  boolean matches(String s) {
    return switch (kind) {
      case 0 -> pattern.equals(s);
      case 1 -> s.startsWith(prefix);
      default -> wildcard(pattern, s, 0, s.length());
    };
  }

  /** Whether this glob matches {@code s.substring(from, to)}, without copying it. */
  boolean matches(String s, int from, int to) {
    return switch (kind) {
      case 0 -> to - from == pattern.length() && s.regionMatches(from, pattern, 0, pattern.length());
      case 1 -> to - from >= prefix.length() && s.regionMatches(from, prefix, 0, prefix.length());
      default -> wildcard(pattern, s, from, to);
    };
  }

  /** Classic two-pointer wildcard matching with single backtrack point: O(n*m) worst case. */
  static boolean wildcard(String p, String s) {
    return wildcard(p, s, 0, s.length());
  }

  /** {@link #wildcard(String, String)} over {@code s.substring(from, to)}, without copying it. */
  static boolean wildcard(String p, String s, int from, int to) {
    int pi = 0;
    int si = from;
    int starP = -1;
    int starS = from;
    while (si < to) {
      if (pi < p.length() && (p.charAt(pi) == '?' || (p.charAt(pi) != '*' && p.charAt(pi) == s.charAt(si)))) {
        pi++;
        si++;
      } else if (pi < p.length() && p.charAt(pi) == '*') {
        starP = pi++;
        starS = si;
      } else if (starP >= 0) {
        pi = starP + 1;
        si = ++starS;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
