package dev.jitaccess.policy;

import org.jspecify.annotations.Nullable;

/**
 * What changed for a pattern when policy globs became the project's one glob. Before, a policy glob's
 * {@code *} and {@code ?} also matched {@code /} and a backslash was an ordinary character; now
 * {@code *} and {@code ?} stay within one segment, {@code **} crosses segments and a backslash escapes
 * (issue 14 #11). A run of two or more stars means what it meant before.
 */
final class GlobMigration {
  private GlobMigration() {}

  /** Why {@code pattern} matches differently now, with the pattern that keeps its old meaning; null if it does not. */
  static @Nullable String change(String pattern) {
    boolean singleStar = false;
    boolean question = false;
    boolean backslash = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        int run = 1;
        while (i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
          run++;
          i++;
        }
        singleStar |= run == 1;
      } else if (c == '?') {
        question = true;
      } else if (c == '\\') {
        backslash = true;
      }
    }
    if (!singleStar && !question && !backslash) {
      return null;
    }
    StringBuilder why = new StringBuilder("its meaning changed: ");
    if (singleStar) {
      why.append("'*' no longer matches '/'; ");
    }
    if (question) {
      why.append("'?' no longer matches '/'; ");
    }
    if (backslash) {
      why.append("'\\' now makes the next character literal; ");
    }
    why.append("in every glob '*' stays within one segment and '**' crosses segments, as in SPIFFE ID patterns");
    if (singleStar && !question && !backslash) {
      why.append("; write '").append(doubled(pattern)).append("' for the old meaning");
    }
    return why.append(", or declare version: 2 to confirm the new one").toString();
  }

  /** The pattern with every single {@code *} doubled. */
  private static String doubled(String pattern) {
    StringBuilder sb = new StringBuilder(pattern.length() + 4);
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*' && (i + 1 == pattern.length() || pattern.charAt(i + 1) != '*')
          && (i == 0 || pattern.charAt(i - 1) != '*')) {
        sb.append("**");
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
