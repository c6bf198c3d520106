package dev.jitaccess.internal;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The project's one glob, used by every pattern that is not a SPIFFE ID pattern: policy identity
 * patterns, resource and task globs, {@code glob:} conditions on claims and attributes, and the OIDC
 * verifier's claim conditions. The syntax is that of the SPIFFE ID patterns and of GitHub's branch
 * filters:
 *
 * <ul>
 *   <li>{@code *} matches any run of characters except {@code /} (it stays within one segment);
 *   <li>{@code **} matches any run of characters, {@code /} included (it crosses segments);
 *   <li>{@code ?} matches exactly one character except {@code /};
 *   <li>{@code \} makes the next character literal ({@code \*} is a star);
 *   <li>every other character matches itself, case-sensitively.
 * </ul>
 *
 * The whole value must match. No character classes and no regular expressions: matching simulates the
 * pattern as an automaton, in time proportional to pattern length times value length, without
 * backtracking. Patterns of one literal, a literal followed by {@code *}, or a literal followed by
 * {@code **} take a shortcut (an equality or a prefix test). Immutable and thread-safe.
 */
public final class Glob {
  private static final byte LITERAL = 0;
  private static final byte ONE = 1;
  private static final byte STAR = 2;
  private static final byte DOUBLE_STAR = 3;

  private static final int EXACT = 0;
  private static final int PREFIX_SEGMENT = 1; // literal then one *
  private static final int PREFIX_ANY = 2; // literal then **
  private static final int GENERAL = 3;

  private final String pattern;
  private final byte[] kinds;
  private final char[] chars;
  private final String literalPrefix;
  private final int shape;
  private final boolean matchesEverything;

  private Glob(String pattern, byte[] kinds, char[] chars) {
    this.pattern = pattern;
    this.kinds = kinds;
    this.chars = chars;
    int firstWildcard = 0;
    while (firstWildcard < kinds.length && kinds[firstWildcard] == LITERAL) {
      firstWildcard++;
    }
    this.literalPrefix = new String(chars, 0, firstWildcard);
    int rest = kinds.length - firstWildcard;
    if (rest == 0) {
      shape = EXACT;
    } else if (rest == 1 && kinds[firstWildcard] == STAR) {
      shape = PREFIX_SEGMENT;
    } else if (rest == 1 && kinds[firstWildcard] == DOUBLE_STAR) {
      shape = PREFIX_ANY;
    } else {
      shape = GENERAL;
    }
    boolean any = false;
    boolean onlyStars = true;
    for (byte k : kinds) {
      any |= k == DOUBLE_STAR;
      onlyStars &= k == STAR || k == DOUBLE_STAR;
    }
    this.matchesEverything = any && onlyStars;
  }

  /**
   * Compiles a pattern.
   *
   * @throws NullPointerException if {@code pattern} is null
   * @throws IllegalArgumentException if it is empty or ends with a lone backslash
   */
  public static Glob compile(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException("a glob pattern must not be empty");
    }
    byte[] kinds = new byte[pattern.length()];
    char[] chars = new char[pattern.length()];
    int n = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        if (i + 1 == pattern.length()) {
          throw new IllegalArgumentException("a glob pattern must not end with a lone backslash: '" + pattern + "'");
        }
        kinds[n] = LITERAL;
        chars[n++] = pattern.charAt(++i);
      } else if (c == '*') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
          kinds[n++] = DOUBLE_STAR;
          i++;
        } else {
          kinds[n++] = STAR;
        }
      } else if (c == '?') {
        kinds[n++] = ONE;
      } else {
        kinds[n] = LITERAL;
        chars[n++] = c;
      }
    }
    return new Glob(pattern, java.util.Arrays.copyOf(kinds, n), java.util.Arrays.copyOf(chars, n));
  }

  /** The pattern as written. */
  public String pattern() {
    return pattern;
  }

  /** Whether the pattern has no wildcard and so matches exactly one string, {@link #literalPrefix()}. */
  public boolean isExact() {
    return shape == EXACT;
  }

  /** Whether this glob matches every string ({@code **}, possibly with further stars). */
  public boolean matchesEverything() {
    return matchesEverything;
  }

  /**
   * The literal characters before the first wildcard, escapes resolved: every string this glob matches
   * starts with it. The whole literal when the pattern is exact; empty when it starts with a wildcard.
   */
  public String literalPrefix() {
    return literalPrefix;
  }

  /**
   * Whether the whole value matches.
   *
   * @throws NullPointerException if {@code value} is null
   */
  public boolean matches(String value) {
    Objects.requireNonNull(value, "value");
    return matches(value, 0, value.length());
  }

  /**
   * Whether {@code s.substring(from, to)} matches, without copying it.
   *
   * @throws NullPointerException if {@code s} is null
   * @throws IndexOutOfBoundsException if the range is not within {@code s}
   */
  public boolean matches(String s, int from, int to) {
    Objects.requireNonNull(s, "s");
    Objects.checkFromToIndex(from, to, s.length());
    int p = literalPrefix.length();
    if (to - from < p || !s.regionMatches(from, literalPrefix, 0, p)) {
      return false;
    }
    return switch (shape) {
      case EXACT -> to - from == p;
      case PREFIX_ANY -> true;
      case PREFIX_SEGMENT -> noSlash(s, from + p, to);
      default -> kinds.length < Long.SIZE ? automaton(s, from, to) : wideAutomaton(s, from, to);
    };
  }

  private static boolean noSlash(String s, int from, int to) {
    int slash = s.indexOf('/', from);
    return slash < 0 || slash >= to;
  }

  /** State i means "token i is next"; state {@code kinds.length} accepts. One bit per state. */
  private boolean automaton(String s, int from, int to) {
    int m = kinds.length;
    long states = closure(1L);
    for (int i = from; i < to && states != 0; i++) {
      char c = s.charAt(i);
      long next = 0;
      for (long rest = states; rest != 0; rest &= rest - 1) {
        int t = Long.numberOfTrailingZeros(rest);
        if (t < m) {
          next |= step(t, c);
        }
      }
      states = closure(next);
    }
    return (states & (1L << m)) != 0;
  }

  /** The states reached from state {@code t} over character {@code c}, as bits. */
  private long step(int t, char c) {
    return switch (kinds[t]) {
      case LITERAL -> chars[t] == c ? 1L << (t + 1) : 0;
      case ONE -> c != '/' ? 1L << (t + 1) : 0;
      case STAR -> c != '/' ? 1L << t : 0;
      default -> 1L << t; // DOUBLE_STAR
    };
  }

  /** Adds the states reachable without reading a character: a star may match the empty run. */
  private long closure(long states) {
    long out = states;
    for (int t = 0; t < kinds.length; t++) {
      if ((out & (1L << t)) != 0 && kinds[t] >= STAR) {
        out |= 1L << (t + 1);
      }
    }
    return out;
  }

  /** {@link #automaton} for patterns of 64 tokens or more. */
  private boolean wideAutomaton(String s, int from, int to) {
    int m = kinds.length;
    boolean[] states = new boolean[m + 1];
    boolean[] next = new boolean[m + 1];
    states[0] = true;
    wideClosure(states);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      java.util.Arrays.fill(next, false);
      boolean any = false;
      for (int t = 0; t < m; t++) {
        if (!states[t]) {
          continue;
        }
        switch (kinds[t]) {
          case LITERAL -> {
            if (chars[t] == c) {
              next[t + 1] = true;
              any = true;
            }
          }
          case ONE -> {
            if (c != '/') {
              next[t + 1] = true;
              any = true;
            }
          }
          case STAR -> {
            if (c != '/') {
              next[t] = true;
              any = true;
            }
          }
          default -> {
            next[t] = true;
            any = true;
          }
        }
      }
      if (!any) {
        return false;
      }
      wideClosure(next);
      boolean[] swap = states;
      states = next;
      next = swap;
    }
    return states[m];
  }

  private void wideClosure(boolean[] states) {
    for (int t = 0; t < kinds.length; t++) {
      if (states[t] && kinds[t] >= STAR) {
        states[t + 1] = true;
      }
    }
  }

  /** The pattern as written. */
  @Override
  public String toString() {
    return pattern;
  }

  /** Globs are equal when their patterns are. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Glob g && g.pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }
}
