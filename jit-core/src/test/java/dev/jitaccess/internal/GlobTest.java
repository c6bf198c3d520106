package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The project's one glob: {@code *} within a segment, {@code **} across, {@code ?} one character, escapes. */
class GlobTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
    "refs/heads/*, refs/heads/main, true",
    "refs/heads/*, refs/heads/feature/x, false",
    "refs/heads/**, refs/heads/feature/x, true",
    "refs/heads/*, refs/heads/, true",
    "refs/heads/release/*, refs/heads/release/1.0, true",
    "refs/heads/release/*, refs/heads/release/x/unprotected, false",
    "refs/tags/v?.*, refs/tags/v1.2, true",
    "refs/tags/v?.*, refs/tags/v12.2, false",
    "a?c, a/c, false",
    "octo-org/*, octo-org/deployer, true",
    "octo-org/*, octo-org-evil/deployer, false",
    "octo-org/*, octo-org/a/b, false",
    "system:serviceaccount:ci:*, system:serviceaccount:ci:deployer, true",
    "system:serviceaccount:ci:*, system:serviceaccount:cid:deployer, false",
    "https://r1.example.org/*, https://r1.example.org/reports, true",
    "https://r1.example.org/*, https://r1.example.org/reports/2024, false",
    "https://r1.example.org/**, https://r1.example.org/reports/2024, true",
    "https://*.example.org/x, https://a.example.org/x, true",
    "https://*.example.org/x, https://evil.org/.example.org/x, false",
    "a\\*b, a*b, true",
    "a\\*b, axb, false",
    "a\\?, a?, true",
    "a\\\\b, a\\b, true",
    "exact, exact, true",
    "exact, exactly, false",
    "exact, Exact, false",
    "*, '', true",
    "*, a/b, false",
    "?, '', false",
    "**, a/b/c, true",
    "**, '', true",
    "*/**, a/b/c, true",
    "*/**, abc, false",
    "o/.github/workflows/*.yml@refs/heads/main, o/.github/workflows/d.yml@refs/heads/main, true",
    "o/.github/workflows/*.yml@refs/heads/main, o/.github/workflows/d.yml@refs/heads/mainx, false",
    "o/.github/workflows/*.yml@refs/heads/main, o/.github/workflows/x/d.yml@refs/heads/main, false",
  })
  void matches(String pattern, String value, boolean expected) {
    assertThat(Glob.compile(pattern).matches(value)).isEqualTo(expected);
  }

  /** Issue 14 #11: a release-branch condition does not reach branches below the release namespace. */
  @Test
  void starDoesNotCrossSegmentsInABranchCondition() {
    Glob release = Glob.compile("refs/heads/release/*");
    assertThat(release.matches("refs/heads/release/x/unprotected")).isFalse();
    assertThat(release.matches("refs/heads/release/2.0")).isTrue();
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @CsvSource(delimiter = '|', value = {"''", "a\\", "**\\"})
  void badPatternsAreRefused(String pattern) {
    assertThatThrownBy(() -> Glob.compile(pattern)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nullArgumentsAreNamed() {
    assertThatThrownBy(() -> Glob.compile(null)).isInstanceOf(NullPointerException.class).hasMessage("pattern");
    assertThatThrownBy(() -> Glob.compile("a").matches(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("value");
  }

  @Test
  void shapes() {
    assertThat(Glob.compile("a\\*b").isExact()).isTrue();
    assertThat(Glob.compile("a\\*b").literalPrefix()).isEqualTo("a*b");
    assertThat(Glob.compile("https://r?.org/*").literalPrefix()).isEqualTo("https://r");
    assertThat(Glob.compile("*.org").literalPrefix()).isEmpty();
    assertThat(Glob.compile("**").matchesEverything()).isTrue();
    assertThat(Glob.compile("***").matchesEverything()).isTrue();
    assertThat(Glob.compile("*").matchesEverything()).isFalse();
    assertThat(Glob.compile("a**").matchesEverything()).isFalse();
  }

  @Test
  void manyStarsOnLongValuesNeedNoBacktracking() {
    Glob glob = Glob.compile("*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
    assertThat(glob.matches("a".repeat(5000))).isFalse();
    assertThat(glob.matches("a".repeat(5000) + "b")).isTrue();
    assertThat(glob.matches("a".repeat(5000) + "/b")).isFalse();
  }

  @Test
  void longPatternsUseTheWideAutomatonWithTheSameMeaning() {
    String head = "x".repeat(70);
    Glob glob = Glob.compile(head + "/*/" + "y".repeat(70) + "?");
    assertThat(glob.matches(head + "/seg/" + "y".repeat(70) + "z")).isTrue();
    assertThat(glob.matches(head + "/s/e/" + "y".repeat(70) + "z")).isFalse();
    assertThat(glob.matches(head + "/seg/" + "y".repeat(70) + "/")).isFalse();
  }

  /** The automaton agrees with a regular-expression translation of the same glob. */
  @Property(tries = 500)
  void agreesWithARegexTranslation(@ForAll("patterns") String pattern, @ForAll("values") String value) {
    assertThat(Glob.compile(pattern).matches(value)).isEqualTo(regex(pattern).matcher(value).matches());
  }

  /** The same for patterns long enough to need more than 64 automaton states. */
  @Property(tries = 200)
  void wideAutomatonAgreesWithARegexTranslation(@ForAll("patterns") String pattern, @ForAll("values") String value) {
    String p = "ab".repeat(40) + pattern;
    String v = "ab".repeat(40) + value;
    assertThat(Glob.compile(p).matches(v)).isEqualTo(regex(p).matcher(v).matches());
  }

  /** A single {@code *} (never {@code **}) never matches a run containing {@code /}. */
  @Property(tries = 500)
  void aSingleStarMatchNeverContainsASlash(@ForAll("literals") String before, @ForAll("literals") String after,
      @ForAll("values") String middle) {
    Glob glob = Glob.compile(escape(before) + "*" + escape(after));
    if (glob.matches(before + middle + after)) {
      assertThat(middle).doesNotContain("/");
    }
    if (!middle.contains("/")) {
      assertThat(glob.matches(before + middle + after)).isTrue();
    }
  }

  /** A pattern without wildcards matches exactly itself. */
  @Property(tries = 500)
  void literalPatternsMatchOnlyThemselves(@ForAll("literals") String literal, @ForAll("values") String value) {
    String pattern = literal.isEmpty() ? "x" : literal;
    Glob glob = Glob.compile(pattern);
    assertThat(glob.isExact()).isTrue();
    assertThat(glob.matches(pattern)).isTrue();
    assertThat(glob.matches(value)).isEqualTo(value.equals(pattern));
  }

  /** An escaped literal, wildcards included, matches exactly the literal. */
  @Property(tries = 300)
  void escapedPatternsMatchOnlyTheirLiteral(@ForAll("patterns") String literal, @ForAll("patterns") String value) {
    Glob glob = Glob.compile(escape(literal));
    assertThat(glob.isExact()).isTrue();
    assertThat(glob.matches(value)).isEqualTo(value.equals(literal));
  }

  /** Matching a region agrees with matching the substring; every match starts with the literal prefix. */
  @Property(tries = 500)
  void regionMatchingAgreesWithSubstrings(@ForAll("patterns") String pattern, @ForAll("values") String value,
      @ForAll("values") String before, @ForAll("values") String after) {
    Glob g = Glob.compile(pattern);
    String s = before + value + after;
    assertThat(g.matches(s, before.length(), before.length() + value.length())).isEqualTo(g.matches(value));
    if (g.matches(value)) {
      assertThat(value).startsWith(g.literalPrefix());
    }
  }

  @Provide
  Arbitrary<String> patterns() {
    return Arbitraries.strings().withChars('a', 'b', '/', '*', '?').ofMinLength(1).ofMaxLength(8);
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.strings().withChars('a', 'b', '/').ofMaxLength(10);
  }

  @Provide
  Arbitrary<String> literals() {
    return Arbitraries.strings().withChars('a', 'b', '/', '.').ofMaxLength(6);
  }

  private static String escape(String literal) {
    StringBuilder sb = new StringBuilder();
    for (char c : literal.toCharArray()) {
      if (c == '*' || c == '?' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** {@code **} is any run, {@code *} a run without '/', {@code ?} one character other than '/'. */
  static Pattern regex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        regex.append("(?s:.*)");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
