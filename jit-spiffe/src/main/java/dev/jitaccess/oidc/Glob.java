package dev.jitaccess.oidc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A glob on claim values, with the syntax of GitHub's branch filters: {@code *} matches any run of
 * characters except {@code /}, {@code **} matches any run including {@code /}, {@code ?} matches one
 * character except {@code /}, and a backslash makes the next character literal. Everything else matches
 * itself, case-sensitively. The whole value must match.
 *
 * <p>Matching runs in time proportional to pattern length times value length (no backtracking).
 */
final class Glob {
  private static final int LITERAL = 0;
  private static final int ONE = 1;
  private static final int STAR = 2;
  private static final int DOUBLE_STAR = 3;

  private final String pattern;
  private final int[] kinds;
  private final char[] literals;

  private Glob(String pattern, int[] kinds, char[] literals) {
    this.pattern = pattern;
    this.kinds = kinds;
    this.literals = literals;
  }

  /**
   * Compiles a pattern.
   *
   * @throws IllegalArgumentException if it is empty or ends with a lone backslash
   */
  static Glob compile(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException("glob pattern must not be empty");
    }
    List<int[]> tokens = new ArrayList<>();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        if (i + 1 == pattern.length()) {
          throw new IllegalArgumentException("glob pattern ends with a lone backslash: " + pattern);
        }
        tokens.add(new int[] {LITERAL, pattern.charAt(++i)});
      } else if (c == '*') {
        if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
          tokens.add(new int[] {DOUBLE_STAR, 0});
          i++;
        } else {
          tokens.add(new int[] {STAR, 0});
        }
      } else if (c == '?') {
        tokens.add(new int[] {ONE, 0});
      } else {
        tokens.add(new int[] {LITERAL, c});
      }
    }
    int[] kinds = new int[tokens.size()];
    char[] literals = new char[tokens.size()];
    for (int t = 0; t < kinds.length; t++) {
      kinds[t] = tokens.get(t)[0];
      literals[t] = (char) tokens.get(t)[1];
    }
    return new Glob(pattern, kinds, literals);
  }

  /** Whether the whole value matches. */
  boolean matches(String value) {
    int n = value.length();
    boolean[] reach = new boolean[n + 1];
    reach[0] = true;
    for (int t = 0; t < kinds.length; t++) {
      boolean[] next = new boolean[n + 1];
      boolean any = false;
      switch (kinds[t]) {
        case LITERAL, ONE -> {
          for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (reach[i] && (kinds[t] == LITERAL ? c == literals[t] : c != '/')) {
              next[i + 1] = true;
              any = true;
            }
          }
        }
        case STAR -> {
          boolean run = false;
          for (int i = 0; i <= n; i++) {
            run = reach[i] || (run && value.charAt(i - 1) != '/');
            next[i] = run;
            any |= run;
          }
        }
        default -> {
          // DOUBLE_STAR
          boolean seen = false;
          for (int i = 0; i <= n; i++) {
            seen |= reach[i];
            next[i] = seen;
            any |= seen;
          }
        }
      }
      if (!any) {
        return false;
      }
      reach = next;
    }
    return reach[n];
  }

  @Override
  public String toString() {
    return pattern;
  }
}
