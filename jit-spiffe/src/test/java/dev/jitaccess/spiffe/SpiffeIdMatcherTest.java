package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

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

  @Test
  void globSingleAndMultiSegment() {
    SpiffeIdMatcher one = SpiffeIdMatcher.glob("spiffe://example.org/ns/*/sa/api");
    assertThat(one.matches("spiffe://example.org/ns/prod/sa/api")).isTrue();
    assertThat(one.matches("spiffe://example.org/ns/a/b/sa/api")).isFalse();
    assertThat(one.matches("spiffe://example.org/ns/sa/api")).isFalse();
    SpiffeIdMatcher any = SpiffeIdMatcher.glob("spiffe://example.org/ci/**");
    assertThat(any.matches("spiffe://example.org/ci")).isTrue();
    assertThat(any.matches("spiffe://example.org/ci/a/b/c")).isTrue();
    assertThat(any.matches("spiffe://example.org/cd/a")).isFalse();
    SpiffeIdMatcher mid = SpiffeIdMatcher.glob("spiffe://example.org/**/deploy");
    assertThat(mid.matches("spiffe://example.org/deploy")).isTrue();
    assertThat(mid.matches("spiffe://example.org/a/b/deploy")).isTrue();
    assertThat(mid.matches("spiffe://example.org/a/b/deploy/x")).isFalse();
    assertThat(SpiffeIdMatcher.glob("spiffe://example.org").matches("spiffe://example.org")).isTrue();
    assertThat(SpiffeIdMatcher.glob("spiffe://example.org").matches("spiffe://example.org/a")).isFalse();
    assertThat(SpiffeIdMatcher.glob("spiffe://example.org/**/**/x").matches("spiffe://example.org/x")).isTrue();
    assertThat(SpiffeIdMatcher.glob("spiffe://example.org/*").matches("spiffe://other.org/a")).isFalse();
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
