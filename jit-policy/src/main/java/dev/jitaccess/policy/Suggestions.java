package dev.jitaccess.policy;

import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * "Did you mean" for policy diagnostics: the valid key or value nearest to a misspelled one, by edit
 * distance (insertions, deletions, substitutions and swaps of neighbours, ignoring case), offered only
 * when it is close: at most one edit for words up to five characters, two up to eight, three beyond.
 */
final class Suggestions {
  private Suggestions() {}

  /** The longest input considered: a long value is no misspelling of a short keyword. */
  private static final int MAX_INPUT = 64;

  /**
   * The candidate nearest to {@code input}, or null when none is close; ties go to the candidate that
   * sorts first.
   */
  static @Nullable String nearest(String input, Collection<String> candidates) {
    if (input.isEmpty() || input.length() > MAX_INPUT) {
      return null;
    }
    String in = input.toLowerCase(Locale.ROOT);
    int limit = in.length() <= 5 ? 1 : in.length() <= 8 ? 2 : 3;
    String best = null;
    int bestDistance = limit + 1;
    for (String c : new TreeSet<>(candidates)) { // sorted: ties resolve the same way in every JVM
      if (c.equals(input) || Math.abs(c.length() - in.length()) > limit) {
        continue;
      }
      int d = distance(in, c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** {@code " (did you mean 'x'?)"} for the nearest candidate, or the empty string. */
  static String didYouMean(String input, Collection<String> candidates) {
    String s = nearest(input, candidates);
    return s == null ? "" : " (did you mean '" + s + "'?)";
  }

  /** The optimal string alignment distance: Levenshtein plus the swap of two neighbouring characters. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[a.length()][b.length()];
  }
}
