package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpiffeIdMatcherTest {
  static SpiffeId id(String s) {
    return SpiffeId.parse(s);
  }

  @Test
  void exact() {
    SpiffeIdMatcher m = SpiffeIdMatcher.exact(id("spiffe://example.org/ci/deploy"));
    assertThat(m.matches("spiffe://example.org/ci/deploy")).isTrue();
    assertThat(m.matches("spiffe://example.org/ci/Deploy")).isFalse();
    assertThat(m.matches("spiffe://example.org/ci/deploy/x")).isFalse();
    assertThat(m.matches("SPIFFE://example.org/ci/deploy")).isFalse();
  }

  @Test
  void trustDomain() {
    SpiffeIdMatcher m = SpiffeIdMatcher.trustDomain(TrustDomain.parse("example.org"));
    assertThat(m.matches("spiffe://example.org")).isTrue();
    assertThat(m.matches("spiffe://example.org/a/b")).isTrue();
    assertThat(m.matches("spiffe://example.org.evil/a")).isFalse();
    assertThat(m.matches("spiffe://sub.example.org/a")).isFalse();
  }

  @Test
  void pathPrefixMatchesWholeSegments() {
    SpiffeIdMatcher m = SpiffeIdMatcher.pathPrefix(id("spiffe://example.org/ns/prod"));
    assertThat(m.matches("spiffe://example.org/ns/prod")).isTrue();
    assertThat(m.matches("spiffe://example.org/ns/prod/sa/api")).isTrue();
    assertThat(m.matches("spiffe://example.org/ns/production")).isFalse();
    assertThat(m.matches("spiffe://example.org/ns")).isFalse();
    assertThat(m.matches("spiffe://other.org/ns/prod")).isFalse();
    assertThat(SpiffeIdMatcher.pathPrefix(id("spiffe://example.org")).matches("spiffe://example.org/x")).isTrue();
  }

  /** {@code *} is exactly one segment, {@code **} zero or more; the trust domain always matches exactly. */
  @ParameterizedTest(name = "[{index}] {0} matches {1}: {2}")
  @CsvSource({
      "spiffe://example.org/ns/*/sa/api, spiffe://example.org/ns/prod/sa/api, true",
      "spiffe://example.org/ns/*/sa/api, spiffe://example.org/ns/a/b/sa/api,  false",
      "spiffe://example.org/ns/*/sa/api, spiffe://example.org/ns/sa/api,      false",
      "spiffe://example.org/ci/**,       spiffe://example.org/ci,             true",
      "spiffe://example.org/ci/**,       spiffe://example.org/ci/a/b/c,       true",
      "spiffe://example.org/ci/**,       spiffe://example.org/cd/a,           false",
      "spiffe://example.org/**/deploy,   spiffe://example.org/deploy,         true",
      "spiffe://example.org/**/deploy,   spiffe://example.org/a/b/deploy,     true",
      "spiffe://example.org/**/deploy,   spiffe://example.org/a/b/deploy/x,   false",
      "spiffe://example.org,             spiffe://example.org,                true",
      "spiffe://example.org,             spiffe://example.org/a,              false",
      "spiffe://example.org/**/**/x,     spiffe://example.org/x,              true",
      "spiffe://example.org/*,           spiffe://other.org/a,                false"})
  void globSingleAndMultiSegment(String pattern, String id, boolean matches) {
    assertThat(SpiffeIdMatcher.glob(pattern).matches(id)).isEqualTo(matches);
  }


  @Test
  void globPatternsAreValidated() {
    assertThatThrownBy(() -> SpiffeIdMatcher.glob("spiffe://Example.org/*")).isInstanceOf(InvalidSpiffeIdException.class);
    assertThatThrownBy(() -> SpiffeIdMatcher.glob("spiffe://example.org/a*b")).isInstanceOf(InvalidSpiffeIdException.class);
    assertThatThrownBy(() -> SpiffeIdMatcher.glob("spiffe://example.org/a/")).isInstanceOf(InvalidSpiffeIdException.class);
    assertThatThrownBy(() -> SpiffeIdMatcher.glob("https://example.org/*")).isInstanceOf(InvalidSpiffeIdException.class);
    assertThatThrownBy(() -> SpiffeIdMatcher.glob("spiffe://example.org//a")).isInstanceOf(InvalidSpiffeIdException.class);
  }

  @Test
  void invalidIdsNeverMatchAndAnyOfCombines() {
    SpiffeIdMatcher m = SpiffeIdMatcher.anyOf(SpiffeIdMatcher.glob("spiffe://a.org/**"),
        SpiffeIdMatcher.exact(id("spiffe://b.org/x")));
    assertThat(m.matches("spiffe://a.org/q")).isTrue();
    assertThat(m.matches("spiffe://b.org/x")).isTrue();
    assertThat(m.matches("spiffe://b.org/y")).isFalse();
    assertThat(m.matches("spiffe://A.org/q")).isFalse();
    assertThat(m.toString()).contains("glob spiffe://a.org/**");
  }
}
