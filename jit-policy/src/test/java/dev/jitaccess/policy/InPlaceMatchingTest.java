package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * SPIFFE segment matching in place (no substring per segment) agrees with matching copies, and every value
 * a pattern matches starts with the pattern's literal prefix (what the prefix indexes rely on). The same
 * facts for {@code Glob} are core's {@code GlobTest}.
 */
class InPlaceMatchingTest {

  /** The SPIFFE pattern matcher as it was before in-place matching: a substring per segment. */
  static boolean matchesByCopy(String pattern, String id) {
    SpiffePattern p = SpiffePattern.parse(pattern);
    if (p.isExact()) {
      return pattern.equals(id);
    }
    String td = p.trustDomain();
    int tdEnd = SpiffePattern.SCHEME.length() + td.length();
    if (!id.startsWith(SpiffePattern.SCHEME) || !id.startsWith(td, SpiffePattern.SCHEME.length())) {
      return false;
    }
    if (id.length() == tdEnd || id.charAt(tdEnd) != '/') {
      return false;
    }
    String path = pattern.substring(tdEnd + 1);
    boolean trailingAny = path.endsWith("**");
    String[] segs = (trailingAny ? path.substring(0, Math.max(0, path.length() - 3)) : path).split("/", -1);
    if (trailingAny && path.equals("**")) {
      segs = new String[0];
    }
    int pos = tdEnd + 1;
    for (String seg : segs) {
      if (pos > id.length()) {
        return false;
      }
      int next = id.indexOf('/', pos);
      int end = next < 0 ? id.length() : next;
      if (end == pos || !Glob.compile(seg).matches(id.substring(pos, end))) {
        return false;
      }
      pos = end + 1;
    }
    if (trailingAny) {
      return pos < id.length() && id.charAt(id.length() - 1) != '/';
    }
    return pos == id.length() + 1;
  }

  @Provide
  Arbitrary<String> spiffePatterns() {
    Arbitrary<String> seg = Arbitraries.of("a", "ab", "a*", "*b", "*", "a*b", "x-1", "ab.c");
    return seg.list().ofMinSize(0).ofMaxSize(3).flatMap(segs -> Arbitraries.of(true, false).map(any -> {
      StringBuilder sb = new StringBuilder("spiffe://td");
      segs.forEach(s -> sb.append('/').append(s));
      if (any) {
        sb.append("/**");
      }
      return sb.toString();
    }));
  }

  @Provide
  Arbitrary<String> ids() {
    Arbitrary<String> seg = Arbitraries.of("a", "ab", "b", "aab", "x-1", "ab.c", "", "abb");
    return seg.list().ofMaxSize(4).flatMap(segs -> Arbitraries.of("spiffe://td", "spiffe://tdx", "spiffe://t", "http://td")
        .map(head -> {
          StringBuilder sb = new StringBuilder(head);
          segs.forEach(s -> sb.append('/').append(s));
          return sb.toString();
        }));
  }

  @Property(tries = 500)
  void spiffeMatchingInPlaceAgreesWithCopies(@ForAll("spiffePatterns") String pattern, @ForAll("ids") String id) {
    boolean matches = SpiffePattern.parse(pattern).matches(id);
    assertThat(matches).isEqualTo(matchesByCopy(pattern, id));
    if (matches) {
      assertThat(id).startsWith(SpiffePattern.parse(pattern).literalPrefix());
    }
  }

  @Test
  void literalPrefixesStopAtTheFirstWildcard() {
    assertThat(SpiffePattern.parse("spiffe://td/svc/s1/*").literalPrefix()).isEqualTo("spiffe://td/svc/s1/");
    assertThat(SpiffePattern.parse("spiffe://td/svc/s1*").literalPrefix()).isEqualTo("spiffe://td/svc/s1");
    assertThat(SpiffePattern.parse("spiffe://td/a/b").literalPrefix()).isEqualTo("spiffe://td/a/b");
  }

  /** The prefix index files an exact resource or task glob under its whole text (glob shapes: core's GlobTest). */
  @Test
  void anExactGlobsPrefixIsTheWholePattern() {
    assertThat(Glob.compile("exact").literalPrefix()).isEqualTo("exact");
  }
}
