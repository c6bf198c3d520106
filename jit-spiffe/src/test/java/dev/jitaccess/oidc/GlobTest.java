package dev.jitaccess.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
    "refs/heads/*, refs/heads/main, true",
    "refs/heads/*, refs/heads/feature/x, false",
    "refs/heads/**, refs/heads/feature/x, true",
    "refs/heads/*, refs/heads/, true",
    "refs/tags/v?.*, refs/tags/v1.2, true",
    "refs/tags/v?.*, refs/tags/v12.2, false",
    "octo-org/*, octo-org/deployer, true",
    "octo-org/*, octo-org-evil/deployer, false",
    "octo-org/*, octo-org/a/b, false",
    "system:serviceaccount:ci:*, system:serviceaccount:ci:deployer, true",
    "system:serviceaccount:ci:*, system:serviceaccount:cid:deployer, false",
    "a\\*b, a*b, true",
    "a\\*b, axb, false",
    "a\\?, a?, true",
    "a\\\\b, a\\b, true",
    "exact, exact, true",
    "exact, exactly, false",
    "exact, Exact, false",
    "*, '', true",
    "?, '', false",
    "**, a/b/c, true",
    "*/**, a/b/c, true",
    "*/**, abc, false",
    "o/.github/workflows/*.yml@refs/heads/main, o/.github/workflows/d.yml@refs/heads/main, true",
    "o/.github/workflows/*.yml@refs/heads/main, o/.github/workflows/d.yml@refs/heads/mainx, false",
  })
  void matches(String pattern, String value, boolean expected) {
    assertThat(Glob.compile(pattern).matches(value)).isEqualTo(expected);
  }

  /** The DP matcher agrees with a regex translation of the same glob. */
  @Property(tries = 300)
  void agreesWithARegexTranslation(@ForAll("patterns") String pattern, @ForAll("values") String value) {
    assertThat(Glob.compile(pattern).matches(value)).isEqualTo(regex(pattern).matcher(value).matches());
  }

  @Test
  void manyStarsOnLongValuesNeedNoBacktracking() {
    Glob glob = Glob.compile("*a*a*a*a*a*a*a*a*a*a*a*a*a*b");
    assertThat(glob.matches("a".repeat(5000))).isFalse();
    assertThat(glob.matches("a".repeat(5000) + "b")).isTrue();
    assertThat(glob.matches("a".repeat(5000) + "/b")).isFalse();
  }

  @Provide
  Arbitrary<String> patterns() {
    return Arbitraries.strings().withChars('a', 'b', '/', '*', '?').ofMinLength(1).ofMaxLength(8);
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.strings().withChars('a', 'b', '/').ofMaxLength(10);
  }

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
